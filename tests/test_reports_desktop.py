"""The Reports tab: only for managers and admins, numbers from the service, never blocking."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from core.infra.actor import Actor
from core.infra.db import Database
from desktop.backend import LocalBackend
from desktop.main_window import MainWindow
from desktop.reports import ReportsTab
from desktop.reports.reports_tab import SCREENS
from tests.reports_data import build_known

TIMEOUT_MS = 20_000


def window_for(db: Database, role: str, tmp_path: Path, qtbot: object) -> MainWindow:
    backend = LocalBackend(db, Actor(f"A {role}", role, user_id=1))
    settings = QSettings(str(tmp_path / f"{role}.ini"), QSettings.Format.IniFormat)
    window = MainWindow(backend, settings)
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.resize(1200, 800)
    window.show()
    return window


def open_reports(window: MainWindow) -> ReportsTab:
    """Reports are worked out only once the tab is first shown."""
    window.show_tab("Reports")
    tab = window.tab_named("Reports")
    assert isinstance(tab, ReportsTab)
    return tab


def reports_visible(window: MainWindow) -> bool:
    index = window.tab_widget.indexOf(window.tab_named("Reports"))
    return window.tab_widget.isTabVisible(index)


@pytest.mark.parametrize(
    ("role", "visible"),
    [("manager", True), ("admin", True), ("reception", False), ("trainer", False)],
)
def test_reports_tab_only_for_managers_and_admins(
    sqlite_db: Database, tmp_path: Path, qtbot: object, role: str, visible: bool
) -> None:
    window = window_for(sqlite_db, role, tmp_path, qtbot)
    assert reports_visible(window) is visible
    tab = window.tab_named("Reports")
    assert isinstance(tab, ReportsTab) and tab.report is None  # nothing run until opened


def test_each_screen_shows_the_service_numbers_and_exports_csv(
    sqlite_db: Database, tmp_path: Path, qtbot: object
) -> None:
    build_known(sqlite_db)
    window = window_for(sqlite_db, "manager", tmp_path, qtbot)
    tab = open_reports(window)
    qtbot.waitUntil(lambda: tab.report is not None, timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    assert tab.report is not None and tab.report.name == "utilisation"
    by_venue = {
        tab.proxy.index(r, 0).data(): tab.proxy.index(r, 5).data()
        for r in range(tab.proxy.rowCount())
    }
    assert by_venue == {"Leeds": "45.5%", "Sheffield": "50.0%", "York": "16.7%"}

    tab.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)  # utilisation, highest first
    assert [tab.proxy.index(r, 0).data() for r in range(3)] == ["Sheffield", "Leeds", "York"]

    for row, screen in enumerate(SCREENS):
        with qtbot.waitSignal(tab.shown, timeout=TIMEOUT_MS) as shown:  # type: ignore[attr-defined]
            if row:
                tab.screens.setCurrentRow(row)
            else:
                tab.refresh()
        assert shown.args == [screen.name]

    tab.screens.setCurrentRow(3)  # revenue
    qtbot.waitUntil(  # type: ignore[attr-defined]
        lambda: tab.report is not None and tab.report.name == "revenue", timeout=TIMEOUT_MS
    )
    out = tmp_path / "revenue.csv"
    tab.write_csv(out)
    qtbot.waitUntil(lambda: tab.summary.text() == "Saved revenue.csv", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    rows = {r["group_id"]: r for r in csv.DictReader(out.read_text("utf-8").splitlines())}
    assert rows["leeds"]["net_pence"] == "1162.50"


def test_a_bad_filter_shows_the_message_instead_of_a_report(
    sqlite_db: Database, tmp_path: Path, qtbot: object
) -> None:
    window = window_for(sqlite_db, "manager", tmp_path, qtbot)
    tab = open_reports(window)
    qtbot.waitUntil(lambda: tab.report is not None, timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    tab.date_from.setDate(tab.date_to.date().addDays(1))
    tab.refresh()
    qtbot.waitUntil(lambda: "after the 'to' date" in tab.summary.text(), timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    assert not tab.progress.isVisible()
