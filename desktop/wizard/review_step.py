"""Step 3: read it back to the customer; terms, consent and waiver must be ticked."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QTextBrowser, QVBoxLayout, QWidget

from core.api import desk
from core.api.params import NoParams
from core.api.results.organisations import Quote
from core.booking.pricing import GROUP_DISCOUNT_PERCENT
from core.infra.money import gbp
from desktop.backend import Backend
from desktop.session_data import SessionRow
from desktop.tasks import ApiOp, plain_message
from desktop.wording import plural


def price_html(q: Quote) -> str:
    """The price read back to the customer: per person, discount, total."""
    discount = (
        f"<tr><td>Group discount ({GROUP_DISCOUNT_PERCENT}%)</td>"
        f"<td align='right'>-{gbp(q.discount_pence)}</td></tr>"
        if q.discount_pence
        else ""
    )
    return (
        "<table cellpadding='3'>"
        f"<tr><td>{plural(q.attendees, 'attendee')} × {gbp(q.unit_pence)}</td>"
        f"<td align='right'>{gbp(q.subtotal_pence)}</td></tr>{discount}"
        f"<tr><td><b>Total to pay</b></td><td align='right'><b>{gbp(q.total_pence)}</b></td></tr>"
        "</table>"
    )


class ReviewStep(QWidget):
    title = "Review & terms"
    changed = Signal()

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.summary = QTextBrowser()
        self.terms = QTextBrowser()
        self.terms.setPlainText("Loading the booking terms…")
        self.terms.setAccessibleName("Booking terms")
        self.agree = QCheckBox("The customer has heard and &accepts the booking terms")
        self.consent = QCheckBox(
            "Consent to keep attendees' details and &special requirements for this course"
        )
        self.waiver = QCheckBox(
            "Attendees accept the practical-activity &waiver (CPR on manikins, floor work)"
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.terms, 1)  # the terms get as much room as the booking
        for box in self.boxes:
            box.toggled.connect(lambda _on: self.changed.emit())
            layout.addWidget(box)
        ApiOp(self, backend, desk.booking_terms, NoParams()).success(
            lambda r: self.terms.setMarkdown(r.terms)
        ).failure(lambda e: self.terms.setPlainText(plain_message(e))).run()

    @property
    def boxes(self) -> tuple[QCheckBox, ...]:
        return (self.agree, self.consent, self.waiver)

    def all_ticked(self) -> bool:
        return all(b.isChecked() for b in self.boxes)

    def show_booking(self, session: SessionRow, people: list[dict[str, Any]], price: Quote) -> None:
        """Read the booking back, at the price the service quoted (the pricing panel's)."""
        e = html.escape
        rows = "".join(
            f"<tr><td>{i}.</td><td>{e(p['name'])}</td><td>{e(p['email'])}</td>"
            f"<td>{e(p.get('special_requirements') or '')}</td></tr>"
            for i, p in enumerate(people, start=1)
        )
        self.summary.setHtml(
            f"<h3>{e(session.course_name)}</h3>"
            f"<p>{e(session.venue_name)} · {session.when_text}"
            + (f" · trainer {e(session.trainer)}" if session.trainer else "")
            + f"</p><table cellpadding='3'>{rows}</table>"
            + price_html(price)
            + f"<p>Confirmation goes to {e(people[0]['email'])}.</p>"
        )
