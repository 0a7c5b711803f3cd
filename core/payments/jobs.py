"""The payments background pass: Stripe events, recovery, refunds, link expiry, deadlines.

Each step runs on its own: one that fails (Stripe refusing the events cursor, a restricted
key, a bug) is logged and recorded by name, and the others still run. The last outcome of
every step is kept in ``payment_state`` so ``/api/health`` and ``rft payments check`` can
say which step is failing, from any process.

``run_payments_once`` is ``rft payments poll`` and what the desktop runs on a timer on the
embedded database; ``run_payments_forever`` is the loop for a thread in ``rft server``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.infra.clock import now
from core.infra.db import Database
from core.infra.errors import DomainError
from core.models import PaymentState
from core.payments.deadline import release_overdue
from core.payments.events import poll_events
from core.payments.gateway import PaymentUnavailable, StripeClient, gateway_for
from core.payments.invoice_links import expire_due
from core.payments.links import expire_due_links
from core.payments.reconcile import check_open_attempts
from core.payments.refunds import send_pending_refunds
from core.payments.waitlist_links import send_links

log = logging.getLogger(__name__)
STEP_PREFIX = "step:"
Step = Callable[[Database, StripeClient, datetime], int]


def _recovery(db: Database, gateway: StripeClient, at: datetime) -> int:
    report = check_open_attempts(db, gateway, at=at)
    if report.unreachable:
        raise PaymentUnavailable(
            f"{report.unreachable} open payment(s) could not be checked at Stripe: "
            f"{report.last_error}"
        )
    return report.checked


STEPS: dict[str, Step] = {
    "events": lambda db, gateway, at: poll_events(db, gateway),
    "recovery": _recovery,
    "refunds": lambda db, gateway, at: send_pending_refunds(db, gateway),
    "links": lambda db, gateway, at: expire_due_links(db, gateway, at=at),
    "deadlines": lambda db, gateway, at: release_overdue(db, gateway, at=at),
    "invoice_links": lambda db, gateway, at: expire_due(db, gateway, at=at),
    "waitlist_links": lambda db, gateway, at: send_links(db, gateway),
}


@dataclass
class PaymentsPass:
    """How many things each step handled, and the error of each step that failed."""

    counts: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def run_payments_once(
    db: Database, gateway: StripeClient | None = None, *, at: datetime | None = None
) -> PaymentsPass:
    """Run every step once, each whatever happened to the others."""
    gateway = gateway or gateway_for(db.settings)
    at = at or now()
    result = PaymentsPass()
    for name, step in STEPS.items():
        try:
            result.counts[name] = step(db, gateway, at)
        except DomainError as exc:
            log.warning("payments step %s failed: %s", name, exc.message)
            result.errors[name] = exc.message
        except Exception as exc:
            log.exception("payments step %s failed", name)
            result.errors[name] = f"{type(exc).__name__}: {exc}"[:500]
        _record(db, name, result.errors.get(name))
    return result


def _record(db: Database, name: str, error: str | None) -> None:
    value = json.dumps({"ok": error is None, "error": error, "at": now().isoformat()})
    try:
        with db.write() as tx:
            state = tx.get(PaymentState, STEP_PREFIX + name)
            if state is None:
                tx.add(PaymentState(key=STEP_PREFIX + name, value=value))
            else:
                state.value = value
    except Exception:
        log.exception("could not record the outcome of payments step %s", name)


def step_states(db: Database) -> dict[str, dict[str, Any]]:
    """The last outcome of each step that has run: ``{name: {ok, error, at}}``."""
    with db.read() as tx:
        rows = tx.scalars(
            select(PaymentState).where(PaymentState.key.startswith(STEP_PREFIX))
        ).all()
        found = {r.key.removeprefix(STEP_PREFIX): json.loads(r.value) for r in rows}
    return {name: found[name] for name in STEPS if name in found}


def failing_steps(db: Database) -> dict[str, str]:
    """``{step: error}`` for every step whose last run failed."""
    return {
        name: str(state.get("error"))
        for name, state in step_states(db).items()
        if not state.get("ok")
    }


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
        except Exception:
            log.exception("payments pass failed; trying again in %.0f s", interval_s)
        stop_event.wait(interval_s)
