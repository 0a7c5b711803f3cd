"""Flexible waiting-list entries ("any session of this course at these venues before DATE")
and automatic enrolment paid by link, on real SQLite, with the Stripe test double."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from core.api import Call, dispatch
from core.booking import bookings
from core.booking.waitlist.enrol import book_agreed
from core.booking.waitlist.offers import sweep
from core.demo.stripe_double import StripeDouble
from core.infra.clock import today_london
from core.infra.db import Database
from core.infra.errors import DomainError, SessionNotBookable, ValidationFailed
from core.journal import audit
from core.models import Booking, OutboxMessage, WaitlistEntry
from core.payments.jobs import run_payments_once
from core.scheduling.cancel import cancel_session
from tests.factories import make_session
from tests.test_waitlist_cli import as_json, rft
from tests.waitlist_support import DESK, full_session, offer_mails, statuses

JO = {"name": "Jo Marsh", "email": "jo@acme.example"}
PEOPLE = [
    {"name": "Sam Patel", "email": "sam@acme.example", "date_of_birth": "1990-02-03"},
    {"name": "Alex Nowak", "email": "alex@acme.example", "date_of_birth": "1985-11-30"},
]


def call(db: Database, name: str, params: dict[str, Any]) -> Any:
    return dispatch(Call(db, DESK), name, params)


def cancel(db: Database, reference: str) -> None:
    with db.write() as tx:
        bookings.cancel(tx, reference, DESK, "plans changed")


def entry_count(db: Database) -> int:
    with db.read() as tx:
        return int(tx.scalar(select(func.count()).select_from(WaitlistEntry)) or 0)


def in_days(n: int) -> str:
    return (today_london() + timedelta(days=n)).isoformat()


def test_freed_seats_on_any_matching_session_go_to_the_first_entry_that_fits(
    sqlite_db: Database,
) -> None:
    leeds, _ = full_session(sqlite_db, [2, 2], venue="leeds", days_ahead=10)
    york, york_refs = full_session(sqlite_db, [2, 2], venue="york", days_ahead=12)
    hull, hull_refs = full_session(sqlite_db, [2], venue="hull", days_ahead=12)
    late, late_refs = full_session(sqlite_db, [2], venue="york", days_ahead=30)
    four = call(
        sqlite_db,
        "waitlist.add",
        {
            "session_id": leeds,
            "seats": 4,
            "contact": {"name": "Big Group", "email": "big@acme.example"},
            "before": in_days(20),
            "venues": ["leeds", "york"],
        },
    )
    two = call(
        sqlite_db,
        "waitlist.add",
        {
            "session_id": leeds,
            "seats": 2,
            "contact": JO,
            "before": in_days(20),
            "venues": ["leeds", "york"],
        },
    )
    assert four["flexible"] == {"venues": ["leeds", "york"], "before": in_days(20)}
    cancel(sqlite_db, hull_refs[0])  # not one of their venues
    cancel(sqlite_db, late_refs[0])  # after the before date
    assert statuses(sqlite_db, leeds) == {four["id"]: ("waiting", 1), two["id"]: ("waiting", 2)}
    cancel(sqlite_db, york_refs[0])  # two seats in York: the 4 keep their place, the 2 fit
    assert statuses(sqlite_db, leeds) == {four["id"]: ("waiting", 1), two["id"]: ("offered", None)}
    (listed,) = [
        e for e in call(sqlite_db, "waitlist.list", {"session_id": leeds}) if e["id"] == two["id"]
    ]
    assert listed["offered_session_id"] == york
    assert offer_mails(sqlite_db) == ["Jo Marsh <jo@acme.example>"]
    cancel(sqlite_db, york_refs[1])
    with sqlite_db.write() as tx:
        sweep(tx)
    assert statuses(sqlite_db, leeds)[four["id"]] == ("waiting", 1)  # 2 free of the 4
    call(sqlite_db, "waitlist.decline", {"id": two["id"]})  # York's other 2 come back
    assert statuses(sqlite_db, leeds)[four["id"]] == ("offered", None)
    assert hull and late


def test_bad_flexible_or_automatic_entries_are_refused_and_change_nothing(
    sqlite_db: Database,
) -> None:
    leeds, _ = full_session(sqlite_db, [2], venue="leeds", days_ahead=10)
    base: dict[str, object] = {"session_id": leeds, "seats": 2, "contact": JO}
    refused: list[tuple[dict[str, object], str]] = [
        ({"before": in_days(-1)}, "not in the future"),
        ({"before": today_london().isoformat()}, "not in the future"),
        ({"before": in_days(5)}, "not before"),
        ({"before": in_days(20), "venues": ["atlantis"]}, "no venue 'atlantis'"),
        ({"venues": ["york"]}, "give the before date"),
    ]
    for extra, why in refused:
        with pytest.raises(ValidationFailed, match=why):
            call(sqlite_db, "waitlist.add", base | extra)
    for seats in (0, 13, 2.5, -1):
        with pytest.raises((DomainError, ValidationError)):
            call(sqlite_db, "waitlist.add", base | {"seats": seats})
    assert entry_count(sqlite_db) == 0


def test_a_flexible_entry_is_refused_while_a_matching_session_has_the_seats(
    sqlite_db: Database,
) -> None:
    leeds, _ = full_session(sqlite_db, [2], venue="leeds", days_ahead=10)
    york = make_session(sqlite_db, venue="york", days_ahead=12)
    params = {"session_id": leeds, "seats": 2, "contact": JO, "before": in_days(20)}
    with pytest.raises(ValidationFailed, match=f"Session {york} .* book it"):
        call(sqlite_db, "waitlist.add", params | {"venues": ["leeds", "york"]})
    assert entry_count(sqlite_db) == 0
    assert call(sqlite_db, "waitlist.add", params)["position"] == 1  # Leeds only: waits


@pytest.fixture
def stripe_db(sqlite_db: Database, double: StripeDouble) -> Database:
    sqlite_db.settings = sqlite_db.settings.with_overrides(
        stripe_secret_key="sk_test_waitlist", stripe_api_base=double.url
    )
    return sqlite_db


def test_an_agreed_entry_is_booked_unpaid_with_a_payment_link_emailed(
    stripe_db: Database, double: StripeDouble
) -> None:
    db = stripe_db
    sid, refs = full_session(db, [2])
    auto = {"agreed_to_pay_by_link": True, "attendees": PEOPLE}
    for wrong, why in (
        ({"attendees": PEOPLE[:1]}, "give 2 attendees, not 1"),
        ({"attendees": [PEOPLE[0], PEOPLE[0]]}, "given twice"),
        ({"attendees": [PEOPLE[0] | {"date_of_birth": "2020-01-01"}, PEOPLE[1]]}, "aged"),
    ):
        with pytest.raises(ValidationFailed, match=why):
            call(
                db,
                "waitlist.add",
                {"session_id": sid, "seats": 2, "contact": JO, "auto_enrol": auto | wrong},
            )
    with pytest.raises(ValidationFailed, match="agreed_to_pay_by_link"):
        call(
            db,
            "waitlist.add",
            {
                "session_id": sid,
                "seats": 2,
                "contact": JO,
                "auto_enrol": auto | {"agreed_to_pay_by_link": False},
            },
        )
    assert entry_count(db) == 0
    entry = call(
        db, "waitlist.add", {"session_id": sid, "seats": 2, "contact": JO, "auto_enrol": auto}
    )
    assert entry["auto_enrol"] is True and entry["status"] == "waiting"
    cancel(db, refs[0])
    assert offer_mails(db) == []  # held for them, not offered
    with db.write() as tx:
        assert book_agreed(tx) == 1
    (listed,) = call(db, "waitlist.list", {"session_id": sid})
    assert listed["status"] == "accepted" and listed["booking"]
    booking = call(db, "bookings.get", {"reference": listed["booking"]})
    assert booking["status"] == "PENDING_PAYMENT"
    assert [a["email"] for a in booking["attendees"]] == [p["email"] for p in PEOPLE]
    assert booking["customer"]["email"] == JO["email"]
    result = run_payments_once(db)
    assert result.counts["waitlist_links"] == 1, result.errors
    with db.read() as tx:
        mails = tx.scalars(select(OutboxMessage).where(OutboxMessage.template == "payment_link"))
        assert [m.recipient for m in mails] == [JO["email"]]
        actions = [a.action for a in audit.entries(tx)]
        booked = tx.scalar(select(Booking).where(Booking.reference == listed["booking"]))
    assert "waitlist.auto_enrol_agreed" in actions and "waitlist.auto_enrol" in actions
    assert booked is not None and booked.seats == 2
    assert run_payments_once(db).counts["waitlist_links"] == 0  # one link, once


def test_no_payment_link_is_sent_for_a_session_cancelled_after_the_automatic_booking(
    stripe_db: Database, double: StripeDouble
) -> None:
    db = stripe_db
    sid, refs = full_session(db, [2])
    auto = {"agreed_to_pay_by_link": True, "attendees": PEOPLE}
    call(db, "waitlist.add", {"session_id": sid, "seats": 2, "contact": JO, "auto_enrol": auto})
    cancel(db, refs[0])
    with db.write() as tx:
        assert book_agreed(tx) == 1
    (listed,) = call(db, "waitlist.list", {"session_id": sid})
    with db.write() as tx:
        cancel_session(tx, DESK, sid, "Venue flooded")
    result = run_payments_once(db)
    assert result.counts["waitlist_links"] == 0, result.errors
    with pytest.raises(SessionNotBookable, match="cancelled"):
        call(db, "payments.link", {"reference": listed["booking"]})
    with db.read() as tx:
        links = tx.scalars(select(OutboxMessage).where(OutboxMessage.template == "payment_link"))
        assert list(links) == []  # nobody is asked to pay for a course that will not run
    assert double.of_type("checkout.session") == []


def test_automatic_enrolment_needs_payment_links(sqlite_db: Database) -> None:
    sid, _ = full_session(sqlite_db, [2])
    with pytest.raises(ValidationFailed, match="not set up"):
        call(
            sqlite_db,
            "waitlist.add",
            {
                "session_id": sid,
                "seats": 2,
                "contact": JO,
                "auto_enrol": {"agreed_to_pay_by_link": True, "attendees": PEOPLE},
            },
        )
    assert entry_count(sqlite_db) == 0


def test_rft_waitlist_add_takes_a_before_date_and_venues_and_refuses_bad_ones(
    sqlite_db: Database,
) -> None:
    sid, _ = full_session(sqlite_db, [2], venue="leeds", days_ahead=10)
    join = ("waitlist", "add", str(sid), "--seats", "2", "--contact", "Jo Marsh <jo@acme.example>")
    for extra, why in (
        (("--before", in_days(-3)), "not in the future"),
        (("--venue", "york"), "give the before date"),
        (("--seats", "13"), "1 to 12"),
        (("--auto-enrol", "--attendee", "Sam Patel <sam@acme.example> 1990-02-03"), "not set up"),
        (("--attendee", "Sam Patel <sam@acme.example> 1990-02-03"), "--auto-enrol"),
    ):
        out = rft(sqlite_db, *join, *extra)
        assert out.returncode != 0 and why in out.stderr, (extra, out.stderr)
    assert entry_count(sqlite_db) == 0
    made = as_json(
        rft(
            sqlite_db,
            *join,
            "--before",
            in_days(20),
            "--venue",
            "leeds",
            "--venue",
            "york",
            "--json",
        )
    )
    assert made["position"] == 1
    (listed,) = as_json(rft(sqlite_db, "waitlist", "list", str(sid), "--json"))
    assert listed["flexible"] == {"venues": ["leeds", "york"], "before": in_days(20)}


def test_an_agreed_entry_stored_before_a_rule_tightened_is_offered_instead_and_stops_nobody(
    stripe_db: Database, double: StripeDouble
) -> None:
    """Special requirements with a control character were accepted once; an entry stored
    then cannot be booked as it is, so it is offered by email like any other entry, and
    the entries after it are still booked."""
    db = stripe_db
    old_sid, old_refs = full_session(db, [2], days_ahead=10)
    sid, refs = full_session(db, [2], days_ahead=11)
    auto = {"agreed_to_pay_by_link": True, "attendees": PEOPLE}
    old = call(
        db, "waitlist.add", {"session_id": old_sid, "seats": 2, "contact": JO, "auto_enrol": auto}
    )
    call(db, "waitlist.add", {"session_id": sid, "seats": 2, "contact": JO, "auto_enrol": auto})
    stored_then = [PEOPLE[0] | {"special_requirements": "ramp\x07"}, PEOPLE[1]]
    with db.write() as tx:
        entry = tx.get_one(WaitlistEntry, old["id"])
        entry.attendees = json.dumps(stored_then)
    cancel(db, old_refs[0])
    cancel(db, refs[0])
    with db.write() as tx:
        assert book_agreed(tx) == 1
    (offered,) = call(db, "waitlist.list", {"session_id": old_sid})
    (booked,) = call(db, "waitlist.list", {"session_id": sid})
    assert offered["status"] == "offered" and not offered["booking"]
    assert booked["status"] == "accepted" and booked["booking"]
    assert offer_mails(db) == ["Jo Marsh <jo@acme.example>"]
