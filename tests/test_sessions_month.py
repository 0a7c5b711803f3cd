"""``sessions.month`` answers exactly as recorded: the desk's calendar and outside scripts
read its JSON, so a faster month view must not change a byte of it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from core.api import Call, dispatch
from core.booking import bookings
from core.infra.actor import Actor
from core.infra.db import Database
from core.scheduling.cancel import cancel_session
from core.seats import holds
from tests.factories import make_session, person

RECORDED = Path(__file__).with_name("recorded") / "sessions_month_2031_03.jsonl"
DESK = Actor("Front Desk", "reception", "desk", None)
ASKED: list[dict[str, Any]] = [
    {"year": 2031, "month": 3},
    {"year": 2031, "month": 3, "course": "efaw"},
    {"year": 2031, "month": 3, "venue": "leeds"},
    {"year": 2031, "month": 3, "search": "york"},
    {"year": 2031, "month": 2},
]


def fill_march_2031(db: Database) -> None:
    """Two sessions on one day, booked and held seats, a full one after the clocks go
    forward, a cancelled one, and neighbours in February and April."""
    shared_day = make_session(db, "efaw", "leeds", first_day=date(2031, 3, 3))
    make_session(db, "faw", "york", first_day=date(2031, 3, 3))
    cancelled = make_session(db, "faw", "leeds", first_day=date(2031, 3, 17))
    full = make_session(db, "efaw", "leeds", capacity=2, first_day=date(2031, 3, 31))
    make_session(db, "efaw", "york", first_day=date(2031, 2, 28))
    make_session(db, "efaw", "york", first_day=date(2031, 4, 1))
    with db.write() as tx:
        bookings.book_now(tx, shared_day, [person(1), person(2)], DESK)
        holds.create_hold(tx, shared_day, 1, DESK)
        bookings.book_now(tx, full, [person(3), person(4)], DESK)
        cancel_session(tx, DESK, cancelled, "trainer unwell")


def answers(db: Database) -> list[str]:
    return [json.dumps(dispatch(Call(db, DESK), "sessions.month", asked)) for asked in ASKED]


def test_the_month_view_answers_byte_for_byte_as_recorded(any_db: Database) -> None:
    fill_march_2031(any_db)
    assert answers(any_db) == RECORDED.read_text().splitlines()
