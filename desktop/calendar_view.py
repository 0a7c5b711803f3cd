"""The month calendar: a dot per session in its course colour, seats left, and the day's list.

Data comes from ``sessions.month`` (one call per month shown) and the chosen day's sessions
from ``sessions.list``; session changes re-read both, debounced, so seats stay live.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import RootModel
from PySide6.QtCore import QDate, QRect, Qt, QTimer
from PySide6.QtGui import QFont, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QCalendarWidget,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.api import sessions as sessions_api
from core.api.results.sessions import Month, MonthEntry, Session
from core.infra.clock import today_london, uk_date
from core.models.statuses import SessionStatus
from desktop import layouts, style_sheet
from desktop.backend import Backend
from desktop.catalogue_cache import CatalogueCache
from desktop.session_data import SessionRow, course_code, session_change
from desktop.session_list import ROW_ROLE, SessionTableModel
from desktop.tasks import ApiOp, plain_message

RELOAD_DEBOUNCE_MS = 250
DAY_COLUMNS_SHOWN = (1, 2, 5, 6)  # course, venue, free seats, status
DAY_NAMES = (1, 2)  # course and venue: elided alike when the day list is narrow


def chip_text(session: MonthEntry) -> str:
    """The course code, and which day of a course of several days: ``FAW 2/3``."""
    code = course_code(session.course_name)
    return f"{code} {session.day}/{session.day_count}" if session.day_count > 1 else code


def later_day(session: SessionRow, day: date) -> str:
    """``This is day 2 of 3.`` and a line break when ``day`` is a later day of the session."""
    days = session.teaching_days
    if day not in days[1:]:
        return ""
    return f"This is day {days.index(day) + 1} of {len(days)}.\n"


class MonthGrid(QCalendarWidget):
    """A calendar whose cells show a chip per session (the course's code on its colour, so
    courses are told apart without colour) and how many seats are left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: dict[date, list[MonthEntry]] = {}
        self.setNavigationBarVisible(False)
        self.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.setHorizontalHeaderFormat(QCalendarWidget.HorizontalHeaderFormat.ShortDayNames)
        self.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.setGridVisible(True)

    def set_days(self, days: dict[date, list[MonthEntry]]) -> None:
        self.days = days
        self.updateCells()

    def chips_on(self, day: date) -> list[str]:
        """What the day's cell says about each session: its chip's text, "(cancelled)"."""
        return [
            chip_text(s) + (" (cancelled)" if s.status == SessionStatus.CANCELLED else "")
            for s in self.days.get(day, [])
        ]

    @staticmethod
    def _paint_chip(painter: QPainter, box: QRect, code: str, session: MonthEntry) -> None:
        """The course code on the course colour; a cancelled session faded and struck out."""
        colour = style_sheet.course_colour(session.colour)
        cancelled = session.status == SessionStatus.CANCELLED
        if cancelled:
            colour.setAlpha(60)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(box, 3, 3)
        painter.setPen(style_sheet.colour("ink") if cancelled else style_sheet.text_on(colour))
        font = QFont(painter.font())
        font.setStrikeOut(cancelled)
        painter.setFont(font)
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), code)

    def paintCell(self, painter: QPainter, rect: QRect, qdate: QDate | date) -> None:  # noqa: N802
        day = qdate.toPython() if isinstance(qdate, QDate) else qdate
        assert isinstance(day, date)
        in_month = day.month == self.monthShown()
        selected = day == self.selectedDate().toPython()
        painter.save()
        palette = self.palette()
        if selected:
            painter.fillRect(rect, palette.highlight())
        elif not in_month:
            painter.fillRect(rect, palette.alternateBase())
        text_colour = palette.highlightedText().color() if selected else palette.text().color()
        if not in_month:
            text_colour = palette.placeholderText().color()
        metrics = painter.fontMetrics()
        pad = max(3, metrics.height() // 5)
        number_font = QFont(painter.font())
        number_font.setBold(day == today_london())
        painter.setFont(number_font)
        painter.setPen(text_colour)
        painter.drawText(
            rect.adjusted(pad, pad, -pad, -pad),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
            str(day.day),
        )
        sessions = self.days.get(day, []) if in_month else []
        if sessions:
            self._paint_sessions(painter, rect, sessions, pad, selected)
        if day == today_london():
            painter.setPen(QPen(style_sheet.colour("accent"), max(2, pad // 2)))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(1, 1, -2, -2))
        painter.restore()

    def _paint_sessions(
        self,
        painter: QPainter,
        rect: QRect,
        sessions: list[MonthEntry],
        pad: int,
        selected: bool,
    ) -> None:
        y = rect.top() + pad + painter.fontMetrics().height() + pad // 2
        chip_font = QFont(painter.font())
        chip_font.setBold(True)
        chip_font.setPointSizeF(max(6.0, chip_font.pointSizeF() * 0.75))
        painter.setFont(chip_font)
        metrics = painter.fontMetrics()
        height = metrics.height() + 2
        bottom = rect.bottom() - pad - metrics.height()  # room for the seats line
        x = rect.left() + pad
        for shown, s in enumerate(sessions):
            code = chip_text(s)
            width = metrics.horizontalAdvance(code) + 6
            if x + width > rect.right() - pad:
                x, y = rect.left() + pad, y + height + 2
            if y + height > bottom:  # no room: say how many more, bottom left
                painter.setPen(self.palette().text().color())
                painter.drawText(
                    rect.adjusted(pad, pad, -pad, -pad),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom),
                    f"+{len(sessions) - shown} more",
                )
                break
            self._paint_chip(painter, QRect(x, y, width, height), code, s)
            x += width + 3
        # seats free on the courses starting here (a later day's seats are its first day's)
        live = [s for s in sessions if s.status != SessionStatus.CANCELLED and s.day == 1]
        if not live:
            return
        free = sum(s.free for s in live)
        hint = "Full" if free == 0 else f"{free} free"
        small = QFont(painter.font())
        small.setBold(False)
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.85))
        painter.setFont(small)
        colour = style_sheet.colour("error") if free == 0 else self.palette().text().color()
        if selected:
            colour = self.palette().highlightedText().color()
        painter.setPen(colour)
        painter.drawText(
            rect.adjusted(pad, pad, -pad, -pad),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
            hint,
        )


class CalendarView(QWidget):
    """Month grid with navigation and legend on the left, the chosen day's sessions right."""

    def __init__(self, backend: Backend, window: Any = None) -> None:
        super().__init__()
        self.backend = backend
        self.window_ = window
        self.catalogue = CatalogueCache.of(backend)
        self.grid = MonthGrid()
        self.grid.setMinimumSize(420, 320)
        self.title = QLabel()
        title_font = self.title.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.4)
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.prev = QPushButton("◀ &Previous")
        self.today = QPushButton("&Today")
        self.next = QPushButton("&Next ▶")
        self.prev.clicked.connect(self.grid.showPreviousMonth)
        self.next.clicked.connect(self.grid.showNextMonth)
        self.today.clicked.connect(self.go_today)
        QShortcut(QKeySequence(Qt.Key.Key_PageUp), self, self.grid.showPreviousMonth)
        QShortcut(QKeySequence(Qt.Key.Key_PageDown), self, self.grid.showNextMonth)
        self.status = QLabel()
        self.legend = QGroupBox("Courses")
        self.legend_layout = QGridLayout(self.legend)

        self.day_title = QLabel()
        self.day_title.setFont(title_font)
        self.day_model = SessionTableModel(self)
        self.day_table = layouts.row_table(self.day_model)
        self.day_table.setWordWrap(False)
        for col in range(self.day_model.columnCount()):
            self.day_table.setColumnHidden(col, col not in DAY_COLUMNS_SHOWN)
        layouts.ShareWidth(self.day_table, DAY_NAMES)  # course and venue give way alike
        self.day_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.day_table.doubleClicked.connect(lambda _i: self.book_selected())
        self.day_empty = QLabel()
        self.day_detail = QLabel()
        self.day_detail.setWordWrap(True)
        self.day_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.day_detail.setAccessibleName("The chosen session in full")
        self.day_table.selectionModel().selectionChanged.connect(lambda *_: self._show_detail())
        self.book = QPushButton("&Book this session…")
        self.book.clicked.connect(self.book_selected)

        nav = QHBoxLayout()
        nav.addWidget(self.title, 1)
        nav.addWidget(self.prev)
        nav.addWidget(self.today)
        nav.addWidget(self.next)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(nav)
        left_layout.addWidget(self.grid, 1)
        left_layout.addWidget(self.status)
        left_layout.addWidget(self.legend)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.day_title)
        right_layout.addWidget(self.day_table, 1)
        right_layout.addWidget(self.day_detail)
        right_layout.addWidget(self.day_empty)
        right_layout.addWidget(self.book)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([700, 520])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        for a, b in (
            (self.prev, self.today),
            (self.today, self.next),
            (self.next, self.grid),
            (self.grid, self.day_table),
            (self.day_table, self.book),
        ):
            QWidget.setTabOrder(a, b)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DEBOUNCE_MS)
        self._reload_timer.timeout.connect(self.reload)
        self.grid.currentPageChanged.connect(lambda _y, _m: self.reload_month())
        self.grid.selectionChanged.connect(self.reload_day)
        self.catalogue.loaded.connect(self._fill_legend)
        self.catalogue.load(self)
        backend.changed.connect(self._on_change)
        self.reload()

    # -- loading ----------------------------------------------------------------------
    def reload(self) -> None:
        self.reload_month()
        self.reload_day()

    def reload_month(self) -> None:
        year, month = self.grid.yearShown(), self.grid.monthShown()
        self.title.setText(QDate(year, month, 1).toString("MMMM yyyy"))
        self.status.setText("Loading the month…")
        ApiOp(
            self, self.backend, sessions_api.month, sessions_api.MonthParams(year=year, month=month)
        ).success(lambda result: self._month_loaded(year, month, result)).failure(
            lambda e: self.status.setText(plain_message(e))
        ).run()

    def _month_loaded(self, year: int, month: int, result: Month) -> None:
        if (year, month) != (self.grid.yearShown(), self.grid.monthShown()):
            return  # the user has moved on; a newer load is on its way
        self.grid.set_days(result.days)
        listed = list({s.id: s for ss in result.days.values() for s in ss}.values())
        free = sum(s.free for s in listed if s.status != SessionStatus.CANCELLED)
        self.status.setText(
            f"{len(listed)} sessions this month, {free} seats free. "
            "Arrow keys move the day, Page Up/Down the month."
        )
        self._fill_legend(listed)

    def reload_day(self) -> None:
        day = self.selected_day()
        self.day_title.setText(uk_date(day))
        self.day_empty.setText("Loading…")
        ApiOp(
            self,
            self.backend,
            sessions_api.list_,
            sessions_api.ListParams(teaching_on=day),
        ).success(lambda result: self._day_loaded(day, result)).failure(
            lambda e: self.day_empty.setText(plain_message(e))
        ).run()

    def _day_loaded(self, day: date, result: RootModel[list[Session]]) -> None:
        if day != self.selected_day():
            return
        self.day_model.set_sessions([SessionRow.of(s) for s in result.root])
        count = self.day_model.rowCount()
        self.day_empty.setText(
            "No sessions on this day." if count == 0 else "Double-click a session to book it."
        )
        self.day_empty.setVisible(True)
        if count:
            self.day_table.selectRow(0)
        self.book.setEnabled(count > 0)

    def _show_detail(self) -> None:
        session = self.selected_session()
        if session is None:
            self.day_detail.setText("")
            return
        self.day_detail.setText(later_day(session, self.selected_day()) + session.description)

    def _fill_legend(self, listed: list[MonthEntry] | None = None) -> None:
        colours: dict[str, tuple[str, str | None]] = {
            c.id: (c.name, c.colour) for c in self.catalogue.courses
        }
        for s in listed or []:
            if colours.get(s.course, ("", None))[1] is None:
                colours[s.course] = (s.course_name, s.colour)
        layouts.clear(self.legend_layout)
        entries = sorted((name, colour) for name, colour in colours.values() if colour)
        for i, (name, colour) in enumerate(entries):
            text = style_sheet.text_on(style_sheet.course_colour(colour)).name()
            label = QLabel(
                f'<span style="background:{colour};color:{text};font-weight:bold">'
                f"&nbsp;{course_code(name)}&nbsp;</span> {name}"
            )
            self.legend_layout.addWidget(label, i // 3, i % 3)

    def _on_change(self, message: dict[str, Any]) -> None:
        session = session_change(message)
        if session is None:
            return
        self.day_model.update_session(session)
        shown = (self.grid.yearShown(), self.grid.monthShown())
        if any((d.year, d.month) == shown for d in session.teaching_days):
            self._reload_timer.start()

    # -- actions ----------------------------------------------------------------------
    def selected_day(self) -> date:
        day = self.grid.selectedDate().toPython()
        assert isinstance(day, date)
        return day

    def go_today(self) -> None:
        today = today_london()
        self.grid.setSelectedDate(QDate(today.year, today.month, today.day))
        self.grid.showToday()
        self.grid.setFocus()

    def selected_session(self) -> SessionRow | None:
        rows = self.day_table.selectionModel().selectedRows()
        if not rows:
            return None
        row: SessionRow = self.day_model.data(rows[0], ROW_ROLE)
        return row

    def book_selected(self) -> None:
        session = self.selected_session()
        if self.window_ is not None:
            self.window_.new_booking(session.raw if session else None)
