"""Payment methods of the service API (the desktop wizard's payment step calls these)."""

from __future__ import annotations

from typing import Any

from pydantic import EmailStr, Field

from core import widget_origins
from core.api.holds import TOKEN_MAX, check_booking_owner
from core.api.params import NoParams, Params
from core.api.registry import WEBSITE, Call, method
from core.api.results.bookings import ConfirmationResent
from core.api.results.payments import (
    DeadlineExtended,
    InvoiceCheck,
    Payment,
    PaymentLink,
    PaymentMethods,
    Refund,
    TerminalPayment,
    TerminalStarted,
)
from core.booking import bookings
from core.infra.actor import Actor
from core.infra.errors import ConfigError, DomainError, Unauthenticated, ValidationFailed
from core.models.statuses import BookingStatus
from core.notify.booking_emails import send_confirmation
from core.payments import deadline, desk, links, refunds, terminal
from core.payments.gateway import gateway_for
from core.staff.roles import DESK

METHODS = ["cash", "pay_later", "card", "link", "invoice"]
Reference = Field(min_length=3, max_length=16)


def _actor(call: Call) -> Actor:
    if call.actor is None:
        raise Unauthenticated("Please sign in first.")
    return call.actor


class ReferenceParams(Params):
    reference: str = Reference


class LinkParams(ReferenceParams):
    hold_token: str | None = Field(default=None, min_length=1, max_length=TOKEN_MAX)
    return_url: str | None = Field(
        default=None, min_length=1, max_length=widget_origins.RETURN_URL_MAX
    )


class CashParams(Params):
    reference: str = Reference
    amount_pence: int = Field(gt=0, le=10_000_000)


class InvoiceParams(Params):
    reference: str = Reference
    company: str = Field(min_length=1, max_length=200)
    po_number: str | None = Field(default=None, max_length=60)
    email: EmailStr
    billing_address: str = Field(min_length=1, max_length=500)


class InvoiceCheckParams(Params):
    company: str = Field(min_length=1, max_length=200)
    po_number: str | None = Field(default=None, max_length=60)


class TerminalStartParams(Params):
    reference: str = Reference
    reader_id: str = Field(min_length=1, max_length=64)


class PaymentIdParams(Params):
    payment_id: int = Field(gt=0)


class ExtendParams(Params):
    reference: str = Reference
    minutes: int = Field(strict=True, ge=1, le=deadline.MAX_EXTENSION_MINUTES)


class RefundParams(Params):
    reference: str = Reference
    override: bool = False
    reason: str | None = Field(default=None, max_length=300)


@method("payments.methods", roles=DESK, params=NoParams, result=PaymentMethods)
def payment_methods(call: Call, params: NoParams) -> dict[str, Any]:
    """What the desk can take now, and the card readers with their status."""
    try:
        gateway = gateway_for(call.db.settings)
    except ConfigError as exc:
        return {
            "methods": ["cash", "pay_later", "invoice"],
            "readers": [],
            "unavailable": {"card": exc.message, "link": exc.message},
        }
    try:
        readers = terminal.readers(gateway)
    except DomainError as exc:
        return {"methods": METHODS, "readers": [], "unavailable": {"card": exc.message}}
    return {"methods": METHODS, "readers": readers, "unavailable": {}}


@method("payments.cash", roles=DESK, params=CashParams, result=Payment)
def cash(call: Call, params: CashParams) -> dict[str, Any]:
    return desk.record_cash(call.db, params.reference, params.amount_pence, _actor(call))


@method("payments.invoice", roles=DESK, params=InvoiceParams, result=Payment)
def invoice(call: Call, params: InvoiceParams) -> dict[str, Any]:
    return desk.record_invoice(
        call.db,
        params.reference,
        params.company,
        str(params.email),
        _actor(call),
        po_number=params.po_number,
        billing_address=params.billing_address,
    )


@method("payments.invoice_check", roles=DESK, params=InvoiceCheckParams, result=InvoiceCheck)
def invoice_check(call: Call, params: InvoiceCheckParams) -> dict[str, Any]:
    """Before booking on invoice: refused when the company requires a PO and none is given."""
    with call.db.read() as tx:
        po = desk.check_invoice_po(tx, params.company, params.po_number)
    return {"company": params.company, "po_number": po}


@method("payments.pay_later", roles=DESK, params=ReferenceParams, result=Payment)
def pay_later(call: Call, params: ReferenceParams) -> dict[str, Any]:
    return desk.record_pay_later(call.db, params.reference, _actor(call))


@method("payments.link", roles=DESK | {WEBSITE}, params=LinkParams, result=PaymentLink)
def link(call: Call, params: LinkParams) -> dict[str, Any]:
    """Staff may fetch any booking's link; the website only with the booking's hold token.

    ``return_url``: the page embedding the widget, where Checkout sends the customer back
    (its origin must be allowed, see ``core.widget_origins``).
    """
    settings = call.db.settings
    page = widget_origins.checked_page(settings, params.return_url) if params.return_url else None
    with call.db.read() as tx:
        check_booking_owner(tx, call.actor, bookings.find(tx, params.reference), params.hold_token)
    return links.create_link(
        call.db, gateway_for(settings), params.reference, _actor(call), return_page=page
    )


@method("payments.terminal.start", roles=DESK, params=TerminalStartParams, result=TerminalStarted)
def terminal_start(call: Call, params: TerminalStartParams) -> dict[str, Any]:
    return terminal.start(
        call.db, gateway_for(call.db.settings), params.reference, params.reader_id, _actor(call)
    )


@method("payments.terminal.status", roles=DESK, params=PaymentIdParams, result=TerminalPayment)
def terminal_status(call: Call, params: PaymentIdParams) -> dict[str, Any]:
    return terminal.status(call.db, gateway_for(call.db.settings), params.payment_id)


@method("payments.terminal.cancel", roles=DESK, params=PaymentIdParams, result=TerminalPayment)
def terminal_cancel(call: Call, params: PaymentIdParams) -> dict[str, Any]:
    return terminal.cancel(call.db, gateway_for(call.db.settings), params.payment_id)


@method("payments.refund", roles=DESK, params=RefundParams, result=Refund)
def refund(call: Call, params: RefundParams) -> dict[str, Any]:
    return refunds.refund(
        call.db,
        gateway_for(call.db.settings),
        params.reference,
        _actor(call),
        override=params.override,
        reason=params.reason,
    )


@method("payments.extend_deadline", roles=DESK, params=ExtendParams, result=DeadlineExtended)
def extend_deadline(call: Call, params: ExtendParams) -> dict[str, Any]:
    """Give an unpaid booking more time before its seats go back: ``{reference, pay_by}``."""
    return deadline.extend(call.db, params.reference, params.minutes, _actor(call))


@method(
    "bookings.resend_confirmation", roles=DESK, params=ReferenceParams, result=ConfirmationResent
)
def resend_confirmation(call: Call, params: ReferenceParams) -> dict[str, Any]:
    """Queue the confirmation email (with its invite) again for a confirmed booking."""
    with call.db.write() as tx:
        booking = bookings.find(tx, params.reference)
        if booking.status != BookingStatus.CONFIRMED:
            raise ValidationFailed(
                f"Booking {booking.reference} is {booking.status.lower().replace('_', ' ')}; "
                "only a confirmed booking has a confirmation to send."
            )
        outbox_id = send_confirmation(tx, booking, resend=True)
        return {
            "reference": booking.reference,
            "outbox_id": outbox_id,
            "to": booking.customer_email,
        }
