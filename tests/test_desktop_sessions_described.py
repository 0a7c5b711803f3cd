"""Sessions described fully wherever listed, calendar cells that tell courses apart without
colour, and every screen fitting a 1280x800 desk."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, QSettings, Qt
from pytestqt.qtbot import QtBot

from core.catalogue.specs import default_catalogue
from core.infra.clock import to_london, today_london
from core.infra.db import Database
from core.models import CourseSession
from desktop.session_data import course_code
from tests.desktop_support import DeskFactory, desk_settings, make_desk, open_window
from tests.factories import make_session

__all__ = ["desk_settings", "make_desk"]


def test_every_course_has_its_own_code() -> None:
    names = [c.name for c in default_catalogue().courses]
    codes = [course_code(n) for n in names]
    assert len(set(codes)) == len(names), dict(zip(names, codes, strict=True))
    assert course_code("Emergency First Aid at Work") == "EFAW"
    assert course_code("FAW Requalification") == "FAWR"


def test_calendar_cells_and_day_list_describe_each_session(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    day = today_london() + timedelta(days=21)
    efaw = make_session(sqlite_db, course="efaw", venue="leeds", first_day=day)
    faw = make_session(sqlite_db, course="faw", venue="york", first_day=day)
    with sqlite_db.write() as tx:
        tx.get_one(CourseSession, faw).status = "CANCELLED"
        first_day = tx.get_one(CourseSession, efaw).start_at.date()
    window = open_window(qtbot, make_desk(), desk_settings)
    window.show_tab("Calendar")
    calendar = window.calendar
    calendar.grid.setSelectedDate(QDate(first_day.year, first_day.month, first_day.day))
    qtbot.waitUntil(lambda: calendar.day_model.rowCount() == 2, timeout=10_000)
    qtbot.waitUntil(lambda: bool(calendar.grid.chips_on(first_day)))
    assert sorted(calendar.grid.chips_on(first_day)) == ["EFAW", "FAW 1/3 (cancelled)"]
    legend = [
        calendar.legend_layout.itemAt(i).widget().text()
        for i in range(calendar.legend_layout.count())
    ]
    assert any("EFAW" in t and "Emergency First Aid at Work" in t for t in legend)

    row = next(r for r in range(2) if calendar.day_model.rows[r].id == efaw)
    calendar.day_table.selectRow(row)
    lines = calendar.day_detail.text().splitlines()
    assert lines[0] == "Emergency First Aid at Work (EFAW)"
    assert "09:00–" in lines[1]
    assert lines[2].startswith("Leeds, ")  # venue and room
    assert lines[3].startswith("Trainer: ")
    assert lines[4] == "12 of 12 seats free · £75.00 per person"
    tip = calendar.day_model.index(row, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == calendar.day_detail.text()


def test_a_course_of_several_days_shows_on_each_of_its_days(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    """Found by an outside tester: a three-day First Aid at Work showed on its first day only."""
    faw = make_session(sqlite_db, course="faw", venue="york", days_ahead=21)
    with sqlite_db.write() as tx:
        days = [to_london(d.start_at).date() for d in tx.get_one(CourseSession, faw).days]
    assert len(days) == 3
    window = open_window(qtbot, make_desk(), desk_settings)
    window.show_tab("Calendar")
    calendar = window.calendar

    def choose(day: date) -> tuple[list[str], list[int]]:
        """Select ``day``; once the month and the day have loaded, its cell's chips and the
        sessions in its list."""
        calendar.grid.setSelectedDate(QDate(day.year, day.month, day.day))
        texts = (calendar.status.text, calendar.day_empty.text)
        qtbot.waitUntil(lambda: not any("Loading" in text() for text in texts), timeout=10_000)
        return calendar.grid.chips_on(day), [row.id for row in calendar.day_model.rows]

    for n, day in enumerate(days, start=1):
        assert choose(day) == ([f"FAW {n}/3"], [faw])
        heading = calendar.day_detail.text().splitlines()[0]
        assert heading == ("First Aid at Work (FAW)" if n == 1 else f"This is day {n} of 3.")
    assert choose(days[-1] + timedelta(days=1)) == ([], [])


def test_every_tab_fits_a_1280_by_800_desk(
    qtbot: QtBot, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    window = open_window(qtbot, make_desk(role="admin"), desk_settings)
    window.resize(1280, 800)
    too_big = {}
    for index in range(window.tab_widget.count()):
        window.tab_widget.setCurrentIndex(index)
        hint = window.tab_widget.widget(index).minimumSizeHint()
        if hint.width() > 1280 or hint.height() > 700:
            too_big[window.tab_widget.tabText(index)] = (hint.width(), hint.height())
    assert too_big == {}
    assert window.minimumSizeHint().width() <= 1280


def test_the_session_list_shows_hours_days_and_room(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    three_days = make_session(sqlite_db, course="faw", venue="york", days_ahead=12)
    make_session(sqlite_db, course="efaw", venue="leeds", days_ahead=13)
    window = open_window(qtbot, make_desk(), desk_settings)
    window.show_tab("Sessions")
    model = window.sessions.model
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=10_000)
    at = next(i for i, r in enumerate(model.rows) if r.id == three_days)
    when = model.index(at, 0).data()
    assert when.endswith(" · 3 days") and "09:00–" in when
    where = model.index(at, 2).data()
    assert where.startswith("York, ") and len(where) > len("York, ")
    window.sessions.search.setText(where.split(", ")[1].split()[0])  # a word of the room
    qtbot.waitUntil(lambda: window.sessions.proxy.rowCount() == 1, timeout=5_000)
