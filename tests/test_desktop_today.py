"""The desk's home for the day, customer records and booking histories: the Today tab,
``desk.today``, ``customers.get``, ``bookings.timeline`` and why a search found a booking."""

from __future__ import annotations

import asyncio
from datetime import date, time, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.api import Call, dispatch
from core.booking.bookings import book_now
from core.infra.actor import CLI, Actor
from core.infra.clock import london, now, today_london, uk_date
from core.infra.db import Database
from core.infra.errors import Forbidden, NotFound, ValidationFailed
from core.infra.money import gbp
from core.models import Attendee, Booking, CourseSession
from core.models.attendance import Certificate
from desktop.customer_dialog import CustomerDialog
from desktop.today_tab import REFERENCE, SESSION_KEY
from tests.desktop_support import DeskFactory, desk_settings, make_desk, open_window
from tests.factories import make_session, person
from tests.server_support import add_staff, peer, running_server

__all__ = ["desk_settings", "make_desk"]

DESK_ACTOR = Actor(label="Front desk", role="reception", channel="desk")


def move_session(db: Database, sid: int, day: date) -> None:
    """Put the one-day session ``sid`` on ``day`` (past, today, weekend or not), 09:00-16:00
    London: bookings are made while it is in the future, as they would have been."""
    with db.write() as tx:
        row = tx.get_one(CourseSession, sid)
        start, end = london(day, time(9, 0)), london(day, time(16, 0))
        row.start_at, row.end_at = start, end
        for teaching in row.days:
            teaching.start_at, teaching.end_at = start, end


