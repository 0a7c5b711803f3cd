"""Step 5: the booking reference, what was booked and paid, email status, calendar invite."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.money import gbp
from desktop.session_data import SessionRow, session_view


def email_status(booking: dict[str, Any], outbox: bool) -> str:
    """What happens to the confirmation email. With the email outbox (``outbox``), a confirmed
    booking's email is queued in the same transaction as the booking itself."""
    to = booking["customer"]["email"]
    if outbox and booking["status"] == "CONFIRMED":
        return f"Confirmation email with the calendar invite queued for {to}."
    if outbox:
        return f"The confirmation email goes to {to} once the booking is paid."
    return (
        f"No confirmation email went out from this desk: give the customer ({to}) "
        "the reference, or resend it from the Bookings tab."
    )


def write_invite(booking: dict[str, Any], path: Path) -> None:
    """Save the session's calendar invite (.ics) for this booking."""
    from core.invites import session_invite

    data = session_invite(session_view(booking["session"]), reference=booking["reference"])
    path.write_bytes(data)


class ConfirmationStep(QWidget):
    title = "Done"

    def __init__(self) -> None:
        super().__init__()
        self.booking: dict[str, Any] | None = None
        self.heading = QLabel("Booked")
        self.reference = QLabel()
        font = self.reference.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.reference.setFont(font)
        self.reference.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.payment = QLabel()
        self.payment.setWordWrap(True)
        self.email = QLabel()
        self.email.setWordWrap(True)
        self.copy = QPushButton("&Copy reference")
        self.save_invite = QPushButton("&Save calendar invite…")
        self.copy.clicked.connect(self._copy)
        self.save_invite.clicked.connect(self._save_invite)
        self.saved = QLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy)
        buttons.addWidget(self.save_invite)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.reference)
        layout.addWidget(self.details)
        layout.addWidget(self.payment)
        layout.addWidget(self.email)
        layout.addLayout(buttons)
        layout.addWidget(self.saved)
        layout.addStretch(1)

    def show_booking(self, booking: dict[str, Any], note: str, outbox: bool) -> None:
        self.booking = booking
        s = SessionRow.from_json(booking["session"])
        e = html.escape
        self.heading.setText(
            "<b>Booking confirmed</b>"
            if booking["status"] == "CONFIRMED"
            else "<b>Booking made, waiting for payment</b>"
        )
        self.reference.setText(booking["reference"])
        discount = (
            f" (includes group discount of {gbp(booking['discount_pence'])})"
            if booking["discount_pence"]
            else ""
        )
        self.details.setText(
            f"{e(s.course_name)} at {e(s.venue_name)}, {s.when_text}<br>"
            f"{booking['seats']} attendee(s) · total <b>{gbp(booking['total_pence'])}</b>{discount}"
        )
        self.payment.setText(e(note))
        self.email.setText(e(email_status(booking, outbox)))
        self.saved.setText("")

    def _copy(self) -> None:
        if self.booking:
            QApplication.clipboard().setText(self.booking["reference"])

    def _save_invite(self) -> None:
        if self.booking is None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self,
            "Save calendar invite",
            f"{self.booking['reference']}.ics",
            "Calendar invite (*.ics)",
        )
        if path:
            write_invite(self.booking, Path(path))
            self.saved.setText(f"Saved {path}")
