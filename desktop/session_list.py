"""The session list: a table model that filters and sorts, its proxy, and the filter bar.

Date range goes to the service (``sessions.list``); course, venue and the debounced keyword
search filter the loaded rows in the model, so typing stays instant with 10,000 sessions.
Change-feed session payloads update single rows in place.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from pydantic import RootModel
from PySide6.QtCore import (
    QDate,
    QIdentityProxyModel,
    QModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
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
from desktop.headed_table_model import AnyIndex, HeadedTableModel
from desktop.session_data import SessionRow, session_change
from desktop.style_sheet import colour, course_colour
from desktop.tasks import ApiOp, plain_message
from desktop.uk_dates import date_edit

SEARCH_DEBOUNCE_MS = 300
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
COLUMNS = ("Date", "Course", "Venue", "Trainer", "Price", "Free seats", "Status")


SORT_KEYS: tuple[Callable[[SessionRow], Any], ...] = (
    lambda s: s.start,
    lambda s: s.course_name,
    lambda s: s.venue_name,
    lambda s: s.trainer,
    lambda s: s.price_pence,
    lambda s: s.free if s.status != SessionStatus.CANCELLED else -1,
    lambda s: s.status,
)


def day_of(edit: QDateEdit) -> date:
    day = edit.date().toPython()
    assert isinstance(day, date)
    return day


class SessionTableModel(HeadedTableModel):
    """Sessions, one row each: every loaded one (``loaded``) and those the filters let
    through (``rows``, what views show), both in the order the list is sorted in.

    Sorting and filtering happen here, in Python on each row's sort key and search text,
    not in a ``QSortFilterProxyModel``, which calls back into Python for every row (its
    filter, or ``data()`` for both sides of every comparison) each time the order changes:
    10,000 rows sort and filter at once.
    """

    COLUMNS = COLUMNS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loaded: list[SessionRow] = []
        self.rows: list[SessionRow] = []
        self._row_index: dict[int, int] | None = None  # session id -> place in rows
        self._loaded_index: dict[int, int] | None = None  # session id -> place in loaded
        self._order: tuple[int, Qt.SortOrder] | None = None
        self._loaded_in_order = True  # False: loaded is sorted when next needed
        self.course: str | None = None
        self.venue: str | None = None
        self.words: list[str] = []

    @property
    def total(self) -> int:
        """How many sessions are loaded, shown or not."""
        return len(self.loaded)

    def set_sessions(self, rows: list[SessionRow]) -> None:
        self.beginResetModel()
        self.loaded = self._sorted(rows)
        self._loaded_index = None
        self.rows = self._shown()
        self._row_index = None
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Reorder the rows by ``column`` (kept for later loads and new rows)."""
        self._order = (column, order)
        self._loaded_in_order = False
        # Sorting keeps which rows pass the filters: the shown ones are sorted as they are.
        self._relayout(self._sorted(self.rows) if self._filtering() else self._shown())

    def set_filters(self, course: str | None, venue: str | None, search: str) -> None:
        """Show only sessions of ``course`` at ``venue`` whose text has every word of
        ``search`` (None and "" let everything through)."""
        self.course, self.venue = course, venue
        self.words = search.casefold().split()
        self._relayout(self._shown())

    def _shows(self, s: SessionRow) -> bool:
        if self.course and s.course != self.course:
            return False
        if self.venue and s.venue != self.venue:
            return False
        return all(w in s.search_text for w in self.words)

    def _filtering(self) -> bool:
        return bool(self.course or self.venue or self.words)

    def _shown(self) -> list[SessionRow]:
        if not self._loaded_in_order:
            self.loaded = self._sorted(self.loaded)
            self._loaded_index = None
            self._loaded_in_order = True
        if not self._filtering():
            return list(self.loaded)
        return [s for s in self.loaded if self._shows(s)]

    def _relayout(self, rows: list[SessionRow]) -> None:
        """Show ``rows``; selections and the current row stay on their sessions (or go,
        when a filter hides them)."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        ids = [self.rows[i.row()].id for i in old]
        self.rows = rows
        self._row_index = None
        row_of = self._row_of() if old else {}
        new = [
            self.index(row_of[sid], i.column()) if sid in row_of else QModelIndex()
            for sid, i in zip(ids, old, strict=True)
        ]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _sorted(self, rows: list[SessionRow]) -> list[SessionRow]:
        if self._order is None:
            return rows
        column, order = self._order
        key = SORT_KEYS[column]
        return sorted(rows, key=key, reverse=order == Qt.SortOrder.DescendingOrder)

    def _row_of(self) -> dict[int, int]:
        if self._row_index is None:
            self._row_index = {r.id: i for i, r in enumerate(self.rows)}
        return self._row_index

    def _loaded_at(self) -> dict[int, int]:
        if self._loaded_index is None:
            self._loaded_index = {r.id: i for i, r in enumerate(self.loaded)}
        return self._loaded_index

    def update_session(self, session: SessionRow) -> bool:
        """Replace one session's row (from a change); False if it is not loaded."""
        at = self._loaded_at().get(session.id)
        if at is None:
            return False
        self.loaded[at] = session
        row = self._row_of().get(session.id)
        if (row is not None) != self._shows(session):
            self._relayout(self._shown())  # its new text passes or fails the search
        elif row is not None:
            self.rows[row] = session
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        return True

    def add_session(self, session: SessionRow) -> None:
        """A session that was not listed (newly scheduled elsewhere) joins the table, in
        its place."""
        self.loaded = self._sorted([*self.loaded, session])
        self._loaded_index = None
        self._relayout(self._shown())

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                s.span_text,
                s.course_name,
                s.place_text,
                s.trainer,
                s.price_text,
                s.free_text,
                s.status_text,
            )[col]
        if role == ROW_ROLE:
            return s
        if role == Qt.ItemDataRole.ToolTipRole:
            return s.description
        if role == Qt.ItemDataRole.ForegroundRole:
            if s.status == SessionStatus.CANCELLED:
                return QBrush(colour("neutral"))
            if col in (5, 6) and s.status == SessionStatus.FULL:
                return QBrush(colour("error"))
            if col == 6 and s.intents:
                return QBrush(colour("warning"))
        if role == Qt.ItemDataRole.DecorationRole and col == 1:
            return course_colour(s.colour)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (4, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class SessionFilterProxy(QIdentityProxyModel):
    """What a session table's view shows: filters and sorting are passed on to the
    ``SessionTableModel`` underneath, which does both."""

    def _sessions(self) -> SessionTableModel:
        model = self.sourceModel()
        assert isinstance(model, SessionTableModel)
        return model

    @property
    def words(self) -> list[str]:
        return self._sessions().words

    def set_filters(self, course: str | None, venue: str | None, search: str) -> None:
        self._sessions().set_filters(course, venue, search)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sessions().sort(column, order)


class SessionListView(QWidget):
    """Filter bar, session table and a "Book selected session" button."""

    def __init__(self, backend: Backend, window: Any = None) -> None:
        super().__init__()
        self.backend = backend
        self.window_ = window
        self.catalogue = CatalogueCache.of(backend)
        self.model = SessionTableModel(self)
        self.proxy = SessionFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.course = QComboBox()
        self.course.setAccessibleName("Course")
        self.venue = QComboBox()
        self.venue.setAccessibleName("Venue")
        for combo, everything in ((self.course, "All courses"), (self.venue, "All venues")):
            combo.addItem(everything, None)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(14)  # long course names elide; the window stays narrow
            combo.currentIndexChanged.connect(self._apply_filters)
        today = today_london()
        self.date_from = self._date_edit(today, "From date")
        self.date_to = self._date_edit(today + timedelta(weeks=12), "To date")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search course, venue, trainer…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search sessions")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_filters)
        self.search.textChanged.connect(lambda _t: self._debounce.start())

        self.table = layouts.row_table(self.proxy, sortable=True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        layouts.stretch_column(self.table, COLUMNS.index("Course"))
        self.table.doubleClicked.connect(lambda _i: self.book_selected())

        self.count = QLabel()
        self.book = QPushButton("&Book selected session…")
        self.book.clicked.connect(self.book_selected)

        bar = QHBoxLayout()
        for label, widget in (
            ("&Course", self.course),
            ("&Venue", self.venue),
            ("F&rom", self.date_from),
            ("T&o", self.date_to),
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            bar.addWidget(caption)
            bar.addWidget(widget)
        bar.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.book)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        for a, b in (
            (self.course, self.venue),
            (self.venue, self.date_from),
            (self.date_from, self.date_to),
            (self.date_to, self.search),
            (self.search, self.table),
            (self.table, self.book),
        ):
            QWidget.setTabOrder(a, b)

        self.catalogue.loaded.connect(self._fill_catalogue)
        self.catalogue.load(self)
        backend.changed.connect(self._on_change)
        self.reload()

    def _date_edit(self, day: date, name: str) -> QDateEdit:
        edit = date_edit(day, name)
        edit.dateChanged.connect(lambda _d: self.reload())
        return edit

    def _fill_catalogue(self) -> None:
        for combo, items in (
            (self.course, self.catalogue.courses),
            (self.venue, self.catalogue.venues),
        ):
            chosen = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for item in items:
                combo.addItem(item.name, item.id)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)

    # -- loading ----------------------------------------------------------------------
    def params(self) -> sessions_api.ListParams:
        return sessions_api.ListParams(
            date_from=day_of(self.date_from), date_to=day_of(self.date_to)
        )

    def reload(self) -> None:
        self.count.setText("Loading sessions…")
        ApiOp(self, self.backend, sessions_api.list_, self.params()).success(self._loaded).failure(
            lambda e: self.count.setText(plain_message(e))
        ).run()

    def _loaded(self, result: RootModel[list[Session]]) -> None:
        first = self.model.rowCount() == 0
        self.model.set_sessions([SessionRow.of(s) for s in result.root])
        if first:
            self.table.resizeColumnsToContents()
        self._show_count()

    def _apply_filters(self) -> None:
        self.proxy.set_filters(
            self.course.currentData(), self.venue.currentData(), self.search.text()
        )
        self._show_count()

    def _show_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.total
        self.count.setText(
            f"{shown} session{'s' if shown != 1 else ''}"
            + (f" (of {total} in these dates)" if shown != total else "")
        )

    def _on_change(self, message: dict[str, Any]) -> None:
        session = session_change(message)
        if session is None or self.model.update_session(session):
            return
        if day_of(self.date_from) <= session.day <= day_of(self.date_to):
            self.model.add_session(session)
            self._show_count()

    # -- actions ----------------------------------------------------------------------
    def selected(self) -> SessionRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row: SessionRow = self.proxy.data(rows[0], ROW_ROLE)
        return row

    def book_selected(self) -> None:
        session = self.selected()
        if self.window_ is not None:
            self.window_.new_booking(session.raw if session else None)

    def go_today(self) -> None:
        today = today_london()
        self.date_from.setDate(QDate(today.year, today.month, today.day))
        self.table.scrollToTop()
        self.table.setFocus()
