"""The Trainers tab (admin and manager): each trainer's courses, qualifications with expiry
(flagged in red within 60 days) and coming days off, with edits for each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QDateEdit,
    QLineEdit,
    QWidget,
)

from core.infra.clock import today_london, uk_date
from core.staff.roles import OFFICE
from desktop.admin.form_dialog import FormDialog
from desktop.admin.qt_dates import to_date
from desktop.admin.record_table import (
    Column,
    RecordTableModel,
    lay_out_with_actions,
    record_view,
    selected_row,
)
from desktop.admin.roles import load, may_use
from desktop.backend import Backend
from desktop.catalogue_cache import CatalogueCache
from desktop.uk_dates import date_edit


def _qualification(t: dict[str, Any]) -> str:
    if t["warnings"]:
        return "⚠ " + "; ".join(t["warnings"])
    if not t["qualifications"]:
        return "none recorded"
    last = max(q["expires_on"] for q in t["qualifications"])
    return f"valid to {uk_date(date.fromisoformat(last))}"


def _days_off(t: dict[str, Any]) -> str:
    days = [date.fromisoformat(d["day"]) for d in t["unavailable"][:3]]
    more = len(t["unavailable"]) - len(days)
    return ", ".join(uk_date(d) for d in days) + (f" +{more}" if more > 0 else "")


def may_teach(courses: list[str], names: dict[str, str]) -> str:
    """What a trainer may teach, told apart at a glance: ``All 13 courses``, ``All but
    Oxygen Therapy``, or the course names (ids while the catalogue is loading)."""
    if not courses:
        return "nothing yet"
    if not names:
        return ", ".join(courses)
    missing = sorted(names[c] for c in names if c not in courses)
    if not missing:
        return f"All {len(names)} courses"
    if len(missing) <= 3 and len(courses) > len(missing):
        return "All but " + ", ".join(missing)
    return ", ".join(sorted(names.get(c, c) for c in courses))


def columns(names: Callable[[], dict[str, str]]) -> list[Column]:
    """The table's columns; ``names`` gives the catalogue's course names by id."""
    return [
        ("Name", lambda t: t["name"]),
        ("Email", lambda t: t["email"]),
        ("May teach", lambda t: may_teach(t["courses"], names())),
        ("Qualification", _qualification),
        ("Days off", _days_off),
    ]


def _date_edit() -> QDateEdit:
    return date_edit(today_london())


class TrainersTab(QWidget):
    def __init__(self, backend: Backend, window: Any = None) -> None:
        super().__init__()
        self.backend = backend
        self.catalogue = CatalogueCache.of(backend)
        self.model = RecordTableModel(
            columns(self.course_names),
            flag=lambda t: bool(t["warnings"]),
            parent=self,
            tips={
                2: lambda t: "\n".join(sorted(self.course_names().get(c, c) for c in t["courses"]))
            },
        )
        self.table = record_view(self.model, self, stretch=3)  # qualifications, not days off
        lay_out_with_actions(
            self,
            self.table,
            (
                ("Courses they may teach…", self.edit_courses),
                ("Add qualification…", self.add_qualification),
                ("Mark days off…", self.add_days_off),
                ("Refresh", self.reload),
            ),
        )
        backend.role_changed.connect(lambda _role: self.reload())
        self.catalogue.loaded.connect(self.model.layoutChanged.emit)
        self.catalogue.load(self)
        self.reload()

    def course_names(self) -> dict[str, str]:
        return {c.id: c.name for c in self.catalogue.courses}

    def reload(self) -> None:
        if not may_use(self.backend, OFFICE):
            return
        load(self, self.backend, "trainers.list", None, self.model.set_rows)

    def _trainer(self) -> dict[str, Any] | None:
        return selected_row(self.table, self.model)

    def edit_courses(self) -> None:
        trainer = self._trainer()
        if trainer is None:
            return
        courses = QLineEdit(", ".join(trainer["courses"]))
        FormDialog(
            self,
            f"Courses {trainer['name']} may teach",
            [("Course ids", courses)],
            self.backend,
            "trainers.set_courses",
            lambda: {"email": trainer["email"], "courses": _ids(courses.text())},
            lambda _r: self.reload(),
        ).open()

    def add_qualification(self) -> None:
        trainer = self._trainer()
        if trainer is None:
            return
        title = QLineEdit("Level 3 Award in Education and Training")
        courses = QLineEdit(", ".join(trainer["courses"]))
        expires = _date_edit()
        FormDialog(
            self,
            f"Qualification for {trainer['name']}",
            [("Title", title), ("Covers courses", courses), ("Expires on", expires)],
            self.backend,
            "trainers.add_qualification",
            lambda: {
                "email": trainer["email"],
                "title": title.text(),
                "courses": _ids(courses.text()),
                "expires_on": to_date(expires.date()).isoformat(),
            },
            lambda _r: self.reload(),
        ).open()

    def add_days_off(self) -> None:
        trainer = self._trainer()
        if trainer is None:
            return
        first, last, reason = _date_edit(), _date_edit(), QLineEdit()
        FormDialog(
            self,
            f"Days {trainer['name']} cannot teach",
            [("From", first), ("To", last), ("Reason", reason)],
            self.backend,
            "trainers.add_unavailable",
            lambda: {
                "email": trainer["email"],
                "first": to_date(first.date()).isoformat(),
                "last": to_date(last.date()).isoformat(),
                "reason": reason.text() or None,
            },
            lambda _r: self.reload(),
        ).open()


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
