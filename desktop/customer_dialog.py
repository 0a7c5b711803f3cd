"""A customer's record (``customers.get``): contact details, their bookings as payer or
attendee, payments, and certificates with expiry. A booking row opens that booking."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.api import desk
from core.api.results.bookings import CustomerRecord
from core.infra.clock import to_london, today_london, uk_date
from core.infra.money import gbp
from desktop.backend import Backend
from desktop.tasks import ApiOp, plain_message
from desktop.today_tab import REFERENCE, STATUS_TEXT
from desktop.wording import plural

PAYMENT_KIND = {"charge": "Payment", "refund": "Refund"}


def _day(moment: datetime) -> str:
    return uk_date(to_london(moment))


def expiry_text(day: date | None, today: date) -> str:
    """``Wed 2 Dec 2026 (expired)``, ``… (in 30 days)`` or ``Does not expire``."""
    if day is None:
        return "Does not expire"
    left = (day - today).days
    if left < 0:
        return f"{uk_date(day)} (expired)"
    return f"{uk_date(day)} (in {plural(left, 'day')})"


def _tree(columns: tuple[str, ...]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(list(columns))
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    tree.header().setStretchLastSection(True)
    return tree


class CustomerDialog(QDialog):
    """The record of whoever books or attends with ``email``."""

    def __init__(
        self,
        backend: Backend,
        email: str,
        parent: QWidget | None = None,
        open_booking: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Customer: {email}")
        self.open_booking = open_booking
        self.heading = QLabel("Loading the customer's record…")
        self.heading.setObjectName("customerHeading")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bookings = _tree(
            ("Booked", "Reference", "Course", "Course date", "As", "Total", "Owed", "Status")
        )
        self.payments = _tree(("Date", "Reference", "What", "Method", "Amount", "Status"))
        self.certificates = _tree(("Certificate", "Course", "Issued", "Expires"))
        self.bookings.itemActivated.connect(self._open)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.bookings, "Bookings")
        self.tabs.addTab(self.payments, "Payments")
        self.tabs.addTab(self.certificates, "Certificates")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(QLabel("Double-click a booking to open it."))
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(980, 520)
        ApiOp(self, backend, desk.customer, lambda: desk.CustomerParams(email=email)).success(
            self._show
        ).failure(lambda e: self.heading.setText(plain_message(e))).run()

    def _show(self, record: CustomerRecord) -> None:
        self.record = record
        contact = " · ".join(filter(None, (record.email, record.phone)))
        owed = sum(b.due_pence for b in record.bookings)
        self.heading.setText(
            f"<b>{html.escape(record.name)}</b> · {html.escape(contact)}<br>"
            f"{plural(len(record.bookings), 'booking')}, "
            f"{plural(len(record.certificates), 'certificate')}"
            + (f", owes {gbp(owed)}" if owed else ", nothing owed")
        )
        for b in record.bookings:
            item = QTreeWidgetItem(
                [
                    _day(b.created_at),
                    b.reference,
                    b.course_name,
                    _day(b.session_start),
                    b.role or "",
                    gbp(b.total_pence),
                    gbp(b.due_pence),
                    STATUS_TEXT.get(b.status, b.status),
                ]
            )
            item.setData(0, REFERENCE, b.reference)
            self.bookings.addTopLevelItem(item)
        for p in record.payments:
            self.payments.addTopLevelItem(
                QTreeWidgetItem(
                    [
                        _day(p.created_at),
                        p.reference,
                        PAYMENT_KIND.get(p.kind, p.kind),
                        p.method.replace("_", " "),
                        gbp(p.amount_pence),
                        p.status.replace("_", " "),
                    ]
                )
            )
        today = today_london()
        for c in record.certificates:
            self.certificates.addTopLevelItem(
                QTreeWidgetItem(
                    [
                        c.number,
                        c.course_name,
                        uk_date(c.issued_on),
                        expiry_text(c.expires_on, today),
                    ]
                )
            )
        self.tabs.setTabText(2, f"Certificates ({len(record.certificates)})")

    def _open(self, item: QTreeWidgetItem, _column: int) -> None:
        reference = item.data(0, REFERENCE)
        if reference and self.open_booking is not None:
            self.open_booking(reference)
            self.accept()
