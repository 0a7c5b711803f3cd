"""Small layout chores shared by screens."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLayout, QTableView, QWidget
from shiboken6 import isValid


def clear(layout: QLayout) -> None:
    """Remove and delete every widget in ``layout`` (before filling it again). Each is hidden
    at once: deletion waits for the event loop, and until then it would still be drawn where
    it was, under whatever fills the layout next."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.hide()
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


def shares(wants: dict[int, int], room: int) -> dict[int, int]:
    """Split ``room`` between columns wanting ``wants``: those wanting less than an even
    share get all they want, the longest share what is left (so only they are elided)."""
    widths: dict[int, int] = {}
    left = dict(wants)
    while left:
        even = (room - sum(widths.values())) // len(left)
        modest = {c: w for c, w in left.items() if w <= even}
        if not modest:
            widths |= {c: max(0, even) for c in left}
            break
        widths |= modest
        left = {c: w for c, w in left.items() if c not in modest}
    return widths


class ShareWidth(QObject):
    """Fit ``table``'s columns to its width: the other columns keep their contents' width and
    ``flexible`` ones (names, say) share what is left (``shares``: the spare width goes to
    the last of them). Short of width, the longest flexible columns are elided so nothing
    scrolls sideways, or with ``elide=False`` keep their contents' width and the
    table scrolls (a report's many number columns)."""

    def __init__(self, table: QTableView, flexible: tuple[int, ...], *, elide: bool = True) -> None:
        super().__init__(table)
        self.table, self.elide = table, elide
        self.flexible: tuple[int, ...] = ()
        self.set_flexible(flexible)
        model = table.model()
        for signal in (model.modelReset, model.rowsInserted, model.dataChanged):
            signal.connect(self.fit)
        table.viewport().installEventFilter(self)

    def set_flexible(self, flexible: tuple[int, ...]) -> None:
        """Make ``flexible`` the columns that share the spare width (a new report's names)."""
        self.flexible = flexible
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in flexible:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self, *_: object) -> None:
        if not isValid(self.table):  # a QTableWidget's own model empties as the table goes
            return
        table, header = self.table, self.table.horizontalHeader()
        if not self.flexible or self.flexible[-1] >= header.count():
            return
        shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        fixed = sum(header.sectionSize(c) for c in shown if c not in self.flexible)
        wants = {
            c: max(table.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in self.flexible
        }
        room = max(0, table.viewport().width() - fixed)
        widths = shares(wants, room) if self.elide else dict(wants)
        widths = {c: max(header.minimumSectionSize(), w) for c, w in widths.items()}
        widths[self.flexible[-1]] += max(0, room - sum(widths.values()))
        for column, width in widths.items():
            header.resizeSection(column, width)
