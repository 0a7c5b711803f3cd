"""The background loop that expires waiting-list offers and offers seats freed meanwhile."""

from __future__ import annotations

import logging
import threading

from core.infra.db import Database
from core.waitlist.offers import sweep

log = logging.getLogger(__name__)


def run_waitlist_forever(db: Database, stop_event: threading.Event, *, interval_s: float) -> None:
    """Run ``offers.sweep`` every ``interval_s`` until stopped; a failed round is retried."""
    while not stop_event.is_set():
        try:
            with db.write() as tx:
                made = sweep(tx)
            if made:
                log.info("made %d waiting-list offer(s)", made)
        except Exception:
            log.exception("waiting-list sweep failed")
        stop_event.wait(interval_s)
