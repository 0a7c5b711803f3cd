"""The payments background pass: finish sagas, apply Stripe events, expire payment links.

``run_payments_once`` is ``rft payments poll`` and what the desktop runs on a timer on the
embedded database; ``run_payments_forever`` is the loop for a thread in ``rft server``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from core.clock import now
from core.db import Database
from core.payments.events import poll_events
from core.payments.gateway import PaymentRejected, PaymentUnavailable, StripeClient, gateway_for
from core.payments.links import expire_due_links, release_abandoned
from core.payments.reconcile import recover

log = logging.getLogger(__name__)


@dataclass
class PaymentsPass:
    events: int
    checked: int
    refunds_sent: int
    links_expired: int
    abandoned: int


def run_payments_once(
    db: Database, gateway: StripeClient | None = None, *, at: datetime | None = None
) -> PaymentsPass:
    gateway = gateway or gateway_for(db.settings)
    at = at or now()
    events = poll_events(db, gateway)
    report = recover(db, gateway, at=at)
    expired = expire_due_links(db, gateway, at=at)
    abandoned = release_abandoned(db, at=at)
    return PaymentsPass(events, report.checked, report.refunds_sent, expired, abandoned)


def run_payments_forever(
    db: Database,
    stop_event: threading.Event,
    *,
    gateway: StripeClient | None = None,
    interval_s: float = 10.0,
) -> None:
    """Run a pass every ``interval_s`` until ``stop_event`` is set; errors are logged."""
    gateway = gateway or gateway_for(db.settings)
    while not stop_event.is_set():
        try:
            run_payments_once(db, gateway)
        except (PaymentUnavailable, PaymentRejected) as exc:
            log.warning("payments pass: %s", exc.message)
        except Exception:
            log.exception("payments pass failed; trying again in %.0f s", interval_s)
        stop_event.wait(interval_s)
