"""The trainer's tables: whole rows, one at a time, read-only, rows tall enough to tap."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from desktop import layouts
from desktop.trainer.style import ROW_HEIGHT


def touch_table(model: QAbstractItemModel, name: str) -> QTableView:
    """A read-only table over ``model`` picking one whole row; screen readers announce ``name``."""
    table = layouts.row_table(model)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setAccessibleName(name)
    return table
