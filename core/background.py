"""The loops a running installation needs besides answering requests: email delivery,
Stripe event ingestion and certificate renewal reminders. Both the sync server and the
desktop on the embedded database run them; which ones run follows the settings.

Email and payments are optional per installation: when a service is not configured its loop
does not run (messages wait safely in the outbox) and ``problems`` says so by name; a setting
that is present but wrong is a ``ConfigError`` at start-up, never at the first payment.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from core.booking.waitlist.loop import run_waitlist_forever
from core.certificates.compliance import send_organisation_reminders
from core.certificates.mail import send_due_reminders
from core.infra.config import Settings
from core.infra.db import Database
from core.infra.errors import ConfigError
from core.notify.sender import check_smtp, run_sender_forever
from core.payments.gateway import check_stripe
from core.payments.jobs import run_payments_forever

log = logging.getLogger(__name__)
Loop = Callable[..., None]  # (db, stop_event, *, interval_s) -> None


REMINDER_INTERVAL_S = 3600.0


def run_reminders_forever(db: Database, stop_event: threading.Event, *, interval_s: float) -> None:
    """Queue due certificate renewal reminders, to holders and to their employers (each is
    sent once), every hour or so."""
    while not stop_event.is_set():
        try:
            with db.write() as tx:
                queued = send_due_reminders(tx) + send_organisation_reminders(tx)
            if queued:
                log.info("queued %d renewal reminder(s)", queued)
        except Exception:
            log.exception("queuing renewal reminders failed")
        stop_event.wait(max(interval_s, REMINDER_INTERVAL_S))


@dataclass
class Plan:
    """Which loops to run, and what is not configured (one message per service)."""

    loops: dict[str, Loop] = field(default_factory=dict)
    not_configured: list[str] = field(default_factory=list)


def plan(settings: Settings) -> Plan:
    """Decide the loops from the settings; raises ConfigError for a present-but-wrong value."""
    result = Plan(loops={"reminders": run_reminders_forever, "waitlist": run_waitlist_forever})
    if settings.smtp_host:
        check_smtp(settings)
        result.loops["email"] = run_sender_forever
    else:
        result.not_configured.append(
            "SMTP_HOST is not set: emails wait in the outbox until it is (rft outbox flush)."
        )
    if settings.stripe_secret_key or settings.stripe_api_base:
        check_stripe(settings)
        result.loops["payments"] = run_payments_forever
    else:
        result.not_configured.append(
            "STRIPE_SECRET_KEY is not set: card payments and payment links are unavailable."
        )
    return result


class Workers:
    """Runs the planned loops on daemon threads until ``stop``."""

    def __init__(self, db: Database, loops: dict[str, Loop]) -> None:
        self._db = db
        self._loops = loops
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def running(self) -> list[str]:
        return [t.name.removeprefix("rft-") for t in self._threads if t.is_alive()]

    def state(self, name: str) -> str:
        """``operational``, ``stopped`` (planned but not running) or ``not_configured``."""
        if name in self.running:
            return "operational"
        return "stopped" if name in self._loops else "not_configured"

    def start(self) -> None:
        for name, loop in self._loops.items():
            thread = threading.Thread(
                target=self._guard, args=(name, loop), name=f"rft-{name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _guard(self, name: str, loop: Loop) -> None:
        try:
            loop(self._db, self._stop, interval_s=self._db.settings.worker_interval_s)
        except ConfigError as exc:
            log.error("%s loop stopped: %s", name, exc.message)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
