"""The main views: session list filters and search, calendar month, bookings tab, window."""

from __future__ import annotations

import re
import subprocess
from datetime import date, time, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QByteArray, QDate, QSettings, Qt
from PySide6.QtWidgets import QInputDialog, QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.booking.bookings import book_now
from core.infra.actor import CLI
from core.infra.clock import LONDON, london, today_london
from core.infra.db import Database
from core.infra.money import gbp
from core.models import Booking, Payment
from desktop.app import restart_command
from desktop.bookings_tab import TransferDialog
from desktop.main_window import MainWindow
from desktop.session_data import SessionRow
from desktop.session_list import SessionFilterProxy, SessionTableModel
from desktop.settings_dialog import SettingsDialog
from desktop.take_payment import TakePaymentDialog
from tests.desktop_support import DeskFactory, desk_settings, make_desk, open_window
from tests.factories import make_session, person

__all__ = ["desk_settings", "make_desk"]


def fake_sessions(count: int) -> list[dict[str, Any]]:
    """``count`` sessions in the service's JSON shape, an hour apart."""
    courses = [("efaw", "Emergency First Aid at Work"), ("faw", "First Aid at Work")]
    venues = [("leeds", "Leeds"), ("york", "York"), ("hull", "Hull")]
    base = london(today_london(), time(9, 0))
    rows = []
    for i in range(count):
        course, course_name = courses[i % 2]
        venue, venue_name = venues[i % 3]
        rows.append(
            {
                "id": i + 1,
                "course": course,
                "course_name": course_name,
                "venue": venue,
                "venue_name": venue_name,
                "trainer": "Dev Mistry" if i % 5 == 0 else "Sarah Holt",
                "room": None,
                "start": (base + timedelta(hours=i)).astimezone(LONDON).isoformat(),
                "end": (base + timedelta(hours=i + 7)).astimezone(LONDON).isoformat(),
                "days": [],
                "capacity": 12,
                "held": 0,
                "booked": 12 - i % 13,
                "version": 1,
                "free": i % 13,
                "status": "FULL" if i % 13 == 0 else "SCHEDULED",
                "price_pence": 7500 if course == "efaw" else 22500,
                "colour": "#d62728",
            }
        )
    return rows


def next_weekday() -> date:
    day = today_london() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_ten_thousand_sessions_filter_and_sort_in_one_model() -> None:
    model = SessionTableModel()
    model.set_sessions([SessionRow.from_json(s) for s in fake_sessions(10_000)])
    proxy = SessionFilterProxy()
    proxy.setSourceModel(model)
    assert proxy.rowCount() == 10_000

    proxy.set_filters("efaw", "york", "dev")
    expected = [
        s
        for s in fake_sessions(10_000)
        if s["course"] == "efaw" and s["venue"] == "york" and s["trainer"] == "Dev Mistry"
    ]
    assert proxy.rowCount() == len(expected) > 0

    proxy.set_filters(None, None, "")
    proxy.sort(5, Qt.SortOrder.DescendingOrder)  # free seats, most first
    assert proxy.index(0, 5).data() == "12 of 12"
    assert proxy.index(9_999, 5).data() == "0 of 12"
    assert proxy.index(9_999, 6).data() == "Full"


