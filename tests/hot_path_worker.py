"""A second process for the hot-path tests, on the test's DATABASE_URL and data key.

- ``python -m tests.hot_path_worker holds SESSION_ID COUNT``: hold and release a seat
  ``COUNT`` times, each its own transaction (two changes each), then exit.
- ``python -m tests.hot_path_worker book SESSION_ID``: book one person, print the reference
  and die with SIGKILL straight after the commit.
"""

from __future__ import annotations

import os
import signal
import sys

from core.booking import bookings
from core.infra.actor import Actor
from core.infra.db import open_database
from core.seats import holds
from tests.factories import person

DESK = Actor("Worker Desk", "reception")


def main(command: str, session_id: int, count: int = 1) -> None:
    db = open_database()
    if command == "holds":
        for _ in range(count):
            with db.write() as tx:
                hold = holds.create_hold(tx, session_id, 1, DESK)
            with db.write() as tx:
                holds.release_hold(tx, hold.id)
        return
    with db.write() as tx:
        reference = bookings.book_now(tx, session_id, [person(7, name="Killed Worker")], DESK)
        reference_text = reference.reference
    print(reference_text, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), *(int(a) for a in sys.argv[3:]))
