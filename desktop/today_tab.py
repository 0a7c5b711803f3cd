"""Today: the desk's home page. Courses today and tomorrow with who is expected, bookings
waiting for money (oldest first, with what is owed) and the latest bookings; every booking
row opens that booking (double-click or Enter). Kept current from booking and payment
changes, and every minute while shown."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.api import desk
from core.api.results.bookings import AwaitingPayment, BookingSummary, Today
from core.api.results.sessions import SessionDay, TodaySession
from core.infra.clock import to_london, today_london, uk_date
from core.infra.money import gbp
from core.models.statuses import BookingStatus, SessionStatus
from desktop.backend import Backend
from desktop.tasks import ApiOp, plain_message
from desktop.wording import plural

REFERENCE = Qt.ItemDataRole.UserRole  # the booking reference a row opens
SESSION_KEY = Qt.ItemDataRole.UserRole + 1  # "session id:day" of a course row
RELOAD_MS = 800  # changes arriving together are shown with one reload
LIVE_KINDS = frozenset({"booking", "payment"})  # seat holds (session changes) come often
REFRESH_MS = 60_000  # and once a minute anyway: a session moved or cancelled, a new day
STATUS_TEXT: dict[str, str] = {
    BookingStatus.PENDING_PAYMENT: "Awaiting payment",
    BookingStatus.CONFIRMED: "Confirmed",
    BookingStatus.CANCELLED: "Cancelled",
}


def _times(session: TodaySession, on: date) -> str:
    """Start–end of the session's teaching day ``on`` (24-hour), with "day 2 of 3"."""
    days = session.days or [SessionDay(start=session.start, end=session.end)]
    for number, day in enumerate(days, start=1):
        start, end = to_london(day.start), to_london(day.end)
        if start.date() == on:
            of = f" (day {number} of {len(days)})" if len(days) > 1 else ""
            return f"{start:%H:%M}–{end:%H:%M}{of}"
    return f"{to_london(session.start):%H:%M}"


