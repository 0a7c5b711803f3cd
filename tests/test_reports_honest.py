"""Reports that do not mislead: sessions run and to come apart, an empty heat-map cell told
from 0%, a forecast without empty months, and a PDF naming the company, pages and filters."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCharts import QValueAxis
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from reportlab import rl_config

from core import reports
from core.infra.actor import Actor
from core.infra.db import Database
from core.reports import ReportFilter
from core.reports.chart_data import chart_data, heat_grid
from core.reports.pdf import to_pdf
from desktop.backend import LocalBackend
from desktop.main_window import MainWindow
from desktop.reports import ReportsTab
from desktop.reports.charts import build_chart
from desktop.reports.heatmap import cell_text
from desktop.reports.reports_tab import SCREENS
from desktop.tasks import pool
from tests.reports_data import build_known


def run(db: Database, name: str, by: str | None = None, **flt: object) -> reports.Report:
    with db.read() as tx:
        return reports.run(tx, name, ReportFilter(**flt), by)  # type: ignore[arg-type]


def test_utilisation_shows_sessions_run_and_to_come_apart(sqlite_db: Database) -> None:
    build_known(sqlite_db)
    rows = {r["group_id"]: r for r in run(sqlite_db, "utilisation", "venue").rows}
    # Sheffield's S5 ran a fortnight ago (4 of 8); Leeds' S1 and S2 are still to come.
    assert (rows["sheffield"]["run_pct"], rows["sheffield"]["to_come_pct"]) == (50.0, None)
    assert (rows["leeds"]["run_pct"], rows["leeds"]["to_come_sessions"]) == (None, 2)
    assert rows["leeds"]["to_come_pct"] == pytest.approx(45.5)

    trend = run(sqlite_db, "utilisation", "week")
    data = chart_data(trend)
    run_line, to_come = data.series
    assert run_line.label == "Utilisation of sessions run"
    assert to_come.label == "Booked so far, sessions to come"
    assert run_line.values.count(None) == len(data.categories) - 1  # no fake 0% weeks
    assert [v for v in run_line.values if v is not None] == [50.0]


def test_the_desk_charts_leave_out_what_is_not_there(qtbot: QtBot, sqlite_db: Database) -> None:
    build_known(sqlite_db)
    chart = build_chart(run(sqlite_db, "utilisation", "week"))
    lines = {s.name(): s.count() for s in chart.series()}
    assert lines["Utilisation of sessions run"] == 1  # one week ran: one point, no zeros
    assert lines["Booked so far, sessions to come"] >= 2


def test_an_empty_heat_map_cell_is_not_zero_percent(sqlite_db: Database) -> None:
    build_known(sqlite_db)
    grid = heat_grid(run(sqlite_db, "utilisation", "weekday-time"))
    values = [v for row in grid.values for v in row]
    assert None in values and grid.label == "Utilisation of sessions run"
    assert cell_text(None) == "no sessions" and cell_text(0.0) == "0.0%"


def test_the_forecast_chart_shows_only_months_with_something_due(sqlite_db: Database) -> None:
    build_known(sqlite_db)
    report = run(sqlite_db, "forecast")
    months = {r["month"] for r in report.rows}
    assert len(chart_data(report).categories) == len(months)


def test_the_pdf_names_the_company_the_pages_and_the_filters(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_known(sqlite_db)
    monkeypatch.setattr(rl_config, "pageCompression", 0)
    report = run(
        sqlite_db, "utilisation", "venue", date_from=date(2026, 1, 1), date_to=date(2027, 12, 31)
    )
    pdf = to_pdf(report)
    assert b"RFT First Aid Training" in pdf and b"Page 1" in pdf
    assert b"Thu 1 Jan 2026" in pdf and b"Fri 31 Dec 2027" in pdf


def test_date_filters_a_report_ignores_are_disabled_and_ignored(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    build_known(sqlite_db)
    every = run(sqlite_db, "underfilled")
    far = run(sqlite_db, "underfilled", date_from=date(2030, 1, 1), date_to=date(2030, 2, 1))
    assert far.rows == every.rows and far.filters["date_from"] is None

    backend = LocalBackend(sqlite_db, Actor("A manager", "manager", user_id=1))
    window = MainWindow(backend, QSettings(str(tmp_path / "m.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show_tab("Reports")
    tab = window.tab_named("Reports")
    assert isinstance(tab, ReportsTab)
    titles = [s.title for s in SCREENS]
    tab.screens.setCurrentRow(titles.index("Under-filled sessions"))
    assert not tab.date_from.isEnabled() and "next 7 days" in tab.date_from.toolTip()
    assert "date_from" not in tab.params()
    tab.screens.setCurrentRow(titles.index("Revenue"))
    assert tab.date_from.isEnabled() and "date_from" in tab.params()
    pool().waitForDone(10_000)
    backend.close()


def test_revenue_and_conversion_count_the_same_bookings_and_say_which(
    sqlite_db: Database,
) -> None:
    known = build_known(sqlite_db)
    revenue, conversion = run(sqlite_db, "revenue"), run(sqlite_db, "conversion")
    assert revenue.totals is not None and conversion.totals is not None
    assert revenue.totals["bookings"] == conversion.totals["bookings"]
    assert revenue.totals["seats"] == conversion.totals["seats"]
    said = [n for n in revenue.notes if n.startswith("Bookings counted")]
    assert said and said[0] in conversion.notes
    assert known.sessions  # the shared data set was used


def _axis_label(report: reports.Report, value: float) -> str:
    """How Qt Charts writes ``value`` on the report chart's value axis: with localised
    numbers, the number in the chart's locale and the format's other text as it stands."""
    chart = build_chart(report)
    axis = chart.axes(Qt.Orientation.Vertical)[0]
    assert isinstance(axis, QValueAxis) and chart.localizeNumbers()
    return axis.labelFormat().replace("%.0f", chart.locale().toString(float(value), "f", 0))


def test_axes_are_written_in_pounds_and_percent(qtbot: QtBot, sqlite_db: Database) -> None:
    build_known(sqlite_db)
    assert _axis_label(run(sqlite_db, "revenue", "venue"), 40000) == "£40,000"
    assert _axis_label(run(sqlite_db, "utilisation", "week"), 100) == "100%"


def test_a_wide_report_scrolls_rather_than_wrap_its_first_column(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    build_known(sqlite_db)
    backend = LocalBackend(sqlite_db, Actor("A manager", "manager", user_id=1))
    window = MainWindow(backend, QSettings(str(tmp_path / "m.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.show_tab("Reports")
    tab = window.tab_named("Reports")
    assert isinstance(tab, ReportsTab)
    tab.screens.setCurrentRow([s.title for s in SCREENS].index("Fill trend"))
    qtbot.waitUntil(lambda: tab.report is not None and tab.report.name == "utilisation")
    qtbot.waitUntil(lambda: tab.proxy.rowCount() > 0)
    header = tab.table.horizontalHeader()
    week = max(tab.table.sizeHintForColumn(0), header.sectionSizeHint(0))
    assert header.sectionSize(0) >= week  # "Mon 7 Sep 2026" on one line, never cut
    assert tab.table.horizontalScrollBar().maximum() > 0  # the numbers scroll instead
    pool().waitForDone(10_000)
    backend.close()
