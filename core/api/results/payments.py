"""Results of taking and refunding payments."""

from __future__ import annotations

from core.api.results.base import Instant, JsonObject, Result


class Payment(Result):
    """``payments.cash``, ``payments.invoice``, ``payments.pay_later``."""

    id: int
    reference: str
    kind: str
    method: str
    status: str
    amount_pence: int
    message: str | None
    reader_id: str | None
    expires_at: Instant | None
    created_at: Instant
    booking_status: str
    due_pence: int
    invoice: str | None = None


class InvoiceCheck(Result):
    """``payments.invoice_check``: the PO an invoice would carry (refused when one is needed)."""

    company: str
    po_number: str | None


class DeadlineExtended(Result):
    """``payments.extend_deadline``."""

    reference: str
    pay_by: Instant


class PaymentLink(Result):
    """``payments.link``, ``payments.link (website)``."""

    url: str
    expires_at: Instant
    payment_id: int


class Reader(Result):
    """``payments.methods.readers[]``."""

    id: str
    label: str
    status: str


class PaymentMethods(Result):
    """``payments.methods``."""

    methods: list[str]
    readers: list[Reader]
    unavailable: dict[str, str]
    """Why a method is not offered here, by method."""


class Refund(Result):
    """``payments.refund``."""

    reference: str
    refunded_pence: int
    booking_id: int
    message: str
    refunds: list[JsonObject]


class TerminalPayment(Result):
    """``payments.terminal.cancel``, ``payments.terminal.status``."""

    payment_id: int
    status: str
    message: str
    reference: str
    amount_pence: int


class TerminalStarted(Result):
    """``payments.terminal.start``."""

    payment_id: int
    status: str
