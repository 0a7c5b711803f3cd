"""The trainer's register on real databases: who sees what, marks applied once, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.api import Call, dispatch
from core.infra.actor import Actor
from core.infra.db import Database
from core.infra.errors import Forbidden, ValidationFailed
from core.models.attendance import AttendanceMark, AttendanceOp
from tests.attendance_helpers import booked_session, op, runs_today, stamp, trainer

OFFICE = Actor("Helen Manager", "manager")


def mark(db: Database, who: Actor, *ops: dict) -> dict:
    return dispatch(Call(db, who), "attendance.mark", {"ops": list(ops)})


def statuses(result: dict) -> list[str]:
    return [r["status"] for r in result["results"]]


def counts(db: Database) -> tuple[int, int]:
    with db.read() as tx:
        return (
            tx.scalar(select(func.count()).select_from(AttendanceOp)) or 0,
            tx.scalar(select(func.count()).select_from(AttendanceMark)) or 0,
        )


def test_trainer_sees_todays_session_first_then_upcoming_then_recent(sqlite_db: Database) -> None:
    sarah, dev = trainer(sqlite_db), trainer(sqlite_db, "Dev Mistry")
    past, _ = booked_session(sqlite_db, sarah, days_ahead=-6)
    today, _ = booked_session(sqlite_db, sarah, days_ahead=0)
    runs_today(sqlite_db, today)
    soon, _ = booked_session(sqlite_db, sarah, days_ahead=5)
    booked_session(sqlite_db, dev, days_ahead=0)
    booked_session(sqlite_db, sarah, days_ahead=-40)
    seen = dispatch(Call(sqlite_db, sarah), "attendance.my_sessions", {})
    ids = [s["id"] for s in seen]
    whens = [s["when"] for s in seen]
    assert ids[-1] == past and soon in ids and today in ids
    assert (whens[0], ids[0]) == ("today", today)
    assert whens == sorted(whens, key=["today", "upcoming", "recent"].index)


def test_roster_shows_only_what_the_register_needs(any_db: Database) -> None:
    sarah = trainer(any_db)
    sid, (first, _) = booked_session(
        any_db,
        sarah,
        course="activity",
        special_requirements="Wheelchair user",
        emergency_phone="07700 900123",
        phone="07700 900999",
    )
    roster = dispatch(Call(any_db, sarah), "attendance.roster", {"session_id": sid})
    attendee = roster["attendees"][0]
    assert attendee["id"] == first and attendee["name"] == "Test Person1"
    assert attendee["special_requirements"] == "Wheelchair user"
    assert attendee["emergency_phone"] == "07700 900123"
    text = repr(roster)
    for private in ("person1@example.com", "07700 900999", "pence", "RFT-", "payment"):
        assert private not in text
    efaw, _ = booked_session(any_db, sarah, emergency_phone="07700 900123")
    plain = dispatch(Call(any_db, sarah), "attendance.roster", {"session_id": efaw})
    assert "emergency_phone" not in plain["attendees"][0]


def test_another_trainers_session_and_reception_are_refused(sqlite_db: Database) -> None:
    sarah, dev = trainer(sqlite_db), trainer(sqlite_db, "Dev Mistry")
    sid, (first, _) = booked_session(sqlite_db, sarah)
    with pytest.raises(Forbidden, match="not one of your sessions"):
        dispatch(Call(sqlite_db, dev), "attendance.roster", {"session_id": sid})
    with pytest.raises(Forbidden):
        dispatch(
            Call(sqlite_db, Actor("Front Desk", "reception")),
            "attendance.roster",
            {"session_id": sid},
        )
    result = mark(sqlite_db, dev, op(first))
    assert statuses(result) == ["rejected"]
    assert "not one of your sessions" in result["results"][0]["reason"]
    assert counts(sqlite_db) == (0, 0)


def test_a_resent_batch_is_applied_once(any_db: Database) -> None:
    sarah = trainer(any_db)
    sid, (first, second) = booked_session(any_db, sarah)
    batch = [op(first), op(second, value="late", time="09:20"), op(first, "note", "Asthma")]
    assert statuses(mark(any_db, sarah, *batch)) == ["applied"] * 3
    assert statuses(mark(any_db, sarah, *batch)) == ["duplicate"] * 3
    assert counts(any_db) == (3, 3)
    roster = dispatch(Call(any_db, sarah), "attendance.roster", {"session_id": sid})
    cells = {(m["attendee_id"], m["field"]): (m["value"], m["time"]) for m in roster["marks"]}
    assert cells == {
        (first, "attendance"): ("present", None),
        (first, "note"): ("Asthma", None),
        (second, "attendance"): ("late", "09:20"),
    }


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"attendee_id": 999_999}, "not on the roster"),
        ({"hlc": "half past nine"}, "not a hybrid logical clock"),
        ({"hlc": "9999999999999-0000"}, "in the future"),
        ({"value": "late"}, "needs a time"),
        ({"value": "asleep"}, "attendance must be one of"),
        ({"field": "payment"}, "unknown field"),
        ({"day_index": 4}, "has no day 5"),
        ({"session_id": 999}, "not on the roster of session 999"),
    ],
)
def test_bad_marks_are_rejected_and_change_nothing(
    sqlite_db: Database, change: dict, reason: str
) -> None:
    sarah = trainer(sqlite_db)
    _, (first, _) = booked_session(sqlite_db, sarah)
    result = mark(sqlite_db, sarah, op(first) | change)
    assert statuses(result) == ["rejected"] and reason in result["results"][0]["reason"]
    assert counts(sqlite_db) == (0, 0)


def test_reusing_an_op_id_for_a_different_mark_is_refused(sqlite_db: Database) -> None:
    sarah = trainer(sqlite_db)
    _, (first, _) = booked_session(sqlite_db, sarah)
    first_op = op(first)
    mark(sqlite_db, sarah, first_op)
    result = mark(sqlite_db, sarah, first_op | {"value": "absent"})
    assert statuses(result) == ["rejected"] and "already used" in result["results"][0]["reason"]
    assert counts(sqlite_db) == (1, 1)


def test_a_malformed_batch_is_refused_whole(sqlite_db: Database) -> None:
    sarah = trainer(sqlite_db)
    with pytest.raises(ValidationFailed):
        mark(sqlite_db, sarah, {"op_id": "x"})
    with pytest.raises(ValidationFailed):
        dispatch(Call(sqlite_db, sarah), "attendance.mark", {"ops": []})


def test_a_later_mark_from_another_device_wins_and_the_override_is_shown(
    any_db: Database,
) -> None:
    sarah = trainer(any_db)
    sid, (first, _) = booked_session(any_db, sarah)
    late = op(first, "attendance", "absent", device="laptop-2", at=stamp(1))
    early = op(first, "attendance", "present", device="tablet-1", at=stamp(3))
    result = mark(any_db, OFFICE, late, early)  # the later mark arrives first
    assert [r.get("current") for r in result["results"]] == [True, False]
    roster = dispatch(Call(any_db, sarah), "attendance.roster", {"session_id": sid})
    (cell,) = roster["marks"]
    assert (cell["value"], cell["device_id"], cell["recorded_by"]) == (
        "absent",
        "laptop-2",
        "Helen Manager",
    )
    assert [(o["value"], o["device_id"]) for o in cell["overridden"]] == [("present", "tablet-1")]
    assert roster["hlc"] >= late["hlc"]


def test_cancelled_bookings_are_not_on_the_roster(sqlite_db: Database) -> None:
    from core.booking import bookings
    from core.models import Attendee

    sarah = trainer(sqlite_db)
    sid, (first, _) = booked_session(sqlite_db, sarah, days_ahead=10)
    with sqlite_db.write() as tx:
        ref = tx.get_one(Attendee, first).booking.reference
        bookings.cancel(tx, ref, OFFICE)
    roster = dispatch(Call(sqlite_db, sarah), "attendance.roster", {"session_id": sid})
    assert roster["attendees"] == []
    assert statuses(mark(sqlite_db, sarah, op(first))) == ["rejected"]
