"""A waiting list that understands groups: freed seats go to the first entry that fits,
as a hold that blocks everyone else, with an email; declines and expiries move on."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from core.booking import bookings
from core.booking.waitlist import entries, offers
from core.customers import privacy
from core.infra.db import Database
from core.infra.errors import NotEnoughSeats, NotFound, SessionNotBookable, ValidationFailed
from core.models import CourseSession, OutboxMessage, WaitlistEntry
from core.seats import holds
from core.seats.availability import get_session
from tests.factories import make_session, person
from tests.waitlist_support import (
    DESK,
    full_session,
    join,
    lapse_offers,
    offer_mails,
    statuses,
)


def test_two_freed_seats_skip_a_group_of_four_and_go_to_the_next_pair(any_db: Database) -> None:
    sid, refs = full_session(any_db, [2, 4])
    four = join(any_db, sid, 4, "fourco")
    two = join(any_db, sid, 2, "pair")
    assert statuses(any_db, sid) == {four: ("waiting", 1), two: ("waiting", 2)}
    with any_db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)
    assert statuses(any_db, sid) == {four: ("waiting", 1), two: ("offered", None)}
    assert offer_mails(any_db) == ["Pair <pair@example.com>"]
    with pytest.raises(NotEnoughSeats), any_db.write() as tx:
        holds.create_hold(tx, sid, 1, DESK)


def test_an_accepted_offer_is_booked_with_its_hold(any_db: Database) -> None:
    sid, refs = full_session(any_db, [1, 3])
    entry = join(any_db, sid, 1, "solo")
    with any_db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)
    with any_db.write() as tx:
        accepted = entries.accept(tx, entry, DESK)
    assert accepted.status == "accepted" and accepted.hold_id
    with any_db.write() as tx:
        booking = bookings.confirm_hold(tx, accepted.hold_id, [person(50)], DESK)
        assert booking.session.booked == 4
    with pytest.raises(ValidationFailed, match="accepted"), any_db.write() as tx:
        entries.decline(tx, entry, DESK)


def test_an_offer_booked_through_its_link_cannot_then_be_declined(any_db: Database) -> None:
    """Found by an outside tester: booked from the email before the waiting-list loop had
    looked, the entry still read ``offered`` and the desk could mark it declined."""
    sid, refs = full_session(any_db, [1, 3])
    entry = join(any_db, sid, 1, "solo")
    with any_db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)
    [hold_id] = [e.hold_id for e in statuses_views(any_db, sid) if e.id == entry]
    with any_db.write() as tx:  # as bookings.create does with the emailed hold
        bookings.confirm_hold(tx, hold_id, [person(50)], DESK)
    with pytest.raises(ValidationFailed, match="already accepted"), any_db.write() as tx:
        entries.decline(tx, entry, DESK)
    with any_db.write() as tx:  # the waiting-list loop's next look records it
        offers.sweep(tx)
    assert statuses(any_db, sid)[entry] == ("accepted", None)


def statuses_views(db: Database, sid: int) -> list[entries.EntryView]:
    with db.read() as tx:
        return entries.list_entries(tx, sid)


def test_an_accepted_offer_never_booked_expires_and_its_seats_move_on(any_db: Database) -> None:
    """Found by an outside tester: accepted at the desk but never booked, the entry stayed
    ``accepted`` (counted as converted) after its hold ran out and its seats went on."""
    sid, refs = full_session(any_db, [1, 3])
    entry, later = join(any_db, sid, 1, "solo"), join(any_db, sid, 1, "later")
    with any_db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)
    with any_db.write() as tx:
        entries.accept(tx, entry, DESK)
    lapse_offers(any_db)
    with any_db.write() as tx:
        offers.sweep(tx)
    assert statuses(any_db, sid) == {entry: ("expired", None), later: ("offered", None)}


def test_a_declined_offer_moves_to_the_next_entry_that_fits(any_db: Database) -> None:
    sid, refs = full_session(any_db, [2, 2])
    first, second = join(any_db, sid, 2, "first"), join(any_db, sid, 1, "second")
    with any_db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)
    assert statuses(any_db, sid)[first][0] == "offered"
    assert statuses(any_db, sid)[second][0] == "waiting"
    with any_db.write() as tx:
        entries.decline(tx, first, DESK)
    assert statuses(any_db, sid) == {first: ("declined", None), second: ("offered", None)}
    with any_db.read() as tx:
        assert get_session(tx, sid).free == 1


def test_an_expired_offer_goes_to_the_next_in_line(any_db: Database) -> None:
    sid, refs = full_session(any_db, [2, 2])
    first, second = join(any_db, sid, 2, "first"), join(any_db, sid, 2, "second")
    with any_db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)
    lapse_offers(any_db)
    with any_db.write() as tx:
        assert offers.sweep(tx) == 1
    assert statuses(any_db, sid) == {first: ("expired", None), second: ("offered", None)}
    assert offer_mails(any_db) == ["First <first@example.com>", "Second <second@example.com>"]


def test_raised_capacity_and_a_released_hold_are_offered_by_the_sweep(any_db: Database) -> None:
    sid, _ = full_session(any_db, [3])
    entry = join(any_db, sid, 2, "waiting")
    with any_db.write() as tx:
        tx.execute(update(CourseSession).where(CourseSession.id == sid).values(capacity=5))
    with any_db.write() as tx:
        assert offers.sweep(tx) == 1
    assert statuses(any_db, sid)[entry][0] == "offered"
    with any_db.write() as tx:
        assert offers.sweep(tx) == 0


def test_an_offer_expires_no_later_than_half_way_to_the_start(sqlite_db: Database) -> None:
    sid, refs = full_session(sqlite_db, [1], days_ahead=1)
    entry = join(sqlite_db, sid, 1, "late")
    with sqlite_db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)
    with sqlite_db.read() as tx:
        row = tx.get_one(WaitlistEntry, entry)
        session = tx.get_one(CourseSession, sid)
        assert row.offer_expires is not None and row.offered_at is not None
        assert row.offer_expires <= row.offered_at + (session.start_at - row.offered_at) / 2


def test_joining_while_the_seats_are_free_is_refused(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, capacity=4)
    with pytest.raises(ValidationFailed, match="book them now"), sqlite_db.write() as tx:
        entries.add(tx, sid, 2, entries.Contact("Jo", "jo@example.com"), DESK)
    with sqlite_db.read() as tx:
        assert entries.list_entries(tx, sid) == []


@pytest.mark.parametrize("seats", [0, -1, 13, 100])
def test_seats_out_of_range_are_refused(sqlite_db: Database, seats: int) -> None:
    sid, _ = full_session(sqlite_db, [2])
    with pytest.raises(ValidationFailed, match="1 to 12"), sqlite_db.write() as tx:
        entries.add(tx, sid, seats, entries.Contact("Jo", "jo@example.com"), DESK)
    assert statuses(sqlite_db, sid) == {}


def test_a_cancelled_or_unknown_session_cannot_be_waited_for(sqlite_db: Database) -> None:
    sid, _ = full_session(sqlite_db, [2])
    with sqlite_db.write() as tx:
        tx.execute(update(CourseSession).where(CourseSession.id == sid).values(status="CANCELLED"))
    with pytest.raises(SessionNotBookable, match="cancelled"), sqlite_db.write() as tx:
        entries.add(tx, sid, 1, entries.Contact("Jo", "jo@example.com"), DESK)
    with pytest.raises(NotFound), sqlite_db.write() as tx:
        entries.add(tx, 999_999, 1, entries.Contact("Jo", "jo@example.com"), DESK)
    with sqlite_db.read() as tx:
        assert tx.scalars(select(WaitlistEntry)).all() == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "jo@example.com",
        "Jo <not-an-email>",
        "<jo@example.com>",
        "Jo jo@example.com",
        "Jo <jo@example.com>, Al <al@example.com>",
    ],
)
def test_a_contact_must_be_name_and_email(text: str) -> None:
    with pytest.raises(ValidationFailed, match="Name <email>"):
        entries.Contact.parse(text)


def test_a_persons_export_shows_their_waits_and_erasure_takes_them_off(
    sqlite_db: Database,
) -> None:
    sid, refs = full_session(sqlite_db, [1, 1])
    with sqlite_db.write() as tx:  # the same person booked elsewhere and waiting here
        bookings.book_now(tx, make_session(sqlite_db), [person(1, email="pair@example.com")], DESK)
    entry = join(sqlite_db, sid, 1, "pair")
    later = join(sqlite_db, sid, 1, "other")
    with sqlite_db.read() as tx:
        exported = privacy.export_person(tx, "pair@example.com")["waiting_lists"]
    assert [(e["id"], e["contact"]["email"]) for e in exported] == [(entry, "pair@example.com")]
    with sqlite_db.write() as tx:
        privacy.erase_person(tx, "pair@example.com", DESK)
    with sqlite_db.read() as tx:
        rows = {e.id: e for e in entries.list_entries(tx, sid)}
    assert rows[entry].status == "declined" and rows[entry].contact_email == "(erased)"
    assert rows[later].position == 1
    with sqlite_db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)
    assert statuses(sqlite_db, sid)[later] == ("offered", None)


def test_the_emailed_offer_can_be_booked_on_the_public_page(sqlite_db: Database) -> None:
    from core.api import Call, dispatch
    from core.infra.actor import Actor

    sid, refs = full_session(sqlite_db, [2, 2])
    entry = join(sqlite_db, sid, 2, "pair")
    with sqlite_db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)
    with sqlite_db.read() as tx:
        [offered] = [e for e in entries.list_entries(tx, sid) if e.id == entry]
        [email] = tx.scalars(
            select(OutboxMessage.body_text).where(OutboxMessage.template == "waitlist_offer")
        )
    link = re.search(r"\?offer=([\w-]+)&token=([\w-]+)", email)
    assert link is not None and link[1] == offered.hold_id
    web = Call(sqlite_db, Actor("website", None, "website"))
    with pytest.raises(NotFound):  # -32004: only the emailed token shows the hold
        dispatch(web, "holds.get", {"hold_id": link[1], "hold_token": "not-the-token"})
    shown = dispatch(web, "holds.get", {"hold_id": link[1], "hold_token": link[2]})
    assert (shown["id"], shown["session_id"], shown["seats"]) == (link[1], sid, 2)
    assert set(shown) == {"id", "session_id", "seats", "expires_at"}
    booking = dispatch(
        web,
        "bookings.create",
        {"hold_id": link[1], "hold_token": link[2], "attendees": [person(60), person(61)]},
    )
    assert booking["status"] == "PENDING_PAYMENT" and booking["seats"] == 2
    with sqlite_db.read() as tx:
        assert get_session(tx, sid).free == 0
    lapse_offers(sqlite_db)  # the offer's time runs out after it was booked
    with sqlite_db.write() as tx:
        offers.sweep(tx)
    assert statuses(sqlite_db, sid)[entry] == ("accepted", None)


def test_the_same_person_cannot_wait_twice_for_one_session(sqlite_db: Database) -> None:
    sid, _ = full_session(sqlite_db, [2])
    first = join(sqlite_db, sid, 1, "jo")
    with pytest.raises(ValidationFailed, match=f"already on this waiting list \\(number {first}"):
        join(sqlite_db, sid, 2, "jo")
    with sqlite_db.write() as tx:
        entries.decline(tx, first, DESK)
    join(sqlite_db, sid, 2, "jo")
    assert [s for s, _ in statuses(sqlite_db, sid).values()] == ["declined", "waiting"]


def test_a_name_too_long_is_refused_plainly() -> None:
    with pytest.raises(ValidationFailed, match="too long"):
        entries.Contact.parse("A" * 121 + " <a@example.com>")


def test_raising_the_capacity_offers_the_new_seats_at_once(sqlite_db: Database) -> None:
    from core.scheduling.edit import SessionEdit, edit_session
    from tests.admin_factories import ADMIN

    sid, _ = full_session(sqlite_db, [2])
    entry = join(sqlite_db, sid, 2, "waiting")
    with sqlite_db.write() as tx:
        version = tx.get_one(CourseSession, sid).version
        edit_session(tx, ADMIN, sid, version, SessionEdit(capacity=4), override="test session")
    assert statuses(sqlite_db, sid)[entry] == ("offered", None)