def rows(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    """Every item of ``tree``, depth first."""
    found: list[QTreeWidgetItem] = []

    def walk(item: QTreeWidgetItem) -> None:
        found.append(item)
        for i in range(item.childCount()):
            walk(item.child(i))

    for i in range(tree.topLevelItemCount()):
        walk(tree.topLevelItem(i))
    return found


def texts(tree: QTreeWidget) -> list[str]:
    return [" | ".join(i.text(c) for c in range(tree.columnCount())) for i in rows(tree)]


def booked_days_ago(db: Database, reference: str, days: int) -> None:
    with db.write() as tx:
        booking = tx.scalars(select(Booking).where(Booking.reference == reference)).one()
        booking.created_at = now() - timedelta(days=days)


def test_today_opens_first_with_todays_courses_money_owed_and_recent_bookings(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    today = today_london()
    here = make_session(sqlite_db, days_ahead=30)
    tomorrow = make_session(sqlite_db, course="faw", venue="york", days_ahead=31)
    later = make_session(sqlite_db, days_ahead=20)
    with sqlite_db.write() as tx:
        expected = book_now(
            tx, here, [person(1), person(2, special_requirements="Wheelchair user")], CLI
        )
        older = book_now(tx, later, [person(3)], CLI)
        book_now(tx, tomorrow, [person(4)], CLI)
        references = (expected.reference, older.reference)
    move_session(sqlite_db, here, today)
    move_session(sqlite_db, tomorrow, today + timedelta(days=1))
    booked_days_ago(sqlite_db, references[1], 30)  # the oldest debt
    booked_days_ago(sqlite_db, references[0], 2)

    window = open_window(qtbot, make_desk(), desk_settings)
    tab = window.today
    assert window.tab_widget.currentWidget() is tab
    assert window.tab_widget.tabText(0) == "Today"
    qtbot.waitUntil(lambda: tab.recent.topLevelItemCount() == 3, timeout=10_000)

    assert tab.title.text() == uk_date(today)
    assert "1 course today with 2 people expected; 1 course tomorrow." in tab.summary.text()
    lines = texts(tab.courses)
    assert lines[0].startswith("Today | " + uk_date(today))
    assert "09:00–16:00 | Emergency First Aid at Work | Leeds" in lines[1]
    assert "Test Person1" in lines[2] and expected.reference in lines[2]
    assert "Wheelchair user" in lines[3] and "owes" in lines[3]
    assert any(line.startswith("Tomorrow | ") for line in lines)
    assert any("First Aid at Work | York" in line for line in lines)

    awaiting = texts(tab.awaiting)
    assert [line.split(" | ")[1] for line in awaiting[:2]] == [older.reference, expected.reference]
    assert "3 bookings owe" in tab.awaiting_label.text()
    with sqlite_db.read() as tx:
        owed = tx.scalars(select(Booking.total_pence).where(Booking.reference == older.reference))
        assert gbp(owed.one()) in awaiting[0]

    tab.awaiting.itemActivated.emit(tab.awaiting.topLevelItem(0), 0)
    assert window.tab_widget.currentWidget() is window.bookings
    qtbot.waitUntil(lambda: window.bookings.selected() is not None)
    assert window.bookings.selected().reference == older.reference

    attendee_row = next(i for i in rows(tab.courses) if i.text(1) == "Test Person1")
    assert attendee_row.data(0, REFERENCE) == expected.reference


def test_today_follows_new_bookings_and_payments_without_a_refresh(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    here = make_session(sqlite_db, days_ahead=30)
    move_session(sqlite_db, here, today_london() + timedelta(days=1))
    window = open_window(qtbot, make_desk(), desk_settings)
    tab = window.today
    qtbot.waitUntil(lambda: "1 course tomorrow" in tab.summary.text(), timeout=10_000)
    assert tab.recent.topLevelItemCount() == 0

    with sqlite_db.write() as tx:
        reference = book_now(tx, here, [person(7)], CLI).reference
    qtbot.waitUntil(lambda: tab.recent.topLevelItemCount() == 1, timeout=10_000)
    assert any("Test Person7" in line for line in texts(tab.courses))
    assert tab.awaiting.topLevelItem(0).text(1) == reference

    with sqlite_db.read() as tx:
        total = tx.scalars(select(Booking.total_pence).where(Booking.reference == reference))
        amount = total.one()
    dispatch(
        Call(sqlite_db, DESK_ACTOR),
        "payments.cash",
        {"reference": reference, "amount_pence": amount},
    )
    qtbot.waitUntil(lambda: tab.awaiting.topLevelItemCount() == 0, timeout=10_000)
    assert "0 bookings owe £0.00" in tab.awaiting_label.text()


def test_search_says_why_each_booking_was_found(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    sid = make_session(sqlite_db, days_ahead=6)
    with sqlite_db.write() as tx:
        by_attendee = book_now(
            tx, sid, [person(1), person(2, name="Harriet Quill", email="hq@example.com")], CLI
        ).reference
        by_payer = book_now(tx, sid, [person(3, name="Quill Ltd Trainee")], CLI).reference
    window = open_window(qtbot, make_desk(), desk_settings)
    tab = window.bookings
    tab.search.setText("quill")
    tab.search_bookings()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    found_by = {tab.model.index(r, 0).data(): tab.model.index(r, 2).data() for r in range(2)}
    assert found_by == {by_attendee: "attendee Harriet Quill", by_payer: "customer name"}
    assert tab.model.COLUMNS[2] == "Found by"

    tab.search.setText("HQ@example.com")
    tab.search_bookings()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert tab.model.index(0, 2).data() == "attendee email (Harriet Quill)"
    tab.open_customer()  # the record of the person searched for, not the payer
    dialog = tab.findChild(CustomerDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.bookings.topLevelItemCount() == 1)
    assert "Harriet Quill" in dialog.heading.text()
    assert dialog.bookings.topLevelItem(0).text(4) == "attendee"


def test_customer_record_from_a_booking_shows_bookings_payments_and_certificates(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    past = make_session(sqlite_db, days_ahead=30)
    soon = make_session(sqlite_db, days_ahead=8)
    with sqlite_db.write() as tx:
        first = book_now(tx, past, [person(1, phone="07700 900123")], CLI)
        second = book_now(tx, soon, [person(9), person(1)], CLI)
        attendee = tx.scalars(select(Attendee).where(Attendee.booking_id == first.id)).one()
        tx.add(
            Certificate(
                number="C-TEST-1",
                attendee_id=attendee.id,
                booking_id=first.id,
                session_id=past,
                course_id="efaw",
                venue_id="leeds",
                course_name="Emergency First Aid at Work",
                issued_on=today_london() - timedelta(days=400),
                expires_on=today_london() - timedelta(days=35),
                issued_at=now(),
            )
        )
        references = (first.reference, second.reference)
    move_session(sqlite_db, past, today_london() - timedelta(days=400))
    dispatch(
        Call(sqlite_db, DESK_ACTOR),
        "payments.cash",
        {"reference": references[0], "amount_pence": 1000},
    )
    window = open_window(qtbot, make_desk(), desk_settings)
    tab = window.bookings
    tab.open_reference(references[0])
    qtbot.waitUntil(lambda: tab.selected() is not None and tab.customer_button.isEnabled())
    tab.open_customer()
    dialog = tab.findChild(CustomerDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.bookings.topLevelItemCount() == 2)

    heading = dialog.heading.text()
    assert "Test Person1" in heading and "person1@example.com" in heading
    assert "07700 900123" in heading and "2 bookings, 1 certificate" in heading
    roles = {i.text(1): i.text(4) for i in rows(dialog.bookings)}
    assert roles == {references[0]: "payer and attendee", references[1]: "attendee"}
    assert [i.text(4) for i in rows(dialog.payments)] == ["£10.00"]
    certificate = dialog.certificates.topLevelItem(0)
    assert certificate.text(0) == "C-TEST-1" and certificate.text(3).endswith("(expired)")

    dialog.bookings.itemActivated.emit(dialog.bookings.topLevelItem(0), 0)
    qtbot.waitUntil(lambda: tab.selected().reference == references[1])


def test_booking_history_shows_what_happened_in_order(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    first = make_session(sqlite_db, days_ahead=10)
    second = make_session(sqlite_db, days_ahead=12)
    with sqlite_db.write() as tx:
        booking = book_now(tx, first, [person(1)], CLI)
        reference, total = booking.reference, booking.total_pence
    call = Call(sqlite_db, DESK_ACTOR)
    dispatch(call, "bookings.transfer", {"reference": reference, "to_session_id": second})
    dispatch(call, "payments.cash", {"reference": reference, "amount_pence": total})
    dispatch(call, "bookings.cancel", {"reference": reference, "reason": "customer phoned"})

    window = open_window(qtbot, make_desk(), desk_settings)
    tab = window.bookings
    tab.open_reference(reference)
    qtbot.waitUntil(lambda: "History" in tab.details.toPlainText(), timeout=10_000)
    text = tab.details.toPlainText()
    story = text[text.index("History") :]
    order = [
        story.index(what)
        for what in (
            "Booked",
            "Confirmation email",
            "Moved",
            "New-dates email",
            "Payment succeeded",
            "Cancelled",
            "Cancellation email",
        )
    ]
    assert order == sorted(order)
    assert "customer phoned" in story and f"{gbp(total)} by cash" in story
    assert "to person1@example.com: queued" in story


def test_desk_methods_refuse_bad_input_and_the_wrong_roles(sqlite_db: Database) -> None:
    desk = Call(sqlite_db, DESK_ACTOR)
    with pytest.raises(ValidationFailed, match="email"):
        dispatch(desk, "customers.get", {"email": "not an address"})
    with pytest.raises(NotFound, match="nobody@example.com"):
        dispatch(desk, "customers.get", {"email": "nobody@example.com"})
    with pytest.raises(NotFound):
        dispatch(desk, "bookings.timeline", {"reference": "RFT-1999-0001"})
    for day in ("31/02/2026", "9999-12-31", "2026-02-30", ["2026-12-02"]):
        with pytest.raises(ValidationFailed, match="day"):
            dispatch(desk, "desk.today", {"day": day})
    with pytest.raises(ValidationFailed, match="reference"):
        dispatch(desk, "bookings.timeline", {"reference": "R" * 500})
    with pytest.raises(ValidationFailed):
        dispatch(desk, "customers.get", {"email": "a" * 300 + "@example.com"})
    trainer = Call(sqlite_db, Actor(label="T", role="trainer", channel="desk"))
    for name, params in (
        ("desk.today", {}),
        ("customers.get", {"email": "a@example.com"}),
        ("bookings.timeline", {"reference": "RFT-2026-0001"}),
    ):
        with pytest.raises(Forbidden):
            dispatch(trainer, name, params)
    board = dispatch(desk, "desk.today", {})
    assert board["sessions"] == [] and board["awaiting_payment"]["count"] == 0


def test_the_desk_methods_answer_through_the_sync_server(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, days_ahead=9)
    with sqlite_db.write() as tx:
        reference = book_now(tx, sid, [person(1, name="Harriet Quill")], CLI).reference
    reception = add_staff(sqlite_db, "reception")

    async def scenario() -> dict[str, Any]:
        async with running_server(sqlite_db) as server, peer(server.url) as p:
            await p.login(reception)
            return {
                "today": await p.call("desk.today", {}),
                "customer": await p.call("customers.get", {"email": "PERSON1@example.com"}),
                "timeline": await p.call("bookings.timeline", {"reference": reference}),
                "terms": await p.call("desk.terms", {}),
                "found": await p.call("bookings.search", {"text": "quill"}),
                "bad": await p.request("customers.get", {"email": "nobody"}),
            }

    got = asyncio.run(scenario())
    assert [b["reference"] for b in got["today"]["recent"]] == [reference]
    assert got["customer"]["name"] == "Harriet Quill"
    assert got["timeline"]["events"][0]["what"] == "Booked"
    assert "or more days before the course for a full refund" in got["terms"]["terms"]
    assert got["found"][0]["matched"] == "customer name"
    assert got["bad"]["error"]["code"] == -32602


def test_a_reload_keeps_the_courses_opened_and_closed_by_hand(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    here = make_session(sqlite_db, days_ahead=30)
    later = make_session(sqlite_db, days_ahead=31, venue="york")
    with sqlite_db.write() as tx:
        book_now(tx, here, [person(1)], CLI)
        book_now(tx, later, [person(2)], CLI)
    move_session(sqlite_db, here, today_london())
    move_session(sqlite_db, later, today_london() + timedelta(days=1))
    window = open_window(qtbot, make_desk(), desk_settings)
    tab = window.today
    qtbot.waitUntil(lambda: "1 course tomorrow" in tab.summary.text(), timeout=10_000)

    def course_rows() -> list[QTreeWidgetItem]:
        return [i for i in rows(tab.courses) if i.data(0, SESSION_KEY)]

    today_row, tomorrow_row = course_rows()
    assert today_row.isExpanded() and not tomorrow_row.isExpanded()
    today_row.setExpanded(False)
    tomorrow_row.setExpanded(True)
    with qtbot.waitSignal(tab.recent.model().modelReset, timeout=10_000):
        tab.reload()
    today_row, tomorrow_row = course_rows()
    assert not today_row.isExpanded() and tomorrow_row.isExpanded()


def test_today_customer_and_history_on_both_databases(any_db: Database) -> None:
    sid = make_session(any_db, days_ahead=30)
    with any_db.write() as tx:
        reference = book_now(tx, sid, [person(1), person(2)], CLI).reference
    move_session(any_db, sid, today_london())
    desk = Call(any_db, DESK_ACTOR)
    board = dispatch(desk, "desk.today", {})
    names = [p["name"] for s in board["sessions"] for p in s["expected"]]
    assert names == ["Test Person1", "Test Person2"]
    assert board["awaiting_payment"]["bookings"][0]["reference"] == reference
    record = dispatch(desk, "customers.get", {"email": "person2@example.com"})
    assert [b["role"] for b in record["bookings"]] == ["attendee"]
    events = dispatch(desk, "bookings.timeline", {"reference": reference})["events"]
    assert [e["what"] for e in events][:2] == ["Booked", "Confirmation email"]
