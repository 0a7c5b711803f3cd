"""A person's data can be exported and erased; the accounts keep their numbers."""

from __future__ import annotations

import pytest

from core.booking import bookings
from core.customers import privacy
from core.infra.actor import CLI, Actor
from core.infra.db import Database
from core.infra.errors import NotFound
from tests.factories import make_session, person


def test_export_then_erase_keeps_money_and_references(any_db: Database) -> None:
    sid = make_session(any_db)
    desk = Actor("desk", "reception")
    with any_db.write() as tx:
        mine = bookings.book_now(tx, sid, [person(1, special_requirements="Asthma")], desk)
        other = bookings.book_now(tx, sid, [person(2)], desk)
        ref, total, other_ref = mine.reference, mine.total_pence, other.reference
    with any_db.read() as tx:
        exported = privacy.export_person(tx, "person1@example.com")
    assert [b["reference"] for b in exported["bookings"]] == [ref]
    assert exported["bookings"][0]["attendee_records"][0]["special_requirements"] == "Asthma"
    with any_db.write() as tx:
        assert privacy.erase_person(tx, "person1@example.com", CLI) == 2
    with any_db.read() as tx:
        kept = bookings.find(tx, ref)
        assert (kept.total_pence, kept.customer_name, kept.attendees[0].name) == (
            total,
            privacy.ERASED,
            privacy.ERASED,
        )
        assert kept.attendees[0].special_requirements is None
        assert bookings.find(tx, other_ref).attendees[0].name == "Test Person2"
        with pytest.raises(NotFound):
            privacy.export_person(tx, "person1@example.com")


def test_export_includes_the_training_record(any_db: Database) -> None:
    from core.api import Call, dispatch
    from tests.attendance_helpers import booked_session, full_marks, trainer

    sarah = trainer(any_db)
    _sid, (passed, _other) = booked_session(any_db, sarah, course="efaw", days_ahead=-3)
    dispatch(Call(any_db, sarah), "attendance.mark", {"ops": full_marks(passed)})
    with any_db.read() as tx:
        exported = privacy.export_person(tx, "person1@example.com")
    training = exported["training"]
    assert {(r["attendee_id"], r["day"], r["field"]) for r in training["register"]} == {
        (passed, 1, "attendance"),
        (passed, 1, "outcome"),
    }
    [certificate] = training["certificates"]
    assert certificate["course"] == "Emergency First Aid at Work"
    with any_db.read() as tx:
        other = privacy.export_person(tx, "person2@example.com")["training"]
    assert other["certificates"] == [] and other["register"] == []
