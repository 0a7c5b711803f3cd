"""Found by an outside tester: on the demo data the desk's "Awaiting payment" list began
with a booking from 2023 (long-ago courses whose bookings were never paid for). Money owed
in the demo is now for courses still to come, booked in the weeks before."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from core.demo import data as demo
from core.demo.data import WEEKS
from core.infra.clock import today_london
from core.infra.db import Database
from tests.desktop_support import DeskFactory, desk_settings, make_desk, open_window

__all__ = ["desk_settings", "make_desk"]

BOOKED, COURSE = 0, 4  # the list's "Booked" and "Course date" columns


def shown_date(text: str) -> date:
    """A date as the desk shows it, e.g. ``Tue 8 Dec 2026``."""
    return datetime.strptime(text, "%a %d %b %Y").date()


def test_the_demos_awaiting_payment_list_is_of_courses_to_come(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    demo.seed(sqlite_db)
    window = open_window(qtbot, make_desk(), desk_settings)
    tree = window.today.awaiting
    qtbot.waitUntil(lambda: tree.topLevelItemCount() > 0, timeout=30_000)
    today = today_london()
    rows = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    booked = [shown_date(row.text(BOOKED)) for row in rows]
    courses = [shown_date(row.text(COURSE)) for row in rows]
    assert today - timedelta(weeks=WEEKS) <= booked[0] <= today, rows[0].text(1)
    assert min(courses) >= today
    assert booked == sorted(booked)  # oldest first
