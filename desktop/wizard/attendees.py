"""Attendees as typed at the desk: an editable table model, checked row by row as you type.

Checks are the same rules the service applies (``core.booking.attendees`` and the course's minimum
age), run locally so mistakes show on the cell before anything is sent. A cell's problem shows
once the person has typed in it, or for every cell when they press Next.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush

from core.booking.attendees import AgeLimit, attendee_problems
from desktop.style_sheet import colour

AnyIndex = QModelIndex | QPersistentModelIndex
FIELDS = ("name", "email", "phone", "date_of_birth", "special_requirements")
HEADERS = ("Name", "Email", "Phone", "Date of birth", "Special requirements")
DOB_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%Y-%m-%d")
DOB_HELP = "Type a real date of birth, in the past, as day/month/year, e.g. 17/05/1990."


def parse_dob(text: str) -> date | None:
    """A UK-style date of birth (``17/05/1990``; ISO also accepted), or None."""
    text = text.strip()
    for fmt in DOB_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def row_problems(row: dict[str, str], limit: AgeLimit | None) -> dict[str, str]:
    """Field name → what is wrong with it and what to type (empty when the row is fine):
    the service's own checks and age rule (``core.booking.attendees``)."""
    dob = parse_dob(row.get("date_of_birth", ""))
    problems = attendee_problems(_payload(row, dob or date(1990, 1, 1)))
    if dob is None or "date_of_birth" in problems:
        problems["date_of_birth"] = DOB_HELP
    elif limit is not None and (too_young := limit.problem(dob)):
        problems["date_of_birth"] = too_young[0].upper() + too_young[1:]
    return problems


def _payload(row: dict[str, str], dob: date) -> dict[str, Any]:
    return {
        "name": row.get("name", ""),
        "email": row.get("email", ""),
        "phone": row.get("phone") or None,
        "date_of_birth": dob.isoformat(),
        "special_requirements": row.get("special_requirements") or None,
    }


class AttendeesModel(QAbstractTableModel):
    """Editable attendee rows; ``problems`` holds what is wrong with each."""

    edited = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, str]] = []
        self.problems: list[dict[str, str]] = []
        self.touched: list[set[str]] = []  # fields typed in, per row: only their problems show
        self.limit: AgeLimit | None = None  # the course's age rule, once a session is chosen

    def set_course(self, limit: AgeLimit) -> None:
        self.limit = limit
        self._recheck_all()

    def set_people(self, people: list[dict[str, str]]) -> None:
        self.beginResetModel()
        self.rows = [{f: str(p.get(f) or "") for f in FIELDS} for p in people]
        self.touched = [set(FIELDS) for _ in people]
        self.endResetModel()
        self._recheck_all()

    def add_row(self) -> int:
        row = len(self.rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self.rows.append(dict.fromkeys(FIELDS, ""))
        self.touched.append(set())
        self.problems.append(row_problems(self.rows[row], self.limit))
        self.endInsertRows()
        self.edited.emit()
        return row

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            del self.problems[row]
            del self.touched[row]
            self.endRemoveRows()
            self.edited.emit()

    def _recheck_all(self) -> None:
        self.problems = [row_problems(r, self.limit) for r in self.rows]
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(FIELDS) - 1))
        self.edited.emit()

    def reveal(self) -> None:
        """The person pressed Next: show every problem, typed in or not."""
        self.touched = [set(FIELDS) for _ in self.rows]
        self._recheck_all()

    def shown_problem(self, row: int, field: str) -> str | None:
        """What is wrong with a cell, once the person has typed in it (or pressed Next)."""
        return self.problems[row].get(field) if field in self.touched[row] else None

    def first_problem_cell(self) -> QModelIndex | None:
        """The first cell whose problem is on show."""
        for i in range(len(self.rows)):
            for col, field in enumerate(FIELDS):
                if self.shown_problem(i, field):
                    return self.index(i, col)
        return None

    def first_problem(self) -> str | None:
        """The first problem on show, naming the row and the column."""
        cell = self.first_problem_cell()
        if cell is None:
            return None
        i, field = cell.row(), FIELDS[cell.column()]
        who = self.rows[i]["name"] or f"attendee {i + 1}"
        return f"Row {i + 1} ({who}), {HEADERS[cell.column()]}: {self.shown_problem(i, field)}"

    def payload(self) -> list[dict[str, Any]]:
        """The attendees as ``bookings.create`` takes them (only valid once no problems)."""
        return [_payload(r, parse_dob(r["date_of_birth"]) or date.min) for r in self.rows]

    # -- Qt model ---------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(FIELDS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return str(section + 1)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        field = FIELDS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self.rows[index.row()][field]
        problem = self.shown_problem(index.row(), field)
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem
        if role == Qt.ItemDataRole.BackgroundRole and problem:
            return QBrush(colour("problem-cell"))
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        row = index.row()
        self.rows[row][FIELDS[index.column()]] = str(value).strip()
        self.touched[row].add(FIELDS[index.column()])
        self.problems[row] = row_problems(self.rows[row], self.limit)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(FIELDS) - 1))
        self.edited.emit()
        return True