def test_list_filters_by_course_and_venue_and_search_waits_for_typing_to_stop(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    first = next_weekday()
    make_session(sqlite_db, course="efaw", venue="leeds", first_day=first)
    make_session(sqlite_db, course="efaw", venue="york", first_day=first + timedelta(weeks=1))
    make_session(sqlite_db, course="faw", venue="leeds", first_day=first + timedelta(weeks=2))
    window = open_window(qtbot, make_desk(), desk_settings)
    view = window.sessions
    qtbot.waitUntil(lambda: view.model.rowCount() == 3 and view.course.count() == 14)
    assert view.venue.count() == 9  # all venues + 8

    view.venue.setCurrentIndex(view.venue.findData("leeds"))
    assert view.proxy.rowCount() == 2
    view.course.setCurrentIndex(view.course.findData("efaw"))
    assert view.proxy.rowCount() == 1
    assert view.count.text() == "1 session (of 3 in these dates)"

    view.course.setCurrentIndex(0)
    view.venue.setCurrentIndex(0)
    qtbot.keyClicks(view.search, "york")
    assert view.proxy.rowCount() == 3  # not yet: the search waits ~300 ms
    qtbot.waitUntil(lambda: view.proxy.rowCount() == 1)

    view.search.clear()
    later = first + timedelta(weeks=2)
    view.date_from.setDate(QDate(later.year, later.month, later.day))
    qtbot.waitUntil(lambda: view.model.total == 1)  # loaded (the search may still be on)
    assert view.model.loaded[0].course == "faw"


def test_list_shows_seats_being_booked_elsewhere_without_a_refresh(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    sid = make_session(sqlite_db, course="efaw", venue="leeds", days_ahead=3)
    window = open_window(qtbot, make_desk("Desk A"), desk_settings)
    view = window.sessions
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)

    make_desk("Desk B").call("holds.create", {"session_id": sid, "seats": 3})
    qtbot.waitUntil(lambda: "3 being booked now" in view.proxy.index(0, 6).data(), timeout=5000)
    assert view.proxy.index(0, 5).data() == "9 of 12"

    with sqlite_db.write() as tx:
        book_now(tx, sid, [person(i) for i in range(9)], CLI)
    qtbot.waitUntil(lambda: view.proxy.index(0, 6).data().startswith("Full"), timeout=5000)

    added = make_session(sqlite_db, course="faw", venue="york", days_ahead=6)
    with sqlite_db.write() as tx:
        book_now(tx, added, [person(20)], CLI)  # its change reaches the desk
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=5000)
    assert view.count.text() == "2 sessions"


def test_calendar_shows_the_month_with_today_and_lists_the_chosen_day(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    today = today_london()
    make_session(sqlite_db, course="efaw", venue="leeds", first_day=today + timedelta(days=7))
    window = open_window(qtbot, make_desk(), desk_settings)
    calendar = window.calendar
    qtbot.waitUntil(lambda: "sessions this month" in calendar.status.text())
    assert calendar.title.text() == today.strftime("%B %Y")
    qtbot.waitUntil(lambda: len(calendar.legend.findChildren(QLabel)) >= 13)  # one per course

    qtbot.mouseClick(calendar.next, Qt.MouseButton.LeftButton)
    following = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    assert calendar.title.text() == following.strftime("%B %Y")
    qtbot.mouseClick(calendar.today, Qt.MouseButton.LeftButton)
    assert calendar.selected_day() == today

    day = today + timedelta(days=7)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    calendar.grid.setSelectedDate(QDate(day.year, day.month, day.day))
    qtbot.waitUntil(lambda: calendar.day_model.rowCount() == 1)
    assert calendar.day_model.rows[0].venue_name == "Leeds"
    qtbot.waitUntil(lambda: day in calendar.grid.days)


def test_bookings_tab_finds_cancels_and_moves_a_booking(
    qtbot: QtBot,
    sqlite_db: Database,
    make_desk: DeskFactory,
    desk_settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = make_session(sqlite_db, course="efaw", venue="leeds", days_ahead=5)
    second = make_session(sqlite_db, course="efaw", venue="york", days_ahead=9)
    with sqlite_db.write() as tx:
        reference = book_now(tx, first, [person(1), person(2)], CLI).reference
        other = book_now(tx, first, [person(3)], CLI).reference
    window = open_window(qtbot, make_desk(), desk_settings)
    tab = window.bookings

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.tab_widget.currentWidget() is tab
    qtbot.keyClicks(tab.search, reference)
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert "Test Person2" in tab.details.toPlainText()

    def choose_second(dialog: TransferDialog) -> int:
        qtbot.waitUntil(lambda: dialog.model.rowCount() == 1)
        return 1

    monkeypatch.setattr(TransferDialog, "exec", choose_second)
    tab.transfer_selected()
    qtbot.waitUntil(lambda: "moved to" in tab.status.text())
    assert tab.selected().session.id == second

    tab.search.setText(other)
    tab.search_bookings()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1 and tab.selected().reference == other)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("customer phoned", True))
    tab.cancel_selected()
    qtbot.waitUntil(lambda: tab.selected().status == "CANCELLED")
    assert not tab.cancel_button.isEnabled()
    assert not tab.resend_button.isEnabled()


