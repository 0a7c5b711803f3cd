"""One table model for the admin lists (trainers, courses, venues, staff, audit entries):
rows are the service's JSON objects, columns are (header, function of a row)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop import layouts
from desktop.headed_table_model import AnyIndex, HeadedTableModel
from desktop.style_sheet import colour

Column = tuple[str, Callable[[dict[str, Any]], Any]]
Action = tuple[str, Callable[[], None]]


class RecordTableModel(HeadedTableModel):
    """Rows of JSON objects; ``flag(row)`` marks a row in red (e.g. a qualification expiring);
    ``warn(row)`` puts a warning icon in column ``warn_column`` with its text as the tooltip
    (e.g. no second factor); ``tips`` gives a tooltip per column."""

    def __init__(
        self,
        columns: Sequence[Column],
        flag: Callable[[dict[str, Any]], bool] | None = None,
        parent: QWidget | None = None,
        warn: Callable[[dict[str, Any]], str] | None = None,
        warn_column: int = 0,
        tips: dict[int, Callable[[dict[str, Any]], str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.flag = flag
        self.warn = warn
        self.warn_column = warn_column
        self.tips = tips or {}
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def titles(self) -> list[str]:
        return [title for title, _value in self.columns]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.columns[index.column()][1](row)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ForegroundRole and self.flag is not None and self.flag(row):
            return QBrush(colour("error"))
        warning = self.warn(row) if self.warn and index.column() == self.warn_column else ""
        if role == Qt.ItemDataRole.DecorationRole and warning:
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self.tips.get(index.column())
            return warning or (tip(row) if tip else None)
        return None


def record_view(
    model: RecordTableModel, parent: QWidget | None = None, stretch: int | None = None
) -> QTableView:
    """A read-only, whole-row-selecting table for ``model``; spare width goes to column
    ``stretch`` (the last column when None)."""
    view = layouts.row_table(model, parent=parent)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    if stretch is not None:
        layouts.stretch_column(view, stretch)
    return view


def lay_out_with_actions(tab: QWidget, view: QTableView, actions: Sequence[Action]) -> None:
    """Fill ``tab`` with a row of buttons (text, slot) above ``view``."""
    bar = QHBoxLayout()
    for text, slot in actions:
        button = QPushButton(text)
        button.clicked.connect(slot)
        bar.addWidget(button)
    bar.addStretch(1)
    layout = QVBoxLayout(tab)
    layout.addLayout(bar)
    layout.addWidget(view)


def selected_row(view: QTableView, model: RecordTableModel) -> dict[str, Any] | None:
    rows = view.selectionModel().selectedRows()
    return model.rows[rows[0].row()] if rows else None
