"""Card payment links for employers' invoices, through the same Stripe gateway as bookings.

``create`` writes the link row before Stripe is asked (so the idempotency key is stable),
then creates a Checkout Session for what is still owed, keeps its URL and emails it once to
the organisation's invoice contacts. Asking again while the link is open returns the same
link from the database; it also asks Stripe where the link stands, so a paid link is
recorded even before the payments pass reads the event. When Stripe reports the session
paid (an event, or that status check) the payment is recorded on the invoice with method
``link`` and the Checkout Session id as its reference, exactly once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.infra.actor import Actor
from core.infra.clock import now, uk_datetime
from core.infra.db import Database
from core.infra.errors import ValidationFailed
from core.invoicing import invoices
from core.models.organisations import Invoice, InvoiceLink, Organisation
from core.notify.outbox import enqueue
from core.organisations.directory import contacts_for
from core.payments.gateway import PaymentRejected, PaymentUnavailable, StripeClient


def _key(number: str, link_id: int, step: str) -> str:
    return f"{number}:invoice:link:{link_id}:{step}"


def _metadata(number: str, link_id: int) -> dict[str, str]:
    return {"reference": number, "invoice_link_id": str(link_id)}


def link_id_of(obj: dict[str, Any]) -> int | None:
    """The invoice link a Stripe object belongs to, from its metadata (None if none)."""
    raw = (obj.get("metadata") or {}).get("invoice_link_id")
    return int(raw) if raw and str(raw).isdigit() else None


def _json(number: str, link: InvoiceLink, outstanding: int) -> dict[str, Any]:
    return {
        "number": number,
        "url": link.url,
        "amount_pence": link.amount_pence,
        "expires_at": link.expires_at.isoformat(),
        "status": link.status,
        "outstanding_pence": outstanding,
    }


def _outstanding(tx: Session, number: str) -> int:
    return int(invoices.invoice_json(tx, invoices.find(tx, number))["outstanding_pence"])


def create(db: Database, gateway: StripeClient, number: str, actor: Actor) -> dict[str, Any]:
    """The invoice's open payment link, made (and emailed) if there is none.

    Returns ``{number, url, amount_pence, expires_at, status, outstanding_pence}``."""
    with db.write() as tx:
        invoice = invoices.find(tx, number)
        number = invoice.number
        if invoice.kind != "invoice":
            raise ValidationFailed(f"{number} is a credit note; payment links are for invoices.")
        link = tx.scalar(
            select(InvoiceLink).where(
                InvoiceLink.invoice_id == invoice.id, InvoiceLink.status == "pending"
            )
        )
        if link is not None and link.expires_at <= now():
            link = None  # the payments pass expires it at Stripe; a fresh one is made
        if link is None:
            owed = _outstanding(tx, number)
            if owed <= 0:
                raise ValidationFailed(f"{number} has nothing left to pay.")
            minutes = db.settings.payment_link_minutes
            link = InvoiceLink(
                invoice_id=invoice.id,
                amount_pence=owed,
                status="pending",
                expires_at=(now() + timedelta(minutes=minutes)).replace(microsecond=0),
                created_by=actor.label,
                created_at=now(),
            )
            tx.add(link)
            tx.flush()
        link_id, amount, expires_at = link.id, link.amount_pence, link.expires_at
        provider_ref, org_name = link.provider_ref, invoice.customer["name"]
        org = tx.get_one(Organisation, invoice.organisation_id)
        email = next((c.email for c in contacts_for(org, "invoice")), "")
    try:
        if provider_ref is None:
            session = gateway.create_checkout(
                amount_pence=amount,
                description=f"Invoice {number}, {org_name}",
                email=email,
                expires_at=expires_at,
                metadata=_metadata(number, link_id),
                key=_key(number, link_id, "session"),
            )
        else:
            session = gateway.checkout(provider_ref)
    except (PaymentUnavailable, PaymentRejected) as exc:
        if provider_ref is None:
            with db.write() as tx:
                failed = tx.get_one(InvoiceLink, link_id)
                if failed.status == "pending" and failed.provider_ref is None:
                    failed.status = "canceled"
                    failed.message = f"Not started: {exc.message}"[:255]
        raise
    with db.write() as tx:
        link = tx.get_one(InvoiceLink, link_id)
        apply_remote(tx, link, session)
        return _json(number, link, _outstanding(tx, number))


def apply_remote(tx: Session, link: InvoiceLink, obj: dict[str, Any]) -> None:
    """Apply the current state of the link's Checkout Session; twice changes nothing."""
    link.provider_ref = link.provider_ref or obj["id"]
    invoice = tx.get_one(Invoice, link.invoice_id)
    if obj.get("url") and link.url != obj["url"]:
        link.url = obj["url"]
    if link.status != "pending":
        return
    if obj["status"] == "complete" and obj.get("payment_status") == "paid":
        link.status = "paid"
        owed = _outstanding(tx, invoice.number)
        if owed > 0:
            invoices.record_payment(
                tx,
                invoice.number,
                min(link.amount_pence, owed),
                Actor(label="payments", role="admin", channel="desk"),
                method="link",
                reference=obj["id"],
            )
    elif obj["status"] == "expired":
        link.status = "expired"
        link.message = "The payment link expired unpaid."
    elif obj["status"] == "open" and link.url:
        _email(tx, invoice.number, link)


def _email(tx: Session, number: str, link: InvoiceLink) -> None:
    """The link to the invoice contacts, once per URL and contact."""
    invoice = invoices.find(tx, number)
    org = tx.get_one(Organisation, invoice.organisation_id)
    for contact in contacts_for(org, "invoice"):
        enqueue(
            tx,
            template="invoice_payment_link",
            to=contact.email,
            context={
                "name": contact.name,
                "number": number,
                "org": org.name,
                "amount_pence": link.amount_pence,
                "expires": uk_datetime(link.expires_at),
                "url": link.url,
            },
            dedupe_key=f"invoice_link:{link.url}:{contact.id}",
        )


def expire_due(db: Database, gateway: StripeClient, *, at: datetime | None = None) -> int:
    """Close invoice links past their expiry at Stripe (a link paid at the last moment is
    recorded instead); returns how many were due."""
    at = at or now()
    with db.read() as tx:
        due = list(
            tx.scalars(
                select(InvoiceLink.id).where(
                    InvoiceLink.status == "pending",
                    InvoiceLink.provider_ref.is_not(None),
                    InvoiceLink.expires_at <= at,
                )
            )
        )
    for link_id in due:
        try:
            check(db, gateway, link_id, at=at)
        except (PaymentUnavailable, PaymentRejected):
            continue  # Stripe unreachable: the next pass tries again
    return len(due)


def check(db: Database, gateway: StripeClient, link_id: int, *, at: datetime) -> None:
    """Ask Stripe where one link stands and apply it; a link past its expiry is closed."""
    with db.read() as tx:
        link = tx.get_one(InvoiceLink, link_id)
        ref, expired = link.provider_ref, link.expires_at <= at
        number = tx.get_one(Invoice, link.invoice_id).number
    assert ref is not None
    session = gateway.checkout(ref)
    if session["status"] == "open" and expired:
        try:
            session = gateway.expire_checkout(ref, key=_key(number, link_id, "expire"))
        except PaymentRejected:
            session = gateway.checkout(ref)  # paid at that very moment
    with db.write() as tx:
        apply_remote(tx, tx.get_one(InvoiceLink, link_id), session)
