"""A desk (or server) process for the crash tests: does one step of a payment and dies with
SIGKILL at the named point, or answers and exits normally for ``link``.

Run as ``python -m tests.payments_crash_worker POINT ARG STRIPE_URL`` with the test's
DATABASE_URL and data key in the environment. ``ARG`` is a session id for ``after_hold``
and ``after_booking`` (the booking's reference is printed before dying), otherwise a
booking reference. Points:

- ``after_hold``: a seat hold is made;
- ``after_booking``: a desk booking is made waiting for payment (card chosen);
- ``after_card_created``: the card PaymentIntent exists at Stripe, not yet saved;
- ``after_link_created``: the Checkout Session exists at Stripe, not yet saved;
- ``inside_confirm``: a paid link is being applied, inside the confirming transaction;
- ``link``: ask for the payment link and print it (a second process asking).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any

from core.booking import bookings
from core.infra.db import open_database
from core.models.statuses import BookingStatus
from core.payments import links, settle, terminal
from core.payments.gateway import StripeClient, StripeConfig
from core.payments.jobs import run_payments_once
from core.seats import holds
from tests.factories import person
from tests.payments_support import DESK


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _after(fn: Any) -> Any:
    """``fn``, then death before its answer can be used."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        fn(*args, **kwargs)
        _die()

    return wrapped


def main() -> None:
    point, arg, url = sys.argv[1:4]
    db = open_database()
    gateway = StripeClient(StripeConfig("sk_test_worker", None, url, timeout_s=5.0))
    if point == "after_hold":
        with db.write() as tx:
            holds.create_hold(tx, int(arg), 2, DESK, db.settings.hold_minutes)
        _die()
    elif point == "after_booking":
        with db.write() as tx:
            booking = bookings.book_now(
                tx, int(arg), [person(1)], DESK, status=BookingStatus.PENDING_PAYMENT
            )
            reference = booking.reference
        print(json.dumps({"reference": reference}), flush=True)
        _die()
    elif point == "after_card_created":
        gateway.create_card_intent = _after(gateway.create_card_intent)  # type: ignore[method-assign]
        terminal.start(db, gateway, arg, "tmr_desk_1", DESK)
    elif point == "after_link_created":
        gateway.create_checkout = _after(gateway.create_checkout)  # type: ignore[method-assign]
        links.create_link(db, gateway, arg, DESK)
    elif point == "inside_confirm":
        settle.booking_emails.send_confirmation = _after(  # type: ignore[method-assign]
            settle.booking_emails.send_confirmation
        )
        run_payments_once(db, gateway)
    elif point == "link":
        print(json.dumps(links.create_link(db, gateway, arg, DESK)), flush=True)
        return
    print("not killed", flush=True)


if __name__ == "__main__":
    main()
