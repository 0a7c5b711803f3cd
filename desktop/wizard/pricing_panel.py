"""The price beside every wizard step: unit price, attendees, group discount, total."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QVBoxLayout

from core.booking.pricing import GROUP_DISCOUNT_PERCENT, GROUP_SIZE, Quote, quote
from core.infra.money import gbp


class PricingPanel(QFrame):
    """Updates as attendees are added; the quote comes from ``core.booking.pricing``."""

    def __init__(self) -> None:
        super().__init__()
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
        self.quote: Quote = quote(0, 0)
        self.show_quote("", 0, 0)

    def show_quote(
        self, session_text: str, unit_pence: int, attendees: int, free: int | None = None
    ) -> Quote:
        """Show the price; the group-discount hint only when ``free`` more seats allow it."""
        self.quote = quote(unit_pence, attendees)
        q = self.quote
        self.session.setText(session_text or "No session chosen yet.")
        self.unit.setText(gbp(q.unit_pence) if unit_pence else "–")
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
        return q
