"""Booking for an employer from the wizard: the organisation is the payer, and the order may
take several sessions and many people, through the same bulk order as the organisation's
record (``organisations.order.*``: every seat held first, one review, one all-or-nothing
confirmation, one invoice).

``EmployerButton`` sits in the wizard's button row on the first two steps. It gives back the
wizard's own hold (the order holds its seats itself) and opens ``BulkOrderDialog`` with the
session and the people typed so far; once the order is confirmed the wizard closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QPushButton

from desktop.organisations.bulk_order_dialog import BulkOrderDialog
from desktop.style_sheet import set_state
from desktop.tasks import BackendOp, plain_message
from desktop.wizard.attendees import parse_dob

if TYPE_CHECKING:
    from desktop.wizard.wizard import BookingWizard

ORDER_METHODS = ("organisations.list", "organisations.order.start")
FIRST_STEPS = (0, 1)  # course & session, attendees


class EmployerButton(QPushButton):
    """ "For an employer…": an organisation pays, on one or more sessions."""

    def __init__(self, wizard: BookingWizard) -> None:
        super().__init__("For an &employer…")
        self.wizard = wizard
        self.dialog: BulkOrderDialog | None = None
        self.setToolTip(
            "An organisation pays: book its staff on one or more sessions, on one invoice"
        )
        self.clicked.connect(self.open_dialog)
        wizard.stack.currentChanged.connect(lambda *_: self._show())
        self._show()

    def _show(self) -> None:
        offered = all(self.wizard.backend.has_method(m) for m in ORDER_METHODS)
        self.setVisible(offered and self.wizard.stack.currentIndex() in FIRST_STEPS)

    def rows(self) -> list[dict[str, Any]]:
        """The wizard's session and the people typed so far, as order rows."""
        session = self.wizard.session
        if session is None:
            return []
        people = [r for r in self.wizard.attendees_step.model.rows if any(r.values())]
        if not people:
            return [{"session": session.id}]
        return [
            {
                "session": session.id,
                "name": p.get("name", ""),
                "email": p.get("email", ""),
                "date_of_birth": _iso(p.get("date_of_birth", "")),
                "special_requirements": p.get("special_requirements", ""),
            }
            for p in people
        ]

    def open_dialog(self) -> None:
        BackendOp(self.wizard, self.wizard.backend, "organisations.list").success(
            self._listed
        ).failure(lambda e: self.wizard.message.setText(plain_message(e))).run()

    def _listed(self, payers: list[dict[str, Any]]) -> None:
        if not payers:
            self.wizard.message.setText(
                "There are no organisations yet: add the employer on the Organisations tab."
            )
            return
        self.wizard.hold.release(lambda: self._open(payers))

    def _open(self, payers: list[dict[str, Any]]) -> None:
        wizard = self.wizard
        self.dialog = BulkOrderDialog(
            wizard, wizard.backend, None, payers=payers, sessions=wizard.session_step.model.rows
        )
        if wizard.session is not None:
            self.dialog.session_pick.setCurrentIndex(
                max(0, self.dialog.session_pick.findData(wizard.session.id))
            )
        self.dialog.fill(self.rows())
        self.dialog.ordered.connect(self._ordered)
        self.dialog.rejected.connect(self._not_ordered)
        self.dialog.open()

    def _ordered(self, order: dict[str, Any]) -> None:
        set_state(self.wizard.message, "")
        self.wizard.message.setText(
            f"Booked {', '.join(order['references'])} for {order['org']}; "
            f"invoice {order['invoice']}."
        )
        if self.dialog is not None:
            self.dialog.accepted.connect(self.wizard.accept)

    def _not_ordered(self) -> None:
        if self.dialog is not None and self.dialog.order and self.dialog.order["invoice"]:
            self.wizard.accept()
            return
        self.wizard.message.setText(
            "No employer order was made; the wizard's seats were given back. "
            "Press Next to hold them again."
        )


def _iso(text: str) -> str:
    """A date of birth as the order takes it (ISO), or as typed when it is not a date."""
    dob = parse_dob(text)
    return dob.isoformat() if dob else text
