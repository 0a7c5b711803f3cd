"""Stripe events, each applied exactly once, late, twice or out of order.

The websockets server takes no POST bodies, so events are pulled from the Events API with
a stored cursor (works behind a venue's NAT and catches up after downtime). A deployment
that adds a webhook receiver passes the body to ``handle_webhook``, which checks the
signature first. Either way an event's id is recorded in the same transaction as its
effect, and the effect is computed from the object's *current* state at Stripe, so an old
event arriving after a newer one cannot roll anything back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from core.infra.clock import now
from core.infra.db import Database
from core.infra.errors import ConfigError
from core.models import Payment, PaymentState, StripeEvent
from core.models.organisations import InvoiceLink
from core.payments import invoice_links
from core.payments.gateway import StripeClient, verify_webhook
from core.payments.settle import apply_remote

CURSOR = "stripe_events_cursor"
HANDLED = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "checkout.session.completed",
    "checkout.session.expired",
    "checkout.session.async_payment_succeeded",
    "refund.created",
    "refund.updated",
}


def _current(gateway: StripeClient, obj: dict[str, Any]) -> dict[str, Any]:
    kind = obj.get("object")
    if kind == "payment_intent":
        return gateway.intent(obj["id"])
    if kind == "checkout.session":
        return gateway.checkout(obj["id"])
    return obj


def _payment_id(obj: dict[str, Any]) -> int | None:
    meta = obj.get("metadata") or {}
    raw = meta.get("refund_id") if obj.get("object") == "refund" else meta.get("payment_id")
    return int(raw) if raw and str(raw).isdigit() else None


def seen(db: Database, event_id: str) -> bool:
    with db.read() as tx:
        return tx.get(StripeEvent, event_id) is not None


def process_event(db: Database, gateway: StripeClient, event: dict[str, Any]) -> bool:
    """Apply one event unless it was applied before; returns whether it was new."""
    if seen(db, event["id"]):
        return False
    obj = event["data"]["object"]
    handled = event["type"] in HANDLED
    payment_id = _payment_id(obj) if handled else None
    link_id = (
        invoice_links.link_id_of(obj)
        if handled and obj.get("object") == "checkout.session"
        else None
    )
    mine = payment_id is not None or link_id is not None
    current = _current(gateway, obj) if mine else obj
    with db.write() as tx:
        try:
            with tx.begin_nested():
                tx.add(
                    StripeEvent(
                        id=event["id"],
                        type=event["type"],
                        created=datetime.fromtimestamp(event["created"], UTC),
                        processed_at=now(),
                    )
                )
        except IntegrityError:
            return False  # another process applied it a moment ago
        payment = tx.get(Payment, payment_id) if payment_id is not None else None
        if payment is not None:
            apply_remote(tx, payment, current)
        link = tx.get(InvoiceLink, link_id) if link_id is not None else None
        if link is not None:
            invoice_links.apply_remote(tx, link, current)
        _save_cursor(tx, event["id"])
    return True


def _save_cursor(tx: Any, event_id: str) -> None:
    state = tx.get(PaymentState, CURSOR)
    if state is None:
        tx.add(PaymentState(key=CURSOR, value=event_id))
    else:
        state.value = event_id


def cursor(db: Database) -> str | None:
    with db.read() as tx:
        state = tx.get(PaymentState, CURSOR)
        return state.value if state else None


def poll_events(db: Database, gateway: StripeClient) -> int:
    """Fetch events after the stored cursor and apply the new ones; returns how many."""
    events = gateway.events_after(cursor(db))
    applied = sum(process_event(db, gateway, e) for e in events)
    if events:
        with db.write() as tx:
            _save_cursor(tx, events[-1]["id"])
    return applied


def handle_webhook(db: Database, gateway: StripeClient, payload: bytes, signature: str) -> bool:
    """For a webhook receiver: verify ``Stripe-Signature``, then apply like a polled event."""
    secret = gateway.config.webhook_secret
    if not secret:
        raise ConfigError("STRIPE_WEBHOOK_SECRET is not set, so webhooks cannot be verified.")
    return process_event(db, gateway, verify_webhook(payload, signature, secret))
