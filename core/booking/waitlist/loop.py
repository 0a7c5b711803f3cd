"""The background loop that expires waiting-list offers, offers seats freed meanwhile and
books the entries that agreed to be enrolled automatically."""

from __future__ import annotations

import logging
import threading

from core.booking.waitlist.enrol import book_agreed
from core.booking.waitlist.offers import sweep
from core.infra.db import Database

log = logging.getLogger(__name__)


def run_waitlist_forever(db: Database, stop_event: threading.Event, *, interval_s: float) -> None:
    """Run ``offers.sweep`` and ``enrol.book_agreed`` every ``interval_s`` until stopped; a
    failed round is retried."""
    while not stop_event.is_set():
        try:
            with db.write() as tx:
                made = sweep(tx)
                booked = book_agreed(tx)
            if made or booked:
                log.info("made %d waiting-list offer(s), %d automatic booking(s)", made, booked)
        except Exception:
            log.exception("waiting-list sweep failed")
        stop_event.wait(interval_s)
