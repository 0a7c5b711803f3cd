"""Step 5: the booking reference, what was booked and paid, email status, calendar invite;
print or email the confirmation, or start the next booking (Alt+N)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.infra.money import gbp
from core.models.statuses import BookingStatus
from desktop.backend import RESEND, Backend
from desktop.session_data import SessionRow, session_view
from desktop.tasks import BackendOp, plain_message
from desktop.wording import plural


def email_status(booking: dict[str, Any], outbox: bool) -> str:
    """What happens to the confirmation email. With the email outbox (``outbox``), a confirmed
    booking's email is queued in the same transaction as the booking itself."""
    to = booking["customer"]["email"]
    if outbox and booking["status"] == BookingStatus.CONFIRMED:
        return f"Confirmation email with the calendar invite queued for {to}."
    if outbox:
        return f"The confirmation email goes to {to} once the booking is paid."
    return (
        f"No confirmation email went out from this desk: give the customer ({to}) "
        "the reference, or resend it from the Bookings tab."
    )


def write_invite(booking: dict[str, Any], path: Path) -> None:
    """Save the session's calendar invite (.ics) for this booking."""
    from core.notify.invites import session_invite

    data = session_invite(session_view(booking["session"]), reference=booking["reference"])
    path.write_bytes(data)


def confirmation_html(booking: dict[str, Any]) -> str:
    """The confirmation as printed for the customer: reference, course, people, money."""
    s = SessionRow.from_json(booking["session"])
    e = html.escape
    people = "".join(f"<li>{e(a['name'])}</li>" for a in booking.get("attendees", []))
    return (
        f"<h1>Booking {e(booking['reference'])}</h1>"
        f"<p><b>{e(s.course_name)}</b><br>{e(s.venue_name)}, {s.when_text}</p>"
        f"<p>{plural(booking['seats'], 'attendee')}:</p><ul>{people}</ul>"
        f"<p>Total {gbp(booking['total_pence'])} · paid {gbp(booking['paid_pence'])}"
        f" · still to pay {gbp(booking['due_pence'])}</p>"
        f"<p>Booked for {e(booking['customer']['name'])} ({e(booking['customer']['email'])})</p>"
    )


class ConfirmationStep(QWidget):
    title = "Done"
    again = Signal()  # New booking (Alt+N): the next customer

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
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
        self.copy = QPushButton("Cop&y reference")
        self.save_invite = QPushButton("&Save calendar invite…")
        self.print_button = QPushButton("&Print confirmation…")
        self.email_button = QPushButton("&Email confirmation again")
        self.new_button = QPushButton("&New booking")
        self.copy.clicked.connect(self._copy)
        self.save_invite.clicked.connect(self._save_invite)
        self.print_button.clicked.connect(self._print)
        self.email_button.clicked.connect(self.email_again)
        self.new_button.clicked.connect(self.again)
        self.saved = QLabel()
        self.saved.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (
            self.copy,
            self.save_invite,
            self.print_button,
            self.email_button,
            self.new_button,
        ):
            buttons.addWidget(button)
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
            if booking["status"] == BookingStatus.CONFIRMED
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
            f"{plural(booking['seats'], 'attendee')} · total "
            f"<b>{gbp(booking['total_pence'])}</b>{discount}"
        )
        can_email = booking["status"] == BookingStatus.CONFIRMED and self.backend.has_method(RESEND)
        self.email_button.setEnabled(can_email)
        self.email_button.setToolTip(
            "" if can_email else "The confirmation is emailed once the booking is paid."
        )
        self.payment.setText(e(note))
        self.email.setText(e(email_status(booking, outbox)))
        self.saved.setText("")

    def print_to(self, printer: QPrinter) -> None:
        """Print the confirmation on ``printer`` (a PDF file when its output file is set)."""
        if self.booking is None:
            return
        document = QTextDocument()
        document.setHtml(confirmation_html(self.booking))
        document.print_(printer)

    def _print(self) -> None:
        printer = QPrinter()
        if QPrintDialog(printer, self).exec() == QPrintDialog.DialogCode.Accepted:
            self.print_to(printer)
            self.saved.setText("Sent to the printer.")

    def email_again(self) -> None:
        if self.booking is None:
            return
        to = self.booking["customer"]["email"]
        BackendOp(self, self.backend, RESEND, {"reference": self.booking["reference"]}).success(
            lambda _r: self.saved.setText(f"The confirmation is on its way to {to} again.")
        ).failure(lambda e: self.saved.setText(plain_message(e))).run()

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