def _list(columns: tuple[str, ...]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(list(columns))
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    tree.header().setStretchLastSection(True)
    return tree


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionHeading")
    label.setWordWrap(True)
    return label


NEEDS_COLUMN = 3  # "Trainer · needs": free text, the column that can use spare width


class TodayTab(QWidget):
    """Today's and tomorrow's courses, money still owed, recent bookings."""

    def __init__(self, backend: Backend, window: Any = None) -> None:
        super().__init__()
        self.backend = backend
        self.window_ = window
        self.day = today_london()
        self.shown_day = self.day  # the day of the board on show
        self.expanded: dict[str, bool] = {}  # course rows opened or closed by hand

        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.summary = QLabel("Loading today's work…")
        self.summary.setWordWrap(True)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.clicked.connect(self.reload)
        self.new_button = QPushButton("New &booking…")
        self.new_button.clicked.connect(self._new_booking)
        self.new_button.setVisible(window is not None)

        self.courses = QTreeWidget()
        self.courses.setHeaderLabels(
            ["Time", "Course · attendee", "Venue · booking", "Trainer · needs", "Seats · to pay"]
        )
        self.courses.setUniformRowHeights(True)
        self.courses.setAlternatingRowColors(True)
        header = self.courses.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)  # seats and money are short: spare width goes to needs
        header.setSectionResizeMode(NEEDS_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.courses.setAccessibleName("Courses today and tomorrow")
        self.awaiting = _list(("Booked", "Reference", "Customer", "Owed", "Course date", "Course"))
        self.awaiting.setAccessibleName("Bookings awaiting payment")
        self.recent = _list(("Booked", "Reference", "Customer", "Total", "Status", "Course"))
        self.recent.setAccessibleName("Recent bookings")
        self.awaiting_label = _heading("Awaiting payment")
        self.recent_label = _heading("Recent bookings")
        for tree in (self.courses, self.awaiting, self.recent):
            tree.itemActivated.connect(self._activated)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.summary, 1)
        top.addWidget(self.new_button)
        top.addWidget(self.refresh_button)
        top_part = QWidget()
        top_layout = QVBoxLayout(top_part)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(_heading("Courses today and tomorrow"))
        top_layout.addWidget(self.courses, 1)
        lists = QSplitter()
        for label, tree in ((self.awaiting_label, self.awaiting), (self.recent_label, self.recent)):
            part = QWidget()
            part_layout = QVBoxLayout(part)
            part_layout.setContentsMargins(0, 0, 0, 0)
            part_layout.addWidget(label)
            part_layout.addWidget(tree, 1)
            lists.addWidget(part)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top_part)
        splitter.addWidget(lists)
        splitter.setSizes([420, 330])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(QLabel("Double-click a row (or press Enter) to open the booking."))
        layout.addWidget(splitter, 1)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_MS)
        self._reload_timer.timeout.connect(self.reload)
        self._minute_timer = QTimer(self)
        self._minute_timer.setInterval(REFRESH_MS)
        self._minute_timer.timeout.connect(self._every_minute)
        self._minute_timer.start()
        backend.changed.connect(self._on_change)
        self.reload()

    # -- loading ----------------------------------------------------------------------
    def reload(self) -> None:
        self.day = today_london()
        ApiOp(self, self.backend, desk.desk_today, desk.TodayParams(day=self.day)).success(
            self._show
        ).failure(lambda e: self.summary.setText(plain_message(e))).run()

    def _on_change(self, message: dict[str, Any]) -> None:
        if message.get("kind") in LIVE_KINDS:
            self._reload_timer.start()

    def _every_minute(self) -> None:
        if self.isVisible() or today_london() != self.day:
            self.reload()

    def _show(self, board: Today) -> None:
        """Fill the lists, keeping where the receptionist had scrolled to and what they had
        opened or closed (a reload every minute must not move the page under them)."""
        trees = (self.courses, self.awaiting, self.recent)
        scrolled = [tree.verticalScrollBar().value() for tree in trees]
        self._remember_expanded()
        self.shown_day = board.day
        self.title.setText(uk_date(board.day))
        self._show_courses(board.sessions)
        self._show_awaiting(board.awaiting_payment)
        self._show_recent(board.recent)
        for tree, value in zip(trees, scrolled, strict=True):
            tree.verticalScrollBar().setValue(value)

    def _remember_expanded(self) -> None:
        tops = (self.courses.topLevelItem(i) for i in range(self.courses.topLevelItemCount()))
        for item in (top for top in tops if top is not None):
            for child in (item.child(j) for j in range(item.childCount())):
                key = child.data(0, SESSION_KEY) if child is not None else None
                if child is not None and key:
                    self.expanded[key] = child.isExpanded()

    def _show_courses(self, sessions: list[TodaySession]) -> None:
        self.courses.clear()
        today = self.shown_day
        counts = {"today": 0, "people": 0, "tomorrow": 0}
        for when, label in (
            (today, "Today"),
            (date.fromordinal(today.toordinal() + 1), "Tomorrow"),
        ):
            on_day = [s for s in sessions if s.on == when]
            header = QTreeWidgetItem([label, uk_date(when), "", "", plural(len(on_day), "course")])
            bold = QFont()
            bold.setBold(True)
            for column in range(5):
                header.setFont(column, bold)
            self.courses.addTopLevelItem(header)
            if not on_day:
                QTreeWidgetItem(header, ["", "No courses."])
            for session in on_day:
                self._add_session(header, session, when)
            header.setExpanded(True)
            key = "today" if label == "Today" else "tomorrow"
            counts[key] = len(on_day)
            if label == "Today":
                counts["people"] = sum(
                    len(s.expected) for s in on_day if s.status != SessionStatus.CANCELLED
                )
        self.summary.setText(
            f"{plural(counts['today'], 'course')} today with "
            f"{plural(counts['people'], 'person', 'people')} expected; "
            f"{plural(counts['tomorrow'], 'course')} tomorrow."
        )

    def _add_session(self, parent: QTreeWidgetItem, session: TodaySession, on: date) -> None:
        where = session.venue_name + (f", {session.room}" if session.room else "")
        people = session.expected
        cancelled = session.status == SessionStatus.CANCELLED
        seats = (
            "Cancelled"
            if cancelled
            else f"{session.booked} of {session.capacity} booked, {session.free} free"
        )
        item = QTreeWidgetItem(
            parent,
            [
                _times(session, on),
                session.course_name,
                where,
                session.trainer or "No trainer yet",
                seats,
            ],
        )
        item.setToolTip(1, f"{plural(len(people), 'attendee')} expected")
        key = f"{session.id}:{on.isoformat()}"
        item.setData(0, SESSION_KEY, key)
        for person in people:
            owed = f"owes {gbp(person.due_pence)}" if person.due_pence else "paid"
            child = QTreeWidgetItem(
                item,
                ["", person.name, person.reference, person.special_requirements or "", owed],
            )
            child.setData(0, REFERENCE, person.reference)
        shown_first = on == self.shown_day and not cancelled
        item.setExpanded(self.expanded.get(key, shown_first))

    def _show_awaiting(self, awaiting: AwaitingPayment) -> None:
        self.awaiting.clear()
        shown = awaiting.bookings
        more = f"; the oldest {len(shown)} shown" if awaiting.count > len(shown) else ""
        self.awaiting_label.setText(
            f"Awaiting payment: {plural(awaiting.count, 'booking')} owe "
            f"{gbp(awaiting.due_pence)}, oldest first{more}"
        )
        for b in shown:
            item = QTreeWidgetItem(
                [
                    uk_date(to_london(b.created_at)),
                    b.reference,
                    b.customer,
                    gbp(b.due_pence),
                    uk_date(to_london(b.session_start)),
                    b.course_name,
                ]
            )
            item.setData(0, REFERENCE, b.reference)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.awaiting.addTopLevelItem(item)

    def _show_recent(self, recent: list[BookingSummary]) -> None:
        self.recent.clear()
        for b in recent:
            booked = to_london(b.created_at)
            item = QTreeWidgetItem(
                [
                    f"{uk_date(booked)} {booked:%H:%M}",
                    b.reference,
                    b.customer,
                    gbp(b.total_pence),
                    STATUS_TEXT.get(b.status, b.status),
                    b.course_name,
                ]
            )
            item.setData(0, REFERENCE, b.reference)
            self.recent.addTopLevelItem(item)

    # -- opening ----------------------------------------------------------------------
    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        reference = item.data(0, REFERENCE)
        if reference and self.window_ is not None:
            self.window_.open_booking(reference)

    def _new_booking(self) -> None:
        if self.window_ is not None:
            self.window_.new_booking()
