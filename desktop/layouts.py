"""Small layout chores shared by screens."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLayout, QTableView, QWidget


def clear(layout: QLayout) -> None:
    """Remove and delete every widget in ``layout`` (before filling it again)."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()


def row_table(
    model: QAbstractItemModel, *, sortable: bool = False, parent: QWidget | None = None
) -> QTableView:
    """A table over ``model`` where the user picks one whole row; no row numbers.

    ``sortable`` lets header clicks sort it, starting with the first column ascending.
    """
    table = QTableView(parent)
    table.setModel(model)
    if sortable:
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    return table


def stretch_column(table: QTableView, column: int) -> None:
    """Give the table's spare width to ``column`` (a name, say), not to the last column, so a
    short last column (a status) is not left wide and empty."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
