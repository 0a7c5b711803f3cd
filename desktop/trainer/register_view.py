"""The register of one session: attendees down the side, one course day at a time.

Per attendee and day: attendance (present, absent, late with time, left early with time),
assessment outcome and a note. Every action has a large button and a key: with the table
focused, P present, A absent, L late, E left early (at the time in the time box), C
competent, N not yet competent, R referred; Up/Down move between people, Alt+1..5 pick the
day, Ctrl+E edits the note (Enter saves), Escape goes back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    Qt,
    QTime,
    Signal,
)
from PySide6.QtGui import QBrush, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from core.infra.clock import now, to_london, uk_date
from desktop.headed_table_model import AnyIndex, HeadedTableModel
from desktop.style_sheet import colour
from desktop.trainer.style import (
    ATTENDANCE_COLOURS,
    BUTTON_HEIGHT,
    OUTCOME_COLOURS,
)
from desktop.trainer.touch_table import touch_table

ATTENDANCE_TEXT = {
    "present": "Present",
    "absent": "Absent",
    "late": "Late",
    "left_early": "Left early",
}
OUTCOME_TEXT = {
    "competent": "Competent",
    "not_yet_competent": "Not yet competent",
    "referred": "Referred",
}
ATTENDANCE_KEYS = (("present", "P"), ("absent", "A"), ("late", "L"), ("left_early", "E"))
OUTCOME_KEYS = (("competent", "C"), ("not_yet_competent", "N"), ("referred", "R"))


def describe(mark: dict[str, Any] | None) -> str:
    if mark is None or mark.get("value") is None:
        return ""
    value = mark["value"]
    text = ATTENDANCE_TEXT.get(value) or OUTCOME_TEXT.get(value) or value
    return f"{text} {mark['time']}" if mark.get("time") else text


def _source(mark: dict[str, Any]) -> str:
    who = mark.get("recorded_by")
    return f"{who}, {mark.get('device_id')}" if who else str(mark.get("device_id"))


class RegisterModel(HeadedTableModel):
    """One row per attendee for the chosen day."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []
        self.cells: dict[tuple[int, int, str], dict[str, Any]] = {}
        self.day = 0
        self.emergency = False

    @property
    def columns(self) -> tuple[str, ...]:
        base = ("Name", "Special requirements")
        extra = ("Emergency phone",) if self.emergency else ()
        return base + extra + ("Attendance", "Outcome", "Note", "Sync")

    def set_roster(self, roster: dict[str, Any], day: int) -> None:
        self.beginResetModel()
        self.rows = roster["attendees"]
        self.emergency = bool(roster["session"].get("records_emergency_contact"))
        self.cells = {(m["attendee_id"], m["day_index"], m["field"]): m for m in roster["marks"]}
        self.day = day
        self.endResetModel()

    def cell(self, row: int, field: str) -> dict[str, Any] | None:
        return self.cells.get((self.rows[row]["id"], self.day, field))

    def status(self, row: int) -> str:
        marks = [self.cell(row, f) for f in ("attendance", "outcome", "note")]
        parts = []
        if any(m and m.get("pending") for m in marks):
            parts.append("Not yet synced")
        changed = [m for m in marks if m and m.get("overridden")]
        if changed:
            who = changed[0].get("recorded_by") or changed[0].get("device_id")
            parts.append(f"Changed on another device by {who}: see below")
        if self.rows[row].get("certificate"):
            parts.append(f"Certificate {self.rows[row]['certificate']}")
        return " · ".join(parts) if parts else "Synced" if any(marks) else ""

    def titles(self) -> tuple[str, ...]:
        return self.columns

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, name = index.row(), self.columns[index.column()]
        person = self.rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            if name == "Name":
                return person["name"]
            if name == "Special requirements":
                return person.get("special_requirements") or ""
            if name == "Emergency phone":
                return person.get("emergency_phone") or ""
            if name == "Attendance":
                return describe(self.cell(row, "attendance"))
            if name == "Outcome":
                return describe(self.cell(row, "outcome"))
            if name == "Note":
                return describe(self.cell(row, "note"))
            return self.status(row)
        if role == Qt.ItemDataRole.BackgroundRole:
            mark = self.cell(row, name.lower()) if name in ("Attendance", "Outcome") else None
            colours = ATTENDANCE_COLOURS if name == "Attendance" else OUTCOME_COLOURS
            if mark and mark.get("value") in colours:
                return QBrush(colour(colours[mark["value"]]))
        if role == Qt.ItemDataRole.ForegroundRole and name == "Sync":
            status = self.status(row)
            if "another device" in status or "Not yet" in status:
                return QBrush(colour("warning"))
        if role == Qt.ItemDataRole.ToolTipRole and name in ("Attendance", "Outcome", "Sync"):
            return self.override_text(row)
        return None

    def override_text(self, row: int) -> str:
        lines = []
        for field in ("attendance", "outcome", "note"):
            mark = self.cell(row, field)
            for old in (mark or {}).get("overridden", []):
                lines.append(
                    f"{field.capitalize()} was {describe(old) or 'blank'} "
                    f"({_source(old)}), changed to {describe(mark) or 'blank'} "
                    f"({_source(mark or {})}) on another device"
                )
        return "\n".join(lines)


