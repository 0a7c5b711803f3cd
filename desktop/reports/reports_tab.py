"""The Reports tab: pick a report on the left, filter at the top, chart above a sortable table.

Reports are computed by ``reports.run`` on a worker thread (local database or server), so
the window never freezes; a busy bar shows while one is running and a newer request always
wins over an older one still in flight. Export writes the shown report as CSV or A4 PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCharts import QChartView
from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.infra.clock import today_london
from core.reports.chart_data import heat_grid
from core.reports.export import display_rows, filter_summary, to_csv
from core.reports.model import DEFAULT_WEEKS, Report
from core.reports.pdf import to_pdf
from desktop import layouts
from desktop.backend import Backend
from desktop.catalogue_cache import CatalogueCache
from desktop.reports.charts import RENDER_HINT, build_chart
from desktop.reports.heatmap import HeatMap
from desktop.reports.table_model import SORT_ROLE, ReportTableModel
from desktop.style_sheet import set_state
from desktop.tasks import BackendOp, Op, plain_message
from desktop.uk_dates import HINT, date_edit

SESSION_GROUPS = (
    ("venue", "Venue"),
    ("course", "Course"),
    ("month", "Month"),
    ("week", "Week"),
    ("trainer", "Trainer"),
)


@dataclass(frozen=True)
class Screen:
    """One entry in the report list: which report, grouped how, and what may be changed."""

    title: str
    name: str
    by: str | None = None
    groups: tuple[tuple[str, str], ...] = ()
    undated: str = ""  # why the date filters do not apply (they are disabled)


SCREENS: tuple[Screen, ...] = (
    Screen("Utilisation", "utilisation", "venue", SESSION_GROUPS),
    Screen("Fill trend", "utilisation", "week", (("week", "Week"), ("month", "Month"))),
    Screen("Weekday × time", "utilisation", "weekday-time"),
    Screen("Revenue", "revenue", "venue", SESSION_GROUPS),
    Screen("Cancellations & no-shows", "cancellations", "venue", SESSION_GROUPS),
    Screen(
        "Booking lead time",
        "lead-time",
        "lead-time",
        (("lead-time", "Days ahead"), *SESSION_GROUPS),
    ),
    Screen("Conversion by channel", "conversion"),
    Screen(
        "Under-filled sessions",
        "underfilled",
        undated="Under-filled sessions are always those starting in the next 7 days.",
    ),
    Screen(
        "Requalification forecast",
        "forecast",
        undated="The forecast always looks 12 months ahead.",
    ),
)


def totals_line(report: Report) -> str:
    """``Total · Sessions: 295 · Seats: 3,540 · ...`` from the report's totals row."""
    if not report.totals or not report.rows:
        return ""
    cells = display_rows(report)[-1]
    parts = [f"{c.label}: {v}" for c, v in zip(report.columns[1:], cells[1:], strict=True) if v]
    return " · ".join(["Total", *parts])


def pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ReportsTab(QWidget):
    """Managers' reports. ``shown`` fires with the report name each time one is displayed."""

    shown = Signal(str)

    def __init__(self, backend: Backend, window: Any = None) -> None:
        super().__init__()
        self.backend = backend
        self.report: Report | None = None
        self._request = 0
        self.catalogue = CatalogueCache.of(backend)

        self.screens = QListWidget()
        self.screens.addItems([s.title for s in SCREENS])
        self.screens.setObjectName("reportScreens")
        self.screens.currentRowChanged.connect(self._screen_changed)

        today = today_london()
        self.date_from = self._date_edit(today - timedelta(weeks=DEFAULT_WEEKS))
        self.date_to = self._date_edit(today + timedelta(weeks=DEFAULT_WEEKS))
        self.venue = QComboBox()
        self.course = QComboBox()
        self.group_by = QComboBox()
        for combo in (self.venue, self.course, self.group_by):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(14)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.csv_button = QPushButton("Export CSV…")
        self.pdf_button = QPushButton("Export PDF…")
        self.csv_button.clicked.connect(self.export_csv)
        self.pdf_button.clicked.connect(self.export_pdf)

        self.group_label = QLabel("Group by")
        filters = QFormLayout()
        filters.addRow("From", self.date_from)
        filters.addRow("To", self.date_to)
        filters.addRow("Venue", self.venue)
        filters.addRow("Course", self.course)
        filters.addRow(self.group_label, self.group_by)
        filters.addRow(self.refresh_button)
        filter_box = QGroupBox("Filters")
        filter_box.setLayout(filters)
        sidebar = QWidget()
        sidebar.setFixedWidth(250)
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(QLabel("<b>Reports</b>"))
        side.addWidget(self.screens, 1)
        side.addWidget(filter_box)

        self.heading = QLabel()
        self.heading.setObjectName("reportHeading")
        self.summary = QLabel()
        self.summary.setObjectName("reportSummary")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(6)
        self.progress.setTextVisible(False)
        self.progress.hide()

        self.chart_view = QChartView()
        self.chart_view.setRenderHint(RENDER_HINT)
        self.chart_view.setMinimumHeight(260)
        self.heatmap = HeatMap()
        self.chart_stack = QStackedWidget()
        self.chart_stack.addWidget(self.chart_view)
        self.chart_stack.addWidget(self.heatmap)

        self.model = ReportTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.columns = layouts.ShareWidth(self.table, (), elide=False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.totals.setObjectName("reportTotals")
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setObjectName("reportNotes")

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.table)
        lower_layout.addWidget(self.totals)
        lower_layout.addWidget(self.notes)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.chart_stack)
        splitter.addWidget(lower)
        splitter.setSizes([330, 300])

        exports = QHBoxLayout()
        exports.addWidget(self.summary, 1)
        exports.addWidget(self.csv_button)
        exports.addWidget(self.pdf_button)

        right = QVBoxLayout()
        right.addWidget(self.progress)
        right.addWidget(self.heading)
        right.addWidget(splitter, 1)
        right.addLayout(exports)
        layout = QHBoxLayout(self)
        layout.addWidget(sidebar)
        layout.addLayout(right, 1)

        self.catalogue.loaded.connect(self._fill_catalogue)
        self._set_exports(False)
        self._opened = False
        self.screens.blockSignals(True)
        self.screens.setCurrentRow(0)
        self.screens.blockSignals(False)
        self._screen_changed(0, run=False)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Nothing is computed until a manager first opens the tab."""
        super().showEvent(event)
        if not self._opened:
            self._opened = True
            self.catalogue.load(self)
            self.refresh()

    # -- filters ----------------------------------------------------------------------
    def _date_edit(self, day: date) -> QDateEdit:
        return date_edit(day)

    def _fill_catalogue(self) -> None:
        for combo, items, everything in (
            (self.venue, self.catalogue.venues, "All venues"),
            (self.course, self.catalogue.courses, "All courses"),
        ):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            for item in items:
                combo.addItem(item.name, item.id)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)

    @property
    def chosen(self) -> Screen:
        return SCREENS[max(0, self.screens.currentRow())]

    def _screen_changed(self, _row: int, run: bool = True) -> None:
        screen = self.chosen
        self.group_by.clear()
        for key, label in screen.groups:
            self.group_by.addItem(label, key)
        self.group_by.setEnabled(bool(screen.groups))
        self.group_label.setEnabled(bool(screen.groups))
        self.date_from.setEnabled(not screen.undated)
        self.date_to.setEnabled(not screen.undated)
        self.date_from.setToolTip(screen.undated or HINT)
        self.date_to.setToolTip(screen.undated or HINT)
        if run:
            self.refresh()

    def params(self) -> dict[str, Any]:
        """The ``reports.run`` parameters for the current screen and filters."""
        screen = self.chosen
        params: dict[str, Any] = {"name": screen.name}
        by = self.group_by.currentData() if screen.groups else screen.by
        if by:
            params["by"] = by
        if not screen.undated:
            params["date_from"] = pydate(self.date_from.date()).isoformat()
            params["date_to"] = pydate(self.date_to.date()).isoformat()
        for key, combo in (("venue", self.venue), ("course", self.course)):
            if combo.currentData():
                params[key] = combo.currentData()
        return params

    # -- running ----------------------------------------------------------------------
    def refresh(self) -> None:
        self._request += 1
        request = self._request
        self.progress.show()
        self.summary.setText(f"Working out {self.chosen.title.lower()}…")
        BackendOp(self, self.backend, "reports.run", self.params()).success(
            lambda result: self._arrived(request, result)
        ).failure(lambda error: self._failed(request, error)).run()

    def _arrived(self, request: int, result: dict[str, Any]) -> None:
        if request != self._request:
            return  # a newer request is on its way
        self.progress.hide()
        self.show_report(Report.from_json(result))

    def _failed(self, request: int, error: BaseException) -> None:
        if request != self._request:
            return
        self.progress.hide()
        self.summary.setText(plain_message(error))
        set_state(self.summary, "error")

    def show_report(self, report: Report) -> None:
        self.report = report
        self.heading.setText(report.title)
        set_state(self.summary, "")
        self.summary.setText(
            f"{filter_summary(report)} · {len(report.rows)} row"
            f"{'s' if len(report.rows) != 1 else ''}"
        )
        if report.chart.get("type") == "heatmap":
            self.heatmap.set_grid(heat_grid(report))
            self.chart_stack.setCurrentWidget(self.heatmap)
        else:
            old = self.chart_view.chart()
            self.chart_view.setChart(build_chart(report))
            if old is not None:
                old.deleteLater()
            self.chart_stack.setCurrentWidget(self.chart_view)
        self.model.set_report(report)
        self._fit_columns(report)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)
        self.totals.setText(totals_line(report))
        self.notes.setText("  ".join(report.notes))
        self._set_exports(True)
        self.shown.emit(report.name)

    def _fit_columns(self, report: Report) -> None:
        """Numbers sized to their contents; the first wordy column takes the spare width, and
        keeps its contents' width when the numbers need more room (the table scrolls)."""
        wordy = next(
            (i for i, c in enumerate(report.columns) if c.key == "group" or c.key == "course"), 0
        )
        self.columns.set_flexible((wordy,))

    # -- export -----------------------------------------------------------------------
    def _set_exports(self, enabled: bool) -> None:
        self.csv_button.setEnabled(enabled)
        self.pdf_button.setEnabled(enabled)

    def _suggested(self, suffix: str) -> str:
        assert self.report is not None
        by = f"-by-{self.report.by}" if self.report.by else ""
        return f"{self.report.name}{by}-{today_london().isoformat()}.{suffix}"

    def export_csv(self) -> None:
        if self.report is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export CSV", self._suggested("csv"), "CSV files (*.csv)"
        )
        if path:
            self.write_csv(Path(path))

    def export_pdf(self) -> None:
        if self.report is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export PDF", self._suggested("pdf"), "PDF files (*.pdf)"
        )
        if path:
            self.write_pdf(Path(path))

    def write_csv(self, path: Path) -> Op[int]:
        report = self.report
        assert report is not None
        op = Op(self, lambda: path.write_text(to_csv(report), encoding="utf-8", newline=""))
        op.success(lambda _r: self.summary.setText(f"Saved {path.name}")).run()
        return op

    def write_pdf(self, path: Path) -> Op[bytes]:
        report = self.report
        assert report is not None
        op = Op(self, lambda: to_pdf(report, path))
        op.success(lambda _r: self.summary.setText(f"Saved {path.name}")).run()
        return op
