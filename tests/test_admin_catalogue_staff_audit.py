"""Catalogue edits reach the change feed and leave sold bookings alone; staff accounts; the
audit log records every administrative action and exports to CSV; each API role is checked."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pyotp
import pytest

from core.api import Call, dispatch
from core.booking import bookings
from core.catalogue import admin as catalogue_admin
from core.catalogue.admin import CourseEdit, VenueEdit
from core.infra.actor import Actor
from core.infra.clock import today_london
from core.infra.db import Database
from core.infra.errors import Conflict, Forbidden, ValidationFailed
from core.journal import changes
from core.seats.availability import get_session
from core.staff import accounts as staff
from core.staff import auth
from tests.admin_factories import ADMIN, add_trainer, at, weekday_ahead
from tests.factories import make_session, person

PASSWORD = "correct horse battery"


def _call(db: Database, role: str) -> Call:
    return Call(db=db, actor=Actor(label=f"A {role}", role=role, channel="desk"))


def test_a_price_change_applies_to_new_bookings_only_and_is_seen_live(any_db: Database) -> None:
    sid = make_session(any_db, course="efaw")
    with any_db.write() as tx:
        old = bookings.book_now(tx, sid, [person(1)], ADMIN).reference
        seq = changes.last_seq(tx)
    with any_db.write() as tx:
        catalogue_admin.update_course(tx, ADMIN, "efaw", CourseEdit(price_pence=8900))
    with any_db.write() as tx:
        new = bookings.book_now(tx, sid, [person(2)], ADMIN)
        new_price = new.unit_price_pence
        old_price = bookings.find(tx, old).unit_price_pence
        feed = [(c.kind, c.entity_id, c.payload.get("price_pence")) for c in changes.since(tx, seq)]
    assert (old_price, new_price) == (7500, 8900)
    assert ("course", "efaw", 8900) in feed
    assert ("session", str(sid), 8900) in feed


def test_a_room_with_sessions_to_come_cannot_be_removed(sqlite_db: Database) -> None:
    make_session(sqlite_db, venue="leeds")
    with (
        pytest.raises(ValidationFailed, match="Aire Room has sessions still to come"),
        sqlite_db.write() as tx,
    ):
        catalogue_admin.update_venue(tx, ADMIN, "leeds", VenueEdit(rooms=["Calder Room"]))
    with sqlite_db.write() as tx:
        venue = catalogue_admin.update_venue(
            tx, ADMIN, "leeds", VenueEdit(rooms=["Aire Room", "Calder Room", "Wharfe Room"])
        )
        assert venue.rooms == ["Aire Room", "Calder Room", "Wharfe Room"]


def test_course_hours_outside_two_to_eight_are_refused_by_the_api(sqlite_db: Database) -> None:
    with pytest.raises(ValidationFailed, match="2 to 8 hours"):
        dispatch(
            _call(sqlite_db, "admin"),
            "catalogue.update_course",
            {"id": "faw", "changes": {"day_hours": [6, 6, 1.5]}},
        )


def test_an_admin_added_with_a_second_factor_must_use_it(sqlite_db: Database) -> None:
    with sqlite_db.write() as tx:
        added = staff.add_staff(tx, ADMIN, "boss@rft.test", "Big Boss", "admin", PASSWORD)
        assert added.otpauth_uri and added.otpauth_uri.startswith("otpauth://totp/")
        reception = staff.add_staff(
            tx, ADMIN, "desk@rft.test", "Desk Person", "reception", PASSWORD
        )
        assert reception.otpauth_uri is None
    secret = pyotp.parse_uri(added.otpauth_uri).secret
    with pytest.raises(auth.MfaRequired), sqlite_db.write() as tx:
        auth.login(tx, sqlite_db.settings, "boss@rft.test", PASSWORD)
    with sqlite_db.write() as tx:
        tokens = auth.login(
            tx, sqlite_db.settings, "boss@rft.test", PASSWORD, pyotp.TOTP(secret).now()
        )
        assert tokens


def test_disable_and_password_reset_end_sign_ins_and_are_audited(sqlite_db: Database) -> None:
    call = _call(sqlite_db, "admin")
    dispatch(
        call,
        "staff.add",
        {
            "email": "desk@rft.test",
            "name": "Desk Person",
            "role": "reception",
            "password": PASSWORD,
        },
    )
    dispatch(call, "staff.reset_password", {"email": "desk@rft.test", "password": "new pass 12345"})
    with sqlite_db.write() as tx:
        auth.login(tx, sqlite_db.settings, "desk@rft.test", "new pass 12345")
    dispatch(call, "staff.disable", {"email": "desk@rft.test"})
    with pytest.raises(auth.Unauthenticated), sqlite_db.write() as tx:
        auth.login(tx, sqlite_db.settings, "desk@rft.test", "new pass 12345")
    logged = dispatch(call, "audit.list", {"entity": "user"})
    assert [e["action"] for e in logged] == ["staff.disable", "staff.password_reset", "staff.add"]
    assert logged[0]["before"]["active"] is True and logged[0]["after"]["active"] is False
    assert all("password" not in str(e["after"]) for e in logged)


def test_the_last_admin_cannot_be_disabled(sqlite_db: Database) -> None:
    with sqlite_db.write() as tx:
        staff.add_staff(tx, ADMIN, "only@rft.test", "Only Admin", "admin", PASSWORD)
    with pytest.raises(ValidationFailed, match="last active admin"), sqlite_db.write() as tx:
        staff.disable_staff(tx, ADMIN, "only@rft.test")


def test_audit_log_filters_and_exports_csv(sqlite_db: Database) -> None:
    call = _call(sqlite_db, "admin")
    dispatch(call, "catalogue.update_course", {"id": "efaw", "changes": {"price_pence": 8000}})
    dispatch(call, "catalogue.update_venue", {"id": "york", "changes": {"name": "York Centre"}})
    only_venues = dispatch(call, "audit.list", {"action": "catalogue.venue"})
    assert [(e["entity_id"], e["before"]["name"], e["after"]["name"]) for e in only_venues] == [
        ("york", "York", "York Centre")
    ]
    exported = dispatch(call, "audit.export_csv", {"actor": "a admin"})
    rows = list(csv.DictReader(io.StringIO(exported["csv"])))
    assert exported["rows"] == 2
    assert [r["action"] for r in rows] == ["catalogue.venue", "catalogue.course"]
    assert rows[1]["actor"] == "A admin" and '"price_pence": 8000' in rows[1]["after"]


@pytest.mark.parametrize(
    ("role", "name", "params"),
    [
        ("manager", "catalogue.update_course", {"id": "efaw", "changes": {"price_pence": 1}}),
        (
            "manager",
            "staff.add",
            {"email": "x@rft.test", "name": "X Y", "role": "admin", "password": PASSWORD},
        ),
        ("manager", "audit.list", {}),
        ("reception", "schedule.cancel", {"id": 1, "reason": "no"}),
        ("reception", "trainers.list", {}),
        ("trainer", "schedule.create", {"course": "efaw", "venue": "leeds"}),
    ],
)
def test_each_role_is_checked(sqlite_db: Database, role: str, name: str, params: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(Forbidden):
        dispatch(_call(sqlite_db, role), name, params)


def test_a_manager_schedules_and_cancels_over_the_api(sqlite_db: Database) -> None:
    add_trainer(sqlite_db)
    call = _call(sqlite_db, "manager")
    day = weekday_ahead(10)
    made = dispatch(
        call,
        "schedule.create",
        {
            "course": "efaw",
            "venue": "bradford",
            "start": at(day, 9).isoformat(),
            "trainers": ["tina@rft.test"],
            "capacity": 10,
        },
    )
    assert (made["venue"], made["trainer_email"], made["capacity"]) == (
        "bradford",
        "tina@rft.test",
        10,
    )
    checked = dispatch(
        call,
        "schedule.check",
        {"course": "efaw", "venue": "bradford", "start": at(day, 9).isoformat()},
    )
    assert [f["rule"] for f in checked["failures"]] == ["room_free"]
    done = dispatch(
        call,
        "schedule.cancel",
        {"id": made["id"], "reason": "Low numbers", "version": made["version"]},
    )
    assert (done["status"], done["cancel_reason"]) == ("CANCELLED", "Low numbers")
    with sqlite_db.read() as tx:
        assert get_session(tx, made["id"]).status == "CANCELLED"


def test_a_trainer_whose_qualification_expires_within_60_days_is_flagged(
    sqlite_db: Database,
) -> None:
    add_trainer(
        sqlite_db, "soon@rft.test", "Sam Soon", qualified_until=today_london() + timedelta(days=59)
    )
    add_trainer(
        sqlite_db,
        "later@rft.test",
        "Lee Later",
        qualified_until=today_london() + timedelta(days=61),
    )
    call = _call(sqlite_db, "manager")
    dispatch(
        call,
        "trainers.add_unavailable",
        {
            "email": "later@rft.test",
            "first": str(today_london() + timedelta(days=3)),
            "last": str(today_london() + timedelta(days=4)),
            "reason": "Leave",
        },
    )
    listed = {t["email"]: t for t in dispatch(call, "trainers.list", {})}
    assert listed["soon@rft.test"]["flagged"] is True
    assert "(59 days)" in listed["soon@rft.test"]["warnings"][0]
    assert listed["later@rft.test"]["flagged"] is False
    assert [d["reason"] for d in listed["later@rft.test"]["unavailable"]] == ["Leave", "Leave"]


def test_repeat_and_edit_over_the_api_with_a_stale_version_refused(sqlite_db: Database) -> None:
    add_trainer(sqlite_db)
    call = _call(sqlite_db, "admin")
    day = weekday_ahead(10, weekday=1)
    made = dispatch(
        call,
        "schedule.repeat",
        {
            "course": "efaw",
            "venue": "york",
            "start": at(day, 9).isoformat(),
            "trainers": ["tina@rft.test"],
            "every_weeks": 1,
            "count": 4,
        },
    )
    assert len(made) == 4 and len({s["start"][:10] for s in made}) == 4
    first = made[0]
    moved = dispatch(
        call,
        "schedule.edit",
        {
            "id": first["id"],
            "version": first["version"],
            "changes": {"room": "Foss Room", "capacity": 8},
        },
    )
    assert (moved["room"], moved["capacity"], moved["version"]) == ("Foss Room", 8, 2)
    with pytest.raises(Conflict, match="changed by someone else"):
        dispatch(
            call,
            "schedule.edit",
            {"id": first["id"], "version": first["version"], "changes": {"capacity": 6}},
        )
    logged = dispatch(call, "audit.list", {"entity_id": str(first["id"])})
    assert [e["action"] for e in logged][:1] == ["session.edit"]
    assert logged[0]["before"]["room"] == "Ouse Room" and logged[0]["after"]["room"] == "Foss Room"
