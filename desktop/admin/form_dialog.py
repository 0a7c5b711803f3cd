"""A small labelled form in a dialog, for the admin screens' one-off edits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from desktop.style_sheet import set_state
from desktop.tasks import BackendOp, plain_message


class FormDialog(QDialog):
    """Rows of (label, widget); on Save, ``params()`` is sent as ``method`` and the dialog
    closes on success or shows the plain-English error and stays open."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        rows: list[tuple[str, QWidget]],
        backend: Any,
        method: str,
        params: Callable[[], dict[str, Any]],
        done: Callable[[Any], None],
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self._backend, self._method, self._params, self._done = backend, method, params, done
        form = QFormLayout(self)
        for label, widget in rows:
            form.addRow(label, widget)
        self.error = QLabel()
        self.error.setWordWrap(True)
        set_state(self.error, "error")
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _save(self) -> None:
        try:
            params = self._params()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        BackendOp(self, self._backend, self._method, params).success(self._saved).failure(
            lambda e: self.error.setText(plain_message(e))
        ).run()

    def _saved(self, result: Any) -> None:
        self._done(result)
        self.accept()
