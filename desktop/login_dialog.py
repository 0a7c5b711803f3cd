"""Sign in to the booking server: email, password, and the authenticator code when asked."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.backend import Backend
from desktop.tasks import Op, plain_message


class LoginDialog(QDialog):
    """Signs ``backend`` in off the GUI thread; the code field appears when the account has
    two-step sign-in (the server answers ``mfa_required``)."""

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.setWindowTitle("Sign in")
        self.email = QLineEdit()
        self.email.setPlaceholderText("you@rft-training.co.uk")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.code = QLineEdit()
        self.code.setPlaceholderText("6-digit code")
        self.code.setMaxLength(6)
        self.code_label = QLabel("Authenticator &code")
        self.code_label.setBuddy(self.code)
        self.message = QLabel(f"Sign in to {backend.description}.")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.sign_in = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in.setText("Sign in")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Email", self.email)
        form.addRow("&Password", self.password)
        form.addRow(self.code_label, self.code)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.code.hide()
        self.code_label.hide()
        self.setMinimumWidth(420)

    def submit(self) -> None:
        email, password = self.email.text().strip(), self.password.text()
        code = self.code.text().strip() or None
        if not email or not password:
            self.message.setText("Type your email address and password.")
            return
        self.sign_in.setEnabled(False)
        self.message.setText("Signing in…")
        Op(self, lambda: self.backend.login(email, password, code)).success(
            self._signed_in
        ).failure(self._refused).run()

    def _signed_in(self, _identity: Any) -> None:
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self.sign_in.setEnabled(True)
        if getattr(error, "code", None) == "mfa_required":
            self.code.show()
            self.code_label.show()
            self.code.setFocus()
        self.message.setText(plain_message(error))
