"""The price beside every wizard step: unit price, attendees, group discount, total."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QVBoxLayout

from core.api import pricing
from core.api.results.organisations import Quote
from core.booking.pricing import GROUP_DISCOUNT_PERCENT, GROUP_SIZE
from core.infra.money import gbp
from desktop.tasks import ApiOp, Invoker, plain_message

NOTHING = Quote(unit_pence=0, attendees=0, subtotal_pence=0, discount_pence=0, total_pence=0)


class PricingPanel(QFrame):
    """Updates as attendees are added; the quote comes from the service (``pricing.quote``),
    so the desk shows what the booking will be charged, local or remote. ``quoted`` is
    emitted when ``quote`` changes."""

    quoted = Signal()

    def __init__(self, backend: Invoker) -> None:
        super().__init__()
        self.backend = backend
        self._asked = 0  # answers to earlier questions are dropped
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(260)
        self.title = QLabel("<b>Price</b>")
        self.session = QLabel("No session chosen yet.")
        self.session.setWordWrap(True)
        self.unit = QLabel()
        self.attendees = QLabel()
        self.subtotal = QLabel()
        self.discount = QLabel()
        self.total = QLabel()
        font = self.total.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.total.setFont(font)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Price per person", self.unit)
        form.addRow("Attendees", self.attendees)
        form.addRow("Subtotal", self.subtotal)
        form.addRow(f"Group discount ({GROUP_DISCOUNT_PERCENT}%)", self.discount)
        form.addRow("Total", self.total)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.session)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        self.quote = NOTHING
        self._show(NOTHING, None)

    def ask(self, session_id: int | None, session_text: str, seats: int, free: int | None) -> None:
        """Price ``seats`` on the session (none chosen: nothing to pay); the hint speaks of
        the group discount only when ``free`` more seats allow it."""
        self._asked += 1
        asked = self._asked
        self.session.setText(session_text or "No session chosen yet.")
        if session_id is None or seats < 1:
            self._set(NOTHING, free)
            return
        ApiOp(
            self,
            self.backend,
            pricing.quote,
            lambda: pricing.QuoteParams(session_id=session_id, seats=seats),
        ).success(lambda q: self._answered(asked, q, free)).failure(
            lambda e: self._refused(asked, e)
        ).run()

    def _answered(self, asked: int, q: Quote, free: int | None) -> None:
        if asked == self._asked:
            self._set(q, free)

    def _refused(self, asked: int, error: BaseException) -> None:
        if asked == self._asked:
            self._set(NOTHING, None)
            self.hint.setText(plain_message(error))

    def _set(self, q: Quote, free: int | None) -> None:
        self.quote = q
        self._show(q, free)
        self.quoted.emit()

    def _show(self, q: Quote, free: int | None) -> None:
        attendees = q.attendees
        self.unit.setText(gbp(q.unit_pence) if q.unit_pence else "–")
        self.attendees.setText(str(attendees))
        self.subtotal.setText(gbp(q.subtotal_pence))
        self.discount.setText(f"-{gbp(q.discount_pence)}" if q.discount_pence else "none")
        self.total.setText(gbp(q.total_pence))
        if attendees >= GROUP_SIZE:
            self.hint.setText(f"Group of {attendees}: {GROUP_DISCOUNT_PERCENT}% off applied.")
        elif attendees and (free is None or free >= GROUP_SIZE - attendees):
            more = GROUP_SIZE - attendees
            self.hint.setText(
                f"Add {more} more attendee{'s' if more > 1 else ''} "
                f"for {GROUP_DISCOUNT_PERCENT}% off."
            )
        else:
            self.hint.setText("")
