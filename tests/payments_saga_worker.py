"""A desk process for the saga test: starts a card payment, then dies with SIGKILL at the
exact moment Stripe has said "paid" and the booking is not yet confirmed.

Run as ``python -m tests.payments_saga_worker REFERENCE READER STRIPE_URL`` with the test's
DATABASE_URL and data key in the environment. Prints the started payment as JSON, waits for
a line on stdin (the card has been presented), then asks for the status and is killed.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any

from core.infra.db import open_database
from core.payments import settle, terminal
from core.payments.gateway import StripeClient, StripeConfig
from tests.payments_support import DESK


def _die(*_args: Any, **_kwargs: Any) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    reference, reader, url = sys.argv[1:4]
    db = open_database()
    gateway = StripeClient(StripeConfig("sk_test_worker", None, url, timeout_s=5.0))
    started = terminal.start(db, gateway, reference, reader, DESK)
    print(json.dumps(started), flush=True)
    sys.stdin.readline()
    settle.charge_succeeded = _die  # type: ignore[assignment]
    terminal.status(db, gateway, started["payment_id"])
    print("not killed", flush=True)


if __name__ == "__main__":
    main()
