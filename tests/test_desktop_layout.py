"""The desk laid out on the smallest screen it is made for, 1280×800, with demo data: every
tab's buttons show their whole text, nothing sits outside the window, and each table's
columns either fit or scroll, with no wide column left empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from core.demo import data as demo
from core.infra.db import Database
from desktop.backend import LocalBackend
from desktop.layouts import shares
from desktop.main_window import MainWindow
from desktop.session_list import COLUMNS
from desktop.tools.screenshots import DESK_SIZE
from desktop.tools.waiting import wait_settled
from desktop.wizard import BookingWizard

WAIT_MS = 60_000
WAIT_S = 60.0
SHORT_COLUMN_PX = 100  # a status or a count: spare width belongs to a name beside it
EMPTY_COLUMN_PX = 200  # more spare width than this in a short column is a gap a user notices


def _shown(window: QWidget, kind: type[QWidget]) -> list[QWidget]:
    """Visible widgets of ``kind`` not inside a scrolling view (those may scroll out of sight)."""
    return [
        w
        for w in window.findChildren(kind)
        if w.isVisibleTo(window)
        and not any(isinstance(a, QAbstractScrollArea) for a in _ancestors(w, window))
    ]


def _ancestors(widget: QWidget, top: QWidget) -> list[QWidget]:
    found = []
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        found.append(parent)
        parent = parent.parentWidget()
    return found


def _problems(window: QWidget, tab: str) -> list[str]:
    problems = []
    for button in _shown(window, QPushButton):
        assert isinstance(button, QPushButton)
        if button.width() < button.sizeHint().width():
            problems.append(f"{tab}: button {button.text()!r} is cut short")
    for kind in (QPushButton, QLabel, QLineEdit, QComboBox):
        for widget in _shown(window, kind):
            box = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
            if not window.rect().contains(box):
                problems.append(f"{tab}: {type(widget).__name__} {box} is outside the window")
    for table in window.findChildren(QTableView):
        if not table.isVisibleTo(window) or not table.model().rowCount():
            continue
        table.doItemsLayout()  # the scroll range as the next paint will have it
        header = table.horizontalHeader()
        for column in range(header.count()):
            if header.isSectionHidden(column):
                continue
            needed = max(table.sizeHintForColumn(column), header.sectionSizeHint(column))
            if needed < SHORT_COLUMN_PX and header.sectionSize(column) - needed > EMPTY_COLUMN_PX:
                title = table.model().headerData(column, header.orientation())
                problems.append(
                    f"{tab}: column {title!r} is mostly empty"
                    f" ({header.sectionSize(column)} px for {needed} px)"
                )
        used = header.length()
        if used > table.viewport().width() and table.horizontalScrollBar().maximum() == 0:
            problems.append(f"{tab}: a table's columns neither fit nor scroll")
    return problems


def test_every_tab_fits_the_smallest_desk_screen(
    qtbot: QtBot, sqlite_db: Database, desk_style: None, tmp_path: object
) -> None:
    demo.seed(sqlite_db)
    backend = LocalBackend(sqlite_db)
    backend.start()
    window = MainWindow(backend, QSettings(f"{tmp_path}/desk.ini", QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(*DESK_SIZE)
    window.show()
    qtbot.waitUntil(lambda: window.tab_widget.count() > 5, timeout=WAIT_MS)
    problems = []
    for index in range(window.tab_widget.count()):
        title = window.tab_widget.tabText(index).replace("&", "")
        window.tab_widget.setCurrentIndex(index)
        wait_settled(lambda: True, WAIT_S)
        problems += _problems(window, title)
    backend.close()
    assert problems == [], "\n".join(problems)


def _columns_in_view(table: QTableView) -> list[str]:
    """Headers of the columns cut off at the table's right edge (or scrolled out of sight)."""
    table.doItemsLayout()
    header = table.horizontalHeader()
    cut = []
    for column in range(header.count()):
        if header.isSectionHidden(column):
            continue
        right = header.sectionViewportPosition(column) + header.sectionSize(column)
        if right > table.viewport().width():
            cut.append(str(table.model().headerData(column, header.orientation())))
    if table.horizontalScrollBar().maximum() > 0:
        cut.append("(scrolls sideways)")
    return cut


