"""Found by an outside tester: ``holds.extend`` pushed a hold's end out again on every call,
so a visitor could keep seats for ever. Extending now stops an hour after the hold was made
(``MAX_HOLD_LIFE``); a hold made to last longer keeps its own end and never gets a shorter one."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from core.api import Call, dispatch
from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.db import Database
from core.infra.errors import ValidationFailed
from core.seats import holds
from tests.factories import make_session
from tests.recording import FrozenClock

DESK = Actor("Front Desk", "reception", "desk", None)


def run(db: Database, method: str, **params: Any) -> Any:
    return dispatch(Call(db, DESK), method, params)


def ends(hold: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(hold["expires_at"])


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch, now().replace(microsecond=0))


def test_a_hold_kept_alive_every_ten_minutes_still_ends_an_hour_after_it_was_made(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    sid = make_session(sqlite_db, capacity=6)
    made = clock.at
    hold = run(sqlite_db, "holds.create", session_id=sid, seats=2)
    owner = {"hold_id": hold["id"], "hold_token": hold["hold_token"]}
    for minutes in (10, 20, 30, 40):
        clock.at = made + timedelta(minutes=minutes)
        assert ends(run(sqlite_db, "holds.extend", **owner)) == clock.at + timedelta(minutes=15)
    clock.at = made + timedelta(minutes=50)
    assert ends(run(sqlite_db, "holds.extend", **owner)) == made + timedelta(minutes=60)

    clock.at = made + timedelta(minutes=55)
    with pytest.raises(ValidationFailed, match="held past .*at most 60 minutes"):
        run(sqlite_db, "holds.extend", **owner)
    assert ends(run(sqlite_db, "holds.get", **owner)) == made + timedelta(minutes=60)
    resized = run(sqlite_db, "holds.extend", **owner, seats=3)  # an attendee added late
    assert (resized["seats"], ends(resized)) == (3, made + timedelta(minutes=60))
    assert run(sqlite_db, "sessions.get", id=sid)["free"] == 3

    clock.at = made + timedelta(minutes=60)
    assert run(sqlite_db, "sessions.get", id=sid)["free"] == 6


def test_a_waiting_list_offers_day_long_hold_is_neither_shortened_nor_prolonged(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    sid = make_session(sqlite_db, capacity=6, days_ahead=20)
    offer_ends = clock.at + timedelta(hours=24)
    with sqlite_db.write() as tx:
        offer = holds.create_hold(tx, sid, 2, DESK, until=offer_ends)
    owner = {"hold_id": offer.id, "hold_token": offer.token}
    assert ends(run(sqlite_db, "holds.extend", **owner)) == offer_ends
    clock.at = offer_ends - timedelta(minutes=5)
    with pytest.raises(ValidationFailed, match="cannot be held past"):
        run(sqlite_db, "holds.extend", **owner)
    assert ends(run(sqlite_db, "holds.get", **owner)) == offer_ends
