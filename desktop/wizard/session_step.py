"""Step 1: choose the course and the session (upcoming dates, seats live)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import RootModel
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.api import sessions as sessions_api
from core.api.results.sessions import Session
from core.infra.clock import today_london
from core.models.statuses import SessionStatus
from desktop import layouts
from desktop.backend import Backend
from desktop.catalogue_cache import CatalogueCache
from desktop.session_data import SessionRow
from desktop.session_list import COLUMNS, ROW_ROLE, SessionFilterProxy, SessionTableModel
from desktop.tasks import ApiOp, plain_message

WEEKS_AHEAD = 26


class SessionStep(QWidget):
    """Course filter and the bookable sessions; ``chosen`` fires on selection."""

    title = "Course & session"
    chosen = Signal(object)  # SessionRow | None

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.catalogue = CatalogueCache.of(backend)
        self.model = SessionTableModel(self)
        self.proxy = SessionFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.course = QComboBox()
        self.course.addItem("All courses", None)
        self.course.setAccessibleName("Course")
        self.course.currentIndexChanged.connect(self._filter)
        self.table = layouts.row_table(self.proxy, sortable=True)
        self.table.setWordWrap(False)
        self.table.setColumnHidden(3, True)  # trainer: not a booking decision; keeps Status in view
        # Course and venue give way (elided, in full in the tooltip) so Status never scrolls away.
        layouts.ShareWidth(self.table, (COLUMNS.index("Course"), COLUMNS.index("Venue")))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selected())
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setObjectName("sessionNotice")
        self.notice.hide()
        self.offers = QWidget()
        self._offer_row = QHBoxLayout(self.offers)
        self._offer_row.setContentsMargins(0, 0, 0, 0)
        self._offer_row.addStretch(1)
        self.offers.hide()
        self.offer_buttons: list[QPushButton] = []
        self.status = QLabel("Loading sessions…")
        top = QHBoxLayout()
        caption = QLabel("&Course")
        caption.setBuddy(self.course)
        top.addWidget(caption)
        top.addWidget(self.course, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.offers)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self._wanted: int | None = None
        self.catalogue.loaded.connect(self._fill_courses)
        self.catalogue.load(self)

    def load(self, select_id: int | None = None) -> None:
        self._wanted = select_id
        today = today_london()
        params = sessions_api.ListParams(
            date_from=today, date_to=today + timedelta(weeks=WEEKS_AHEAD)
        )
        ApiOp(self, self.backend, sessions_api.list_, params).success(self._loaded).failure(
            lambda e: self.status.setText(plain_message(e))
        ).run()

    def _loaded(self, result: RootModel[list[Session]]) -> None:
        rows = [SessionRow.of(s) for s in result.root if s.status != SessionStatus.CANCELLED]
        self.model.set_sessions(rows)
        self.status.setText(
            "Pick a session with free seats. Double-click or press Next to continue."
        )
        if self._wanted is not None:
            self.select_session(self._wanted)

    def _fill_courses(self) -> None:
        chosen = self.course.currentData()
        self.course.blockSignals(True)
        while self.course.count() > 1:
            self.course.removeItem(1)
        for c in self.catalogue.courses:
            self.course.addItem(c.name, c.id)
        self.course.setCurrentIndex(max(0, self.course.findData(chosen)))
        self.course.blockSignals(False)

    def _filter(self) -> None:
        self.proxy.set_filters(self.course.currentData(), None, "")

    def select_session(self, session_id: int) -> bool:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.proxy.data(index, ROW_ROLE).id == session_id:
                self.table.selectRow(row)
                self.table.scrollTo(index)
                return True
        return False

    def set_course(self, course_id: str) -> None:
        self.course.setCurrentIndex(max(0, self.course.findData(course_id)))

    def selected(self) -> SessionRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.proxy.data(rows[0], ROW_ROLE) if rows else None

    def _selected(self) -> None:
        self.chosen.emit(self.selected())

    def update_session(self, session: SessionRow) -> None:
        if self.model.update_session(session):
            current = self.selected()
            if current is not None and current.id == session.id:
                self.chosen.emit(current)

    def alternatives(self, after: SessionRow, seats: int, count: int = 3) -> list[SessionRow]:
        """The next sessions of the same course with ``seats`` free."""
        return [
            s
            for s in sorted(self.model.loaded, key=lambda r: r.start)
            if s.course == after.course
            and s.id != after.id
            and s.free >= seats
            and s.start >= after.start
            and s.status == SessionStatus.SCHEDULED
        ][:count]

    def show_taken(self, message: str, session: SessionRow, seats: int) -> None:
        """Say the seats went elsewhere and offer the next dates of the same course, one
        button each; the selection stays on ``session`` until the person picks another."""
        self.set_course(session.course)
        others = self.alternatives(session, seats)
        if others:
            listed = "; ".join(f"{s.when_text} at {s.venue_name} ({s.free} free)" for s in others)
            text = f"{message}\nNext {session.course_name} dates with room: {listed}."
        else:
            text = f"{message}\nNo later {session.course_name} date has {seats} seats free."
        self.notice.setText(text)
        self.notice.show()
        self._offer(others)

    def _offer(self, others: list[SessionRow]) -> None:
        for button in self.offer_buttons:
            self._offer_row.removeWidget(button)
            button.deleteLater()
        self.offer_buttons = []
        for other in others:
            day = other.day
            button = QPushButton(f"Choose {other.venue_name}, {day:%a} {day.day} {day:%b}")
            button.setToolTip(f"{other.when_text} at {other.venue_name}")
            button.clicked.connect(lambda _=False, sid=other.id: self._take_offer(sid))
            self._offer_row.insertWidget(len(self.offer_buttons), button)
            self.offer_buttons.append(button)
        self.offers.setVisible(bool(others))

    def _take_offer(self, session_id: int) -> None:
        self.clear_notice()
        self.select_session(session_id)

    def clear_notice(self) -> None:
        self.notice.hide()
        self._offer([])
