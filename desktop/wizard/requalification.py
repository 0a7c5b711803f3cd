"""Requalification eligibility in the wizard: asked after the attendees step, before review.

The service's ``eligibility.check`` decides (the same rule as every other booking path).
A refusal shows its reason, offers the full course instead, or lets staff book anyway
with a written reason, which is sent with the booking and kept in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.tasks import BackendOp, plain_message

if TYPE_CHECKING:
    from desktop.wizard.wizard import BookingWizard

MIN_REASON = 5


class RefusalDialog(QDialog):
    """The reason, and three ways on: the full course, an override, or back to the list."""

    full_course = Signal(str)
    overridden = Signal(str)

    def __init__(self, verdict: dict[str, Any], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Not eligible for requalification")
        reason = QLabel(verdict["reason"])
        reason.setWordWrap(True)
        self.course_id = str(verdict.get("full_course") or "")
        name = verdict.get("full_course_name") or "the full course"
        self.full_button = QPushButton(f"Book {name} instead")
        self.full_button.clicked.connect(self._full)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why book anyway (e.g. certificate seen on paper)")
        self.reason.setAccessibleName("Override reason")
        self.override_button = QPushButton("Book anyway")
        self.override_button.setEnabled(False)
        self.reason.textChanged.connect(
            lambda text: self.override_button.setEnabled(len(text.strip()) >= MIN_REASON)
        )
        self.override_button.clicked.connect(self._override)
        back = QPushButton("Back")
        back.clicked.connect(self.reject)
        override_row = QHBoxLayout()
        override_row.addWidget(self.reason, 1)
        override_row.addWidget(self.override_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.full_button)
        buttons.addStretch(1)
        buttons.addWidget(back)
        layout = QVBoxLayout(self)
        layout.addWidget(reason)
        layout.addWidget(QLabel("Staff override (recorded in the audit log):"))
        layout.addLayout(override_row)
        layout.addLayout(buttons)
        self.resize(560, 220)

    def _full(self) -> None:
        self.full_course.emit(self.course_id)
        self.accept()

    def _override(self) -> None:
        self.overridden.emit(self.reason.text().strip())
        self.accept()


class RequalificationCheck(QObject):
    """Asks the service whether the attendees may book the chosen session."""

    def __init__(self, wizard: BookingWizard) -> None:
        super().__init__(wizard)
        self.wizard = wizard
        self.override_reason: str | None = None
        self.dialog: RefusalDialog | None = None

    def params(self) -> dict[str, Any]:
        """What ``bookings.create`` needs besides the hold: an override, when staff gave one."""
        return (
            {"eligibility": {"override_reason": self.override_reason}}
            if self.override_reason
            else {}
        )

    def check_then(self, proceed: Callable[[], None]) -> None:
        """Run ``proceed`` when the attendees are eligible (or staff override); else explain."""
        session = self.wizard.session
        self.override_reason = None
        if session is None or not self.wizard.backend.has_method("eligibility.check"):
            proceed()
            return
        people = [
            {"name": p["name"], "email": p["email"]}
            for p in self.wizard.attendees_step.model.payload()
        ]
        params = {"session_id": session.id, "attendees": people}

        def answered(verdict: dict[str, Any]) -> None:
            if verdict.get("eligible"):
                proceed()
            else:
                self._refused(verdict, proceed)

        BackendOp(self, self.wizard.backend, "eligibility.check", params).success(answered).failure(
            lambda e: self.wizard.message.setText(plain_message(e))
        ).run()

    def _refused(self, verdict: dict[str, Any], proceed: Callable[[], None]) -> None:
        self.dialog = RefusalDialog(verdict, self.wizard)
        self.dialog.full_course.connect(self._book_full_course)
        self.dialog.overridden.connect(lambda reason: self._override(reason, proceed))
        self.wizard.message.setText(verdict["reason"])
        self.dialog.open()

    def _override(self, reason: str, proceed: Callable[[], None]) -> None:
        self.override_reason = reason
        self.wizard.message.setText("")
        proceed()

    def _book_full_course(self, course_id: str) -> None:
        self.wizard.hold.release()
        self.wizard.go(0)
        self.wizard.session_step.set_course(course_id)
        self.wizard.message.setText("Pick a date for the full course; the attendees are kept.")
