"""Create, repeat or edit a session: course, venue, room, trainers, each day's times,
capacity and an optional price. The teaching rules are checked as the form changes
(``schedule.check``) and any failure is shown in plain English; an admin may save anyway
with a written reason."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from core.api.results.sessions import CatalogueCourse, CatalogueVenue
from core.infra.clock import LONDON, to_london, today_london
from core.infra.money import pence_from_text, pounds
from core.models import MAX_CAPACITY
from core.scheduling.plan import usual_days
from desktop.admin.qt_dates import to_date, to_time
from desktop.backend import Backend
from desktop.catalogue_cache import CatalogueCache
from desktop.style_sheet import set_state
from desktop.tasks import BackendOp, plain_message
from desktop.uk_dates import date_edit, parse, typed

CHECK_DEBOUNCE_MS = 400
DAY_COLUMNS = ("Date", "Start", "End", "Break (minutes, optional)")


class SessionDialog(QDialog):
    """``session`` None creates (optionally repeating); a session's JSON edits that session."""

    saved = Signal(object)
    checked = Signal(list)  # the failures of the latest rule check

    def __init__(
        self, backend: Backend, parent: QWidget | None = None, session: dict[str, Any] | None = None
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.session = session
        self.catalogue = CatalogueCache.of(backend)
        self.failures: list[dict[str, Any]] = []
        self.setWindowTitle("Edit session" if session else "New session")
        self.setMinimumWidth(640)

        self.course = QComboBox()
        self.venue = QComboBox()
        self.room = QComboBox()
        self.trainers = QListWidget()
        self.trainers.setMaximumHeight(110)
        self.first_day = date_edit(today_london() + timedelta(days=7), "First day")
        self.start_time = QTimeEdit(QTime(9, 0))
        self.start_time.setDisplayFormat("HH:mm")
        self.days = QTableWidget(0, len(DAY_COLUMNS))
        self.days.setHorizontalHeaderLabels(DAY_COLUMNS)
        self.days.horizontalHeader().setStretchLastSection(True)
        self.days.setColumnWidth(0, 130)
        self.days.setToolTip("Dates as dd/mm/yyyy, times as HH:MM (24-hour, UK time)")
        self.days.setMaximumHeight(150)
        self.capacity = QSpinBox()
        self.capacity.setRange(1, MAX_CAPACITY)
        self.capacity.setValue(MAX_CAPACITY)
        self.price_on = QCheckBox("Price for this session")
        self.price = QLineEdit()
        self.price.setPlaceholderText("£ e.g. 95.00")
        self.price.setAccessibleName("Price for this session in pounds")
        self.price.setEnabled(False)
        self.repeat = QCheckBox("Repeat every")
        self.every = QSpinBox()
        self.every.setRange(1, 26)
        self.every.setSuffix(" week(s)")
        self.count = QSpinBox()
        self.count.setRange(2, 52)
        self.count.setValue(8)
        self.count.setSuffix(" times")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why the change (attendees are told)")
        self.rules = QLabel("Checking the teaching rules…")
        self.rules.setWordWrap(True)
        self.rules.setObjectName("rules")
        self.override = QLineEdit()
        self.override.setPlaceholderText("Reason for overriding (admins only)")
        self.override.hide()

        when = QHBoxLayout()
        when.addWidget(self.first_day)
        when.addWidget(self.start_time)
        price = QHBoxLayout()
        price.addWidget(self.price_on)
        price.addWidget(self.price)
        repeat = QHBoxLayout()
        repeat.addWidget(self.repeat)
        repeat.addWidget(self.every)
        repeat.addWidget(self.count)
        form = QFormLayout()
        form.addRow("Course", self.course)
        form.addRow("Venue", self.venue)
        form.addRow("Room", self.room)
        form.addRow("Trainers", self.trainers)
        form.addRow("First day", _wrap(when))
        form.addRow("Each day", self.days)
        form.addRow("Capacity", self.capacity)
        form.addRow("", _wrap(price))
        if session is None:
            form.addRow("", _wrap(repeat))
        else:
            form.addRow("Reason", self.reason)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.rules)
        layout.addWidget(self.override)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DEBOUNCE_MS)
        self._timer.timeout.connect(self.check)
        self.catalogue.loaded.connect(self._fill_catalogue)
        self.catalogue.load(self)
        BackendOp(self, backend, "trainers.list").success(self._fill_trainers).run()

    def done(self, result: int) -> None:
        """Closing stops a pending rule check."""
        self._timer.stop()
        super().done(result)

    # -- filling the form -------------------------------------------------------------
    def _fill_catalogue(self) -> None:
        self.course.clear()
        for c in self.catalogue.courses:
            self.course.addItem(c.name, c)
        self.venue.clear()
        for v in self.catalogue.venues:
            self.venue.addItem(v.name, v)
        self.venue.currentIndexChanged.connect(self._fill_rooms)
        self.course.currentIndexChanged.connect(self._fill_days)
        self.first_day.dateChanged.connect(self._fill_days)
        self.start_time.timeChanged.connect(self._fill_days)
        self.price_on.toggled.connect(self.price.setEnabled)
        for signal in (
            self.room.currentIndexChanged,
            self.capacity.valueChanged,
            self.days.itemChanged,
            self.trainers.itemChanged,
            self.price_on.toggled,
            self.price.textChanged,
            self.repeat.toggled,
            self.every.valueChanged,
            self.count.valueChanged,
        ):
            signal.connect(self._changed)
        if self.session:
            self._load(self.session)
        else:
            self._fill_rooms()
            self._fill_days()

    def _fill_trainers(self, found: list[dict[str, Any]]) -> None:
        chosen = set(self.session.get("trainers", []) if self.session else [])
        if self.session and self.session.get("trainer_email"):
            chosen.add(self.session["trainer_email"])
        self.trainers.blockSignals(True)
        for t in found:
            item = QListWidgetItem(
                t["name"] + ("  ⚠ qualification expiring" if t["warnings"] else "")
            )
            item.setToolTip("; ".join(t["warnings"]))
            item.setData(Qt.ItemDataRole.UserRole, t["email"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if t["email"] in chosen else Qt.CheckState.Unchecked
            )
            self.trainers.addItem(item)
        self.trainers.blockSignals(False)
        self._changed()

    def _fill_rooms(self) -> None:
        venue: CatalogueVenue | None = self.venue.currentData()
        self.room.clear()
        self.room.addItems(venue.rooms if venue else [])

    def _fill_days(self) -> None:
        course: CatalogueCourse | None = self.course.currentData()
        if course is None:
            return
        start = datetime.combine(
            to_date(self.first_day.date()), to_time(self.start_time.time()), tzinfo=LONDON
        )
        self._set_days([(d.start, d.end) for d in usual_days(course.day_hours, start)])

    def _set_days(self, days: list[tuple[datetime, datetime]]) -> None:
        self.days.blockSignals(True)
        self.days.setRowCount(len(days))
        for row, (start, end) in enumerate(days):
            start, end = to_london(start), to_london(end)
            for col, text in enumerate((typed(start.date()), f"{start:%H:%M}", f"{end:%H:%M}", "")):
                self.days.setItem(row, col, QTableWidgetItem(text))
        self.days.blockSignals(False)
        self._changed()

    def _load(self, session: dict[str, Any]) -> None:
        self.course.setCurrentIndex(self.course.findText(session["course_name"]))
        self.course.setEnabled(False)
        self.venue.setCurrentIndex(self.venue.findText(session["venue_name"]))
        self._fill_rooms()
        if session.get("room"):
            self.room.setCurrentText(session["room"])
        first = to_london(datetime.fromisoformat(session["start"]))
        for widget in (self.first_day, self.start_time):
            widget.blockSignals(True)
        self.first_day.setDate(QDate(first.date()))
        self.start_time.setTime(QTime(first.hour, first.minute))
        for widget in (self.first_day, self.start_time):
            widget.blockSignals(False)
        self._set_days(
            [
                (datetime.fromisoformat(d["start"]), datetime.fromisoformat(d["end"]))
                for d in session["days"]
            ]
        )
        self.capacity.setValue(min(MAX_CAPACITY, session["capacity"]))
        course: CatalogueCourse | None = self.course.currentData()
        if course is None or session["price_pence"] != course.price_pence:
            self.price_on.setChecked(True)
            self.price.setText(pounds(session["price_pence"]))

    # -- what the form asks for ------------------------------------------------------
    def _day_params(self) -> list[dict[str, Any]]:
        days = []
        for row in range(self.days.rowCount()):
            cells = [self._cell(row, c) for c in range(len(DAY_COLUMNS))]
            try:
                day = parse(cells[0])
                start, end = time.fromisoformat(cells[1]), time.fromisoformat(cells[2])
            except ValueError:
                raise ValueError(
                    f"Day {row + 1}: write the date as dd/mm/yyyy (02/12/2026) and times "
                    "as HH:MM (24-hour, 09:30)."
                ) from None
            entry: dict[str, Any] = {
                "start": datetime.combine(day, start).isoformat(),
                "end": datetime.combine(day, end).isoformat(),
            }
            if cells[3]:
                if not cells[3].isdigit():
                    raise ValueError(f"Day {row + 1}: the break is a number of minutes.")
                entry["break_minutes"] = int(cells[3])
            days.append(entry)
        return days

    def _cell(self, row: int, column: int) -> str:
        item = self.days.item(row, column)
        return item.text().strip() if item is not None else ""

    def _trainer_emails(self) -> list[str]:
        return [
            self.trainers.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.trainers.count())
            if self.trainers.item(i).checkState() == Qt.CheckState.Checked
        ]

    def plan(self) -> dict[str, Any]:
        """The session fields as ``schedule.create`` takes them."""
        course: CatalogueCourse | None = self.course.currentData()
        venue: CatalogueVenue | None = self.venue.currentData()
        return {
            "course": course.id if course else "",
            "venue": venue.id if venue else "",
            "room": self.room.currentText() or None,
            "trainers": self._trainer_emails(),
            "days": self._day_params(),
            "capacity": self.capacity.value(),
            "price_pence": self._price_pence() if self.price_on.isChecked() else None,
        }

    def _price_pence(self) -> int:
        try:
            pence = pence_from_text(self.price.text())
        except ValueError:
            pence = 0
        if pence <= 0:
            raise ValueError("Write the price in pounds, like 95 or 95.00.")
        return pence

    # -- rule checks and saving -------------------------------------------------------
    def _changed(self) -> None:
        self._timer.start()

    def check(self) -> None:
        try:
            params = self.plan()
        except ValueError as exc:
            self._show_problem(str(exc))
            return
        if not params["course"] or not params["venue"]:
            return
        if self.session:
            params["session_id"] = self.session["id"]
        BackendOp(self, self.backend, "schedule.check", params).success(
            lambda r: self._show_failures(r["failures"])
        ).failure(lambda e: self._show_problem(plain_message(e))).run()

    def _show_problem(self, text: str) -> None:
        self.failures = []
        set_state(self.rules, "failing")
        self.rules.setText(text)
        self.override.hide()
        self.checked.emit([])

    def _show_failures(self, failures: list[dict[str, Any]]) -> None:
        self.failures = failures
        if not failures:
            set_state(self.rules, "kept")
            self.rules.setText("✓ Every teaching rule is kept.")
            self.override.hide()
        else:
            set_state(self.rules, "failing")
            lines = "\n".join(f"✗ {f['message']}" for f in failures)
            can = self.backend.role == "admin" and all(f["overridable"] for f in failures)
            if can:
                lines += "\nAs an admin you may save anyway: write your reason below."
            elif any(not f["overridable"] for f in failures):
                lines += "\nThis cannot be overridden."
            else:
                lines += "\nOnly an admin may override a teaching rule."
            self.rules.setText(lines)
            self.override.setVisible(can)
        self.checked.emit(failures)

    def save(self) -> None:
        try:
            plan = self.plan()
        except ValueError as exc:
            self._show_problem(str(exc))
            return
        override = self.override.text().strip() or None
        if self.session:
            changes = {k: v for k, v in plan.items() if k not in ("course", "price_pence")}
            if plan["price_pence"] is None:
                changes["clear_price"] = True
            else:
                changes["price_pence"] = plan["price_pence"]
            if self.reason.text().strip():
                changes["reason"] = self.reason.text().strip()
            method = "schedule.edit"
            params: dict[str, Any] = {
                "id": self.session["id"],
                "version": self.session["version"],
                "changes": changes,
                "override": override,
            }
        elif self.repeat.isChecked():
            method = "schedule.repeat"
            params = plan | {
                "override": override,
                "every_weeks": self.every.value(),
                "count": self.count.value(),
            }
        else:
            method, params = "schedule.create", plan | {"override": override}
        self.buttons.setEnabled(False)
        BackendOp(self, self.backend, method, params).success(self._saved).failure(
            self._refused
        ).run()

    def _saved(self, result: Any) -> None:
        self.saved.emit(result)
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        failures = getattr(error, "data", {}).get("failures")
        if failures:
            self._show_failures(failures)
        else:
            self._show_problem(plain_message(error))


def _wrap(layout: QHBoxLayout) -> QWidget:
    widget = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    widget.setLayout(layout)
    return widget