def test_a_booking_booked_to_pay_later_is_paid_in_cash_at_the_desk(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    sid = make_session(sqlite_db, course="efaw", venue="leeds", days_ahead=5)
    with sqlite_db.write() as tx:
        reference = book_now(tx, sid, [person(1), person(2)], CLI).reference
        total = tx.scalar(select(Booking.total_pence).where(Booking.reference == reference))
    window = open_window(qtbot, make_desk(), desk_settings)
    tab = window.bookings
    tab.search.setText(reference)
    tab.search_bookings()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert re.search(rf"Still to pay\s+{re.escape(gbp(total))}", tab.details.toPlainText())
    assert tab.pay_button.isEnabled()

    tab.take_payment_selected()
    dialog = tab.findChild(TakePaymentDialog)
    assert dialog is not None and gbp(total) in dialog.summary.text()
    assert "pay_later" not in dialog.step.buttons and "link" not in dialog.step.buttons
    assert dialog.step.chosen_key() == "cash"
    dialog.take_button.click()
    qtbot.waitUntil(lambda: "payment recorded" in tab.status.text())
    assert tab.selected().due_pence == 0 and tab.selected().paid_pence == total
    assert "Paid in cash." in dialog.step.progress.text()
    assert "cash: " in tab.details.toPlainText() and not tab.pay_button.isEnabled()
    with sqlite_db.read() as tx:
        methods = tx.scalars(
            select(Payment.method).join(Booking).where(Booking.reference == reference)
        )
        assert list(methods) == ["cash"]


def test_pointing_the_desk_at_a_server_offers_a_restart_that_starts_the_desk(
    qtbot: QtBot,
    make_desk: DeskFactory,
    desk_settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_window(qtbot, make_desk(), desk_settings)
    typed = ["http://wrong", "ws://bookings.example:8765/ws"]

    def type_address(dialog: SettingsDialog) -> int:
        while typed and not dialog.result():
            dialog.url.setText(typed.pop(0))
            dialog.save()  # the first is refused with a reason and not kept
            assert dialog.result() or "ws://" in dialog.problem.text()
        return dialog.result()

    questions: list[str] = []

    def answer(_parent: object, _title: str, text: str) -> QMessageBox.StandardButton:
        questions.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(SettingsDialog, "exec", type_address)
    monkeypatch.setattr(QMessageBox, "question", answer)
    with qtbot.waitSignal(window.restart_requested, timeout=1000):
        window.open_settings()
    assert "ws://bookings.example:8765/ws" in questions[0]
    assert desk_settings.value("server/url") == "ws://bookings.example:8765/ws"

    typed.append("ws://bookings.example:8765/ws")  # saved again unchanged: no restart
    with qtbot.assertNotEmitted(window.restart_requested):
        window.open_settings()
    assert len(questions) == 1

    program, arguments = restart_command()
    started = subprocess.run(
        [program, *arguments, "--help"], capture_output=True, text=True, timeout=60
    )
    assert started.returncode == 0 and "--server" in started.stdout


def test_window_remembers_its_place_and_last_tab(
    qtbot: QtBot, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    backend = make_desk()
    window = open_window(qtbot, backend, desk_settings)
    window.show_tab("Bookings")
    window.close()
    saved = desk_settings.value("window/geometry")
    assert isinstance(saved, QByteArray) and not saved.isEmpty()

    again = MainWindow(backend, desk_settings)
    qtbot.addWidget(again)
    assert again.tab_widget.currentWidget() is again.bookings


def test_tabs_are_shown_by_role(
    qtbot: QtBot, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    window = open_window(qtbot, make_desk(role="reception"), desk_settings)
    window.add_tab(QWidget(), "Reports", roles={"admin", "manager"})
    window.add_tab(QWidget(), "Help desk")
    visible = [
        window.tab_widget.tabText(i)
        for i in range(window.tab_widget.count())
        if window.tab_widget.isTabVisible(i)
    ]
    assert visible == ["Today", "Calendar", "Sessions", "Bookings", "Organisations", "Help desk"]
