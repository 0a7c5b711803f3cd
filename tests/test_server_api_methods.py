"""The service API methods the server exposes, called in-process as the local desktop does."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.api import Call, dispatch
from core.infra.actor import Actor
from core.infra.clock import today_london
from core.infra.db import Database
from core.infra.errors import NotFound, ValidationFailed
from tests.factories import make_session, person

DESK = Actor("Front Desk", "reception", "desk", None)
WEB = Actor("website (shop)", None, "website")


def run(db: Database, actor: Actor, method: str, **params: Any) -> Any:
    return dispatch(Call(db, actor), method, params)


def test_payment_method_decides_whether_the_booking_waits_for_money(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db)
    outcomes = {}
    for payment in ("cash", "pay_later", "invoice", "link", "card"):
        hold = run(sqlite_db, DESK, "holds.create", session_id=sid, seats=1)
        booking = run(
            sqlite_db,
            DESK,
            "bookings.create",
            hold_id=hold["id"],
            hold_token=hold["hold_token"],
            attendees=[person(1)],
            payment=payment,
        )
        outcomes[payment] = (booking["status"], booking["payment"])
    assert outcomes == {
        "cash": ("CONFIRMED", "cash"),
        "pay_later": ("CONFIRMED", "pay_later"),
        "invoice": ("CONFIRMED", "invoice"),
        "link": ("PENDING_PAYMENT", "link"),
        "card": ("PENDING_PAYMENT", "card"),
    }


def test_an_employer_can_pay_for_its_staff(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db)
    hold = run(sqlite_db, DESK, "holds.create", session_id=sid, seats=2)
    booking = run(
        sqlite_db,
        DESK,
        "bookings.create",
        hold_id=hold["id"],
        hold_token=hold["hold_token"],
        attendees=[person(1), person(2)],
        customer={"name": "Acme Ltd", "email": "accounts@acme.example", "phone": "0113 496 0000"},
    )
    assert booking["customer"] == {
        "name": "Acme Ltd",
        "email": "accounts@acme.example",
        "phone": "0113 496 0000",
    }
    found = run(sqlite_db, DESK, "bookings.search", text="accounts@acme.example")
    assert [b["reference"] for b in found] == [booking["reference"]]
    assert (
        run(sqlite_db, DESK, "bookings.get", reference=booking["reference"].lower())["seats"] == 2
    )


def test_holds_grow_shrink_and_release(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, capacity=5)
    hold = run(sqlite_db, DESK, "holds.create", session_id=sid, seats=2)
    grown = run(
        sqlite_db, DESK, "holds.extend", hold_id=hold["id"], hold_token=hold["hold_token"], seats=4
    )
    assert grown["seats"] == 4 and grown["expires_at"] >= hold["expires_at"]
    assert run(sqlite_db, DESK, "sessions.get", id=sid)["free"] == 1
    run(sqlite_db, DESK, "holds.release", hold_id=hold["id"], hold_token=hold["hold_token"])
    assert run(sqlite_db, DESK, "sessions.get", id=sid)["free"] == 5


def test_the_website_cannot_touch_a_desk_hold(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db)
    hold = run(sqlite_db, DESK, "holds.create", session_id=sid, seats=1)
    calls: tuple[tuple[str, dict[str, Any]], ...] = (("holds.extend", {}), ("holds.release", {}))
    for method, extra in calls:
        with pytest.raises(NotFound):
            run(sqlite_db, WEB, method, hold_id=hold["id"], hold_token="guess", **extra)
    with pytest.raises(NotFound):
        run(
            sqlite_db,
            WEB,
            "bookings.create",
            hold_id=hold["id"],
            hold_token="x",
            attendees=[person(1)],
        )


def test_transfer_moves_the_booking_and_both_sessions_seats(sqlite_db: Database) -> None:
    first = make_session(sqlite_db, days_ahead=10)
    second = make_session(sqlite_db, days_ahead=20)
    hold = run(sqlite_db, DESK, "holds.create", session_id=first, seats=2)
    booking = run(
        sqlite_db,
        DESK,
        "bookings.create",
        hold_id=hold["id"],
        hold_token=hold["hold_token"],
        attendees=[person(1), person(2)],
    )
    moved = run(
        sqlite_db, DESK, "bookings.transfer", reference=booking["reference"], to_session_id=second
    )
    assert moved["session"]["id"] == second
    assert run(sqlite_db, DESK, "sessions.get", id=first)["booked"] == 0
    assert run(sqlite_db, DESK, "sessions.get", id=second)["booked"] == 2
    cancelled = run(
        sqlite_db, DESK, "bookings.cancel", reference=booking["reference"], reason="ill"
    )
    assert cancelled["status"] == "CANCELLED"


def test_listing_filters_and_the_month_calendar(sqlite_db: Database) -> None:
    day = today_london() + timedelta(days=30)
    leeds = make_session(sqlite_db, venue="leeds", first_day=day)
    make_session(sqlite_db, venue="york", first_day=day)
    listed = run(sqlite_db, DESK, "sessions.list", venue="leeds", date_from=day.isoformat())
    assert [s["id"] for s in listed] == [leeds]
    with pytest.raises(ValidationFailed):
        run(sqlite_db, DESK, "sessions.list", venue="atlantis")
    month = run(sqlite_db, DESK, "sessions.month", year=day.year, month=day.month, venue="leeds")
    entries = [s for sessions in month["days"].values() for s in sessions]
    assert [s["id"] for s in entries] == [leeds]
    assert {"free", "held", "booked", "capacity", "status"} <= set(entries[0])


def test_changes_since_pages_through_the_feed(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db)
    for _ in range(5):
        run(sqlite_db, DESK, "holds.create", session_id=sid, seats=1)
    seen, after = [], 0
    while True:
        page = run(sqlite_db, DESK, "changes.since", after_seq=after, limit=2)
        seen += [c["seq"] for c in page["changes"]]
        after = page["last_seq"]
        if not page["more"]:
            break
    assert len(seen) == 5 and seen == sorted(seen)
    assert run(sqlite_db, DESK, "changes.since", after_seq=after)["changes"] == []