class RegisterView(QWidget):
    """Take the register; emits ``mark_requested(attendee_id, day, field, value, time)``."""

    mark_requested = Signal(int, int, str, object, object)
    everyone_present = Signal(int, list)  # day, attendees with no attendance mark yet
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.roster: dict[str, Any] | None = None
        self.model = RegisterModel(self)
        self.title = QLabel()
        self.title.setObjectName("registerTitle")
        self.title.setWordWrap(True)
        back = QPushButton("← &Back to my sessions")
        back.setMinimumHeight(BUTTON_HEIGHT)
        back.clicked.connect(self.back_requested.emit)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.back_requested.emit)

        self.days = QHBoxLayout()
        self.days.addStretch(1)
        self.day_group = QButtonGroup(self)
        self.day_group.setExclusive(True)
        self.day_group.idClicked.connect(self._show_day)

        self.table = touch_table(self.model, "Register")
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())

        self.who = QLabel()
        self.who.setObjectName("registerWho")
        self.override = QLabel()
        self.override.setObjectName("registerOverride")
        self.override.setWordWrap(True)
        self.time = QTimeEdit()
        self.time.setDisplayFormat("HH:mm")
        self.time.setMinimumHeight(BUTTON_HEIGHT)
        self.time.setAccessibleName("Time for late or left early")
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note for this day (Ctrl+E), Enter to save")
        self.note.setMinimumHeight(BUTTON_HEIGHT)
        self.note.setMaxLength(500)
        self.note.returnPressed.connect(self._save_note)

        self.mark_buttons: dict[tuple[str, str], QPushButton] = {}
        self.all_present = QPushButton("✓ E&veryone present")
        self.all_present.setMinimumHeight(BUTTON_HEIGHT)
        self.all_present.setToolTip("Mark everyone not yet marked today as present")
        self.all_present.clicked.connect(self.mark_everyone_present)
        panel = QGridLayout()
        panel.addWidget(QLabel("Attendance"), 0, 0)
        for i, (value, key) in enumerate(ATTENDANCE_KEYS):
            panel.addWidget(
                self._button(ATTENDANCE_TEXT[value], key, "attendance", value), 0, i + 1
            )
        panel.addWidget(QLabel("at"), 0, 5)
        panel.addWidget(self.time, 0, 6)
        panel.addWidget(QLabel("Outcome"), 1, 0)
        for i, (value, key) in enumerate(OUTCOME_KEYS):
            panel.addWidget(self._button(OUTCOME_TEXT[value], key, "outcome", value), 1, i + 1)
        panel.addWidget(QLabel("Note"), 2, 0)
        panel.addWidget(self.note, 2, 1, 1, 6)
        QShortcut(QKeySequence("Ctrl+E"), self, self.note.setFocus)

        top = QHBoxLayout()
        top.addWidget(back)
        top.addWidget(self.title, 1)
        top.addWidget(self.all_present)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self.days)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.who)
        layout.addWidget(self.override)
        layout.addLayout(panel)

    def _button(self, text: str, key: str, field: str, value: str) -> QPushButton:
        button = QPushButton(f"{text}  [{key}]")
        button.setCheckable(True)  # checked: the selected person's current mark
        button.setObjectName("markButton")
        self.mark_buttons[(field, value)] = button
        button.setMinimumHeight(BUTTON_HEIGHT)
        button.setMinimumWidth(150)
        button.setAccessibleName(text)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        button.clicked.connect(lambda: self._mark(field, value))
        shortcut = QShortcut(QKeySequence(key), self.table)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(lambda: self._mark(field, value))
        return button

    # -- showing ---------------------------------------------------------------------------
    def set_roster(self, roster: dict[str, Any], keep_place: bool = True) -> None:
        same = self.roster is not None and self.roster["session"]["id"] == roster["session"]["id"]
        row = self.table.currentIndex().row() if same and keep_place else 0
        day = self.model.day if same and keep_place else self._default_day(roster)
        self.roster = roster
        session = roster["session"]
        start = datetime.fromisoformat(session["start"])
        room = f", {session['room']}" if session.get("room") else ""
        self.title.setText(
            f"{session['course_name']} · {session['venue_name']}{room} · {uk_date(start.date())}"
        )
        if not same:
            self._build_days(session["days"])
        self.day_group.button(day).setChecked(True)
        self.model.set_roster(roster, day)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(
            self.model.columns.index("Note"), QHeaderView.ResizeMode.Stretch
        )
        if self.model.rowCount():
            self.table.selectRow(max(0, min(row, self.model.rowCount() - 1)))
        self._show_selected()

    @staticmethod
    def _default_day(roster: dict[str, Any]) -> int:
        today = to_london(now()).date()
        for day in roster["session"]["days"]:
            if datetime.fromisoformat(day["start"]).date() == today:
                return int(day["index"])
        return 0

    def _build_days(self, days: list[dict[str, Any]]) -> None:
        for button in self.day_group.buttons():
            self.day_group.removeButton(button)
            self.days.removeWidget(button)
            button.deleteLater()
        for day in days:
            start = datetime.fromisoformat(day["start"])
            button = QPushButton(f"Day &{day['index'] + 1}: {uk_date(start.date())}")
            button.setCheckable(True)
            button.setMinimumHeight(BUTTON_HEIGHT)
            self.day_group.addButton(button, int(day["index"]))
            self.days.insertWidget(self.days.count() - 1, button)

    def _show_day(self, day: int) -> None:
        if self.roster is not None:
            row = self.table.currentIndex().row()
            self.model.set_roster(self.roster, day)
            self.table.selectRow(max(0, row))
            self._show_selected()
            self.table.setFocus()

    def _selected(self) -> int | None:
        row = self.table.currentIndex().row()
        return row if 0 <= row < len(self.model.rows) else None

    def _show_selected(self) -> None:
        row = self._selected()
        if row is None:
            self.who.setText("No one booked on this session.")
            self.override.clear()
            return
        person = self.model.rows[row]
        self.who.setText(f"{person['name']}: day {self.model.day + 1}")
        note = self.model.cell(row, "note")
        self.note.setText((note or {}).get("value") or "")
        self.override.setText(self.model.override_text(row))
        for (field, value), button in self.mark_buttons.items():
            mark = self.model.cell(row, field)
            button.setChecked(bool(mark) and (mark or {}).get("value") == value)
        attendance = self.model.cell(row, "attendance")
        if attendance and attendance.get("time"):
            self.time.setTime(QTime.fromString(attendance["time"], "HH:mm"))
        else:
            local = to_london(now())
            self.time.setTime(QTime(local.hour, local.minute))

    # -- marking ---------------------------------------------------------------------------
    def _mark(self, field: str, value: str | None) -> None:
        row = self._selected()
        if row is None:
            return
        time = self.time.time().toString("HH:mm") if value in ("late", "left_early") else None
        self.mark_requested.emit(self.model.rows[row]["id"], self.model.day, field, value, time)
        for (button_field, button_value), button in self.mark_buttons.items():
            if button_field == field:
                button.setChecked(button_value == value)
        self.table.setFocus()

    def unmarked(self) -> list[int]:
        """Attendees with no attendance mark on the day shown."""
        return [
            person["id"]
            for row, person in enumerate(self.model.rows)
            if not (self.model.cell(row, "attendance") or {}).get("value")
        ]

    def mark_everyone_present(self) -> None:
        """One tap: everyone not yet marked today is present (marks already made stay)."""
        waiting = self.unmarked()
        if waiting:
            self.everyone_present.emit(self.model.day, waiting)
        self.table.setFocus()

    def _save_note(self) -> None:
        text = self.note.text().strip()
        self._mark("note", text or None)