@pytest.fixture
def demo_window(
    qtbot: QtBot, sqlite_db: Database, desk_style: None, tmp_path: object
) -> Iterator[MainWindow]:
    demo.seed(sqlite_db)
    backend = LocalBackend(sqlite_db)
    backend.start()
    window = MainWindow(backend, QSettings(f"{tmp_path}/desk.ini", QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(*DESK_SIZE)
    window.show()
    yield window
    backend.close()


def test_bookings_found_fit_the_table_without_scrolling_sideways(
    qtbot: QtBot, demo_window: MainWindow
) -> None:
    window = demo_window
    window.show_tab("Bookings")
    tab = window.bookings
    tab.search.setText("Smith")
    tab.search_bookings()
    qtbot.waitUntil(lambda: tab.model.rowCount() > 10, timeout=WAIT_MS)
    wait_settled(lambda: True, WAIT_S)
    assert _columns_in_view(tab.table) == []


def test_the_wizard_keeps_status_in_view_however_narrow_its_session_table(
    qtbot: QtBot, demo_window: MainWindow
) -> None:
    rows = demo_window.sessions.model.rows
    qtbot.waitUntil(lambda: bool(demo_window.sessions.model.rows), timeout=WAIT_MS)
    rows = demo_window.sessions.model.rows
    wizard = BookingWizard(demo_window.backend, demo_window, session=rows[0].raw)
    wizard.show()
    step = wizard.session_step
    qtbot.waitUntil(lambda: step.proxy.rowCount() > 10, timeout=WAIT_MS)
    for width in (1180, 1000, wizard.minimumSizeHint().width()):
        wizard.resize(width, 680)
        wait_settled(lambda: True, WAIT_S)
        assert _columns_in_view(step.table) == [], f"at {width} px"
    wizard.confirm_stop = lambda: True  # type: ignore[method-assign]
    wizard.reject()


def test_the_today_tree_gives_its_spare_width_to_the_needs_not_the_last_column(
    qtbot: QtBot, demo_window: MainWindow
) -> None:
    today = demo_window.today
    qtbot.waitUntil(lambda: today.courses.topLevelItemCount() > 0, timeout=WAIT_MS)
    wait_settled(lambda: True, WAIT_S)
    header = today.courses.header()
    last = header.count() - 1
    needed = max(today.courses.sizeHintForColumn(last), header.sectionSizeHint(last))
    assert header.sectionSize(last) <= needed + 20
    assert header.sectionSize(3) > today.courses.sizeHintForColumn(3)  # Trainer · needs


def test_shared_width_elides_only_the_longest_names() -> None:
    assert shares({1: 260, 2: 190}, 400) == {1: 210, 2: 190}
    assert shares({1: 100, 2: 150, 3: 300}, 400) == {1: 100, 2: 150, 3: 150}
    assert shares({1: 50, 2: 60}, 400) == {1: 50, 2: 60}


def _elided(table: QTableView, column: int) -> bool:
    table.doItemsLayout()
    needed = max(table.sizeHintForColumn(column), table.horizontalHeader().sectionSizeHint(column))
    return table.horizontalHeader().sectionSize(column) < needed


def test_the_wizard_shows_venues_in_full_on_the_smallest_desk(
    qtbot: QtBot, demo_window: MainWindow
) -> None:
    qtbot.waitUntil(lambda: bool(demo_window.sessions.model.rows), timeout=WAIT_MS)
    rows = demo_window.sessions.model.rows
    wizard = BookingWizard(demo_window.backend, demo_window, session=rows[0].raw)
    wizard.resize(1180, 680)  # as it opens on a 1280×800 desk
    wizard.show()
    step = wizard.session_step
    qtbot.waitUntil(lambda: step.proxy.rowCount() > 10, timeout=WAIT_MS)
    wait_settled(lambda: True, WAIT_S)
    assert not _elided(step.table, COLUMNS.index("Venue"))
    wizard.confirm_stop = lambda: True  # type: ignore[method-assign]
    wizard.reject()


def test_the_calendar_day_list_gives_course_names_their_share(
    qtbot: QtBot, demo_window: MainWindow
) -> None:
    demo_window.show_tab("Calendar")
    calendar = demo_window.calendar
    qtbot.waitUntil(lambda: calendar.day_model.rowCount() > 1, timeout=WAIT_MS)
    wait_settled(lambda: True, WAIT_S)
    table, header = calendar.day_table, calendar.day_table.horizontalHeader()
    course, venue = (COLUMNS.index(t) for t in ("Course", "Venue"))
    assert not (_elided(table, venue) and header.sectionSize(venue) > header.sectionSize(course))
    assert header.sectionSize(course) >= min(
        table.sizeHintForColumn(course),
        (header.sectionSize(course) + header.sectionSize(venue)) // 2,
    )


@pytest.mark.parametrize("title", ["Staff", "Trainers"])
def test_the_last_column_is_not_left_wide_on_a_large_screen(
    qtbot: QtBot, demo_window: MainWindow, title: str
) -> None:
    """Staff's "Second factor" and Trainers' "Days off" (empty in the demo) stay narrow."""
    demo_window.resize(1920, 1080)
    demo_window.show_tab(title)
    tab = demo_window.tab_named(title)
    qtbot.waitUntil(lambda: tab.model.rowCount() > 3, timeout=WAIT_MS)
    wait_settled(lambda: True, WAIT_S)
    last = tab.model.columnCount() - 1
    needed = max(
        tab.table.sizeHintForColumn(last), tab.table.horizontalHeader().sectionSizeHint(last)
    )
    assert tab.table.horizontalHeader().sectionSize(last) <= needed + 20
