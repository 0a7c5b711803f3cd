"""The website's month reads are worked out once per change and shared by its visitors
(``server.public_answers``): a visitor never reads seats older than a change it was pushed,
a hold that runs out gives its seats back to the next read, and staff answers (which name
trainers) and the website's never mix."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.db import Database
from core.seats import availability, holds
from server import public_answers
from tests.factories import make_session, person
from tests.server_support import Peer, add_staff, peer, running_server


async def seats_free(visitor: Peer, sid: int) -> tuple[int, int]:
    """``sid``'s free seats as the booking page's list and the month view show them."""
    listed = await visitor.call("sessions.list", {"date_from": "2000-01-01"})
    start = datetime.fromisoformat(listed[0]["start"])
    month = await visitor.call("sessions.month", {"year": start.year, "month": start.month})
    in_month = [s for day in month["days"].values() for s in day if s["id"] == sid]
    return next(s["free"] for s in listed if s["id"] == sid), in_month[0]["free"]


def test_a_visitors_read_after_a_desk_booking_shows_the_seats_it_took(
    sqlite_db: Database,
) -> None:
    sid = make_session(sqlite_db, capacity=10)
    desk_email = add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        async with (
            running_server(sqlite_db) as server,
            peer(server.url) as desk,
            peer(server.url.replace("/ws", "/public")) as visitor,
            peer(server.url.replace("/ws", "/public")) as neighbour,
        ):
            await desk.login(desk_email)
            head = await visitor.call("changes.head")
            await visitor.call("changes.subscribe", {"after_seq": head["head"]})
            assert await seats_free(visitor, sid) == (10, 10)
            assert await seats_free(neighbour, sid) == (10, 10)  # the same answer, shared
            hold = await desk.call("holds.create", {"session_id": sid, "seats": 3})
            owner = {"hold_id": hold["id"], "hold_token": hold["hold_token"]}
            await desk.call(
                "bookings.create",
                {**owner, "attendees": [person(1), person(2), person(3)], "payment": "cash"},
            )
            await visitor.push_until(lambda c: c["id"] == str(sid) and c["data"]["booked"] == 3)
            assert await seats_free(visitor, sid) == (7, 7)
            assert await seats_free(neighbour, sid) == (7, 7)

    asyncio.run(scenario())


def test_a_hold_that_runs_out_frees_its_seats_for_the_next_read(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the sweeper releases it (and the feed says so), time alone frees the seats."""
    sid = make_session(sqlite_db, capacity=10)
    later = timedelta(0)

    def clock() -> datetime:
        return now() + later

    monkeypatch.setattr(availability, "now", clock)
    monkeypatch.setattr(public_answers, "now", clock)

    async def scenario() -> None:
        nonlocal later
        async with (
            running_server(sqlite_db, sweep_interval=3600) as server,
            peer(server.url.replace("/ws", "/public")) as visitor,
        ):
            hold = await visitor.call("holds.create", {"session_id": sid, "seats": 2})
            assert await seats_free(visitor, sid) == (8, 8)
            assert await seats_free(visitor, sid) == (8, 8)
            later = datetime.fromisoformat(hold["expires_at"]) - now() + timedelta(seconds=1)
            assert await seats_free(visitor, sid) == (10, 10)

    asyncio.run(scenario())


def test_staff_and_the_website_never_get_each_others_answers(sqlite_db: Database) -> None:
    trainer = add_staff(sqlite_db, "trainer")
    make_session(sqlite_db, trainer_email=trainer)
    desk_email = add_staff(sqlite_db, "reception")

    def names_trainer(sessions: list[dict[str, Any]]) -> bool:
        return any(s.get("trainer") == "Trainer Person" for s in sessions)

    async def scenario() -> None:
        async with (
            running_server(sqlite_db) as server,
            peer(server.url) as desk,
            peer(server.url.replace("/ws", "/public")) as visitor,
        ):
            await desk.login(desk_email)
            week = {"date_from": "2000-01-01"}
            assert names_trainer(await desk.call("sessions.list", week))
            assert not names_trainer(await visitor.call("sessions.list", week))
            assert names_trainer(await desk.call("sessions.list", week))
            assert not names_trainer(await visitor.call("sessions.list", week))

    asyncio.run(scenario())


def _ids(push: dict[str, Any]) -> list[str]:
    return [c["id"] for c in push["params"]["changes"]]


def test_a_change_after_a_quiet_spell_is_pushed_at_once(sqlite_db: Database) -> None:
    """One change at a time is pushed as soon as it commits, however long the feed's gap:
    the gap is for bursts only."""
    sessions = [make_session(sqlite_db, days_ahead=d) for d in (10, 11, 12)]
    desk_email = add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        async with (
            running_server(sqlite_db, feed_gap=60.0) as server,
            peer(server.url) as desk,
            peer(server.url.replace("/ws", "/public")) as visitor,
        ):
            await desk.login(desk_email)
            await visitor.call("changes.subscribe", {"after_seq": 0})
            for sid in sessions:
                await desk.call("holds.create", {"session_id": sid, "seats": 1})
                assert _ids(await visitor.next_push()) == [str(sid)]

    asyncio.run(scenario())


def test_commits_that_overtake_a_read_of_the_feed_are_pushed_together(
    sqlite_db: Database,
) -> None:
    """When a commit lands while the feed is being read, the feed waits out its gap and
    pushes everything committed meanwhile as one frame, not one frame per commit to every
    visitor."""
    first, overtaking, later = (make_session(sqlite_db, days_ahead=d) for d in (10, 11, 12))
    desk_email = add_staff(sqlite_db, "reception")

    def hold(sid: int) -> None:
        with sqlite_db.write() as tx:
            holds.create_hold(tx, sid, 1, Actor(label="Another desk", role="reception"))

    def overtake(page: list[dict[str, Any]]) -> None:
        if any(c["id"] == str(first) for c in page):
            hold(overtaking)

    async def scenario() -> None:
        async with (
            running_server(sqlite_db, feed_gap=5.0) as server,
            peer(server.url) as desk,
            peer(server.url.replace("/ws", "/public")) as visitor,
        ):
            server.feed.follow(overtake)
            await desk.login(desk_email)
            await visitor.call("changes.subscribe", {"after_seq": 0})
            await desk.call("holds.create", {"session_id": first, "seats": 1})
            assert _ids(await visitor.next_push()) == [str(first)]
            await desk.call("holds.create", {"session_id": later, "seats": 1})
            assert _ids(await visitor.next_push()) == [str(overtaking), str(later)]

    asyncio.run(scenario())
