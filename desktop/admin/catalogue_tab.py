"""The Catalogue tab (admin): courses and venues, with an edit form for each. A new price
applies to new bookings only; every desk and the website see a change at once."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.infra.money import gbp
from core.staff.roles import ADMIN
from desktop.admin.form_dialog import FormDialog
from desktop.admin.record_table import RecordTableModel, record_view, selected_row
from desktop.admin.roles import load, may_use
from desktop.backend import Backend
from desktop.catalogue_cache import CatalogueCache

COURSE_COLUMNS = [
    ("Course", lambda c: c["name"]),
    ("Price", lambda c: gbp(c["price_pence"])),
    ("Days / hours", lambda c: f"{c['days']} / {' + '.join(f'{h:g}' for h in c['day_hours'])}"),
    ("Min age", lambda c: c["min_age"]),
    (
        "Certificate",
        lambda c: f"{c['certificate_months']} months" if c["certificate_months"] else "-",
    ),
]
VENUE_COLUMNS = [
    ("Venue", lambda v: v["name"]),
    ("Address", lambda v: f"{v['address']}, {v['postcode']}"),
    ("Rooms", lambda v: ", ".join(v["rooms"])),
]


def _spin(low: int, high: int, value: int | None) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value or low)
    return spin


class CatalogueTab(QWidget):
    def __init__(self, backend: Backend, window: Any = None) -> None:
        super().__init__()
        self.backend = backend
        self.courses = RecordTableModel(COURSE_COLUMNS, parent=self)
        self.venues = RecordTableModel(VENUE_COLUMNS, parent=self)
        self.course_table = record_view(self.courses, self, stretch=0)
        self.venue_table = record_view(self.venues, self)
        edit_course = QPushButton("Edit course…")
        edit_course.clicked.connect(self.edit_course)
        edit_venue = QPushButton("Edit venue…")
        edit_venue.clicked.connect(self.edit_venue)
        layout = QVBoxLayout(self)
        for label, button, table in (
            ("Courses (a new price applies to new bookings only)", edit_course, self.course_table),
            ("Venues", edit_venue, self.venue_table),
        ):
            bar = QHBoxLayout()
            bar.addWidget(QLabel(f"<b>{label}</b>"))
            bar.addStretch(1)
            bar.addWidget(button)
            layout.addLayout(bar)
            layout.addWidget(table)
        backend.changed.connect(self._on_change)
        backend.role_changed.connect(lambda _role: self.reload())
        self.reload()

    def reload(self) -> None:
        if not may_use(self.backend, ADMIN):
            return
        load(self, self.backend, "catalogue.get", None, self._loaded)

    def _loaded(self, result: dict[str, Any]) -> None:
        self.courses.set_rows(sorted(result["courses"], key=lambda c: c["name"]))
        self.venues.set_rows(sorted(result["venues"], key=lambda v: v["name"]))

    def _on_change(self, message: dict[str, Any]) -> None:
        if message.get("kind") in ("course", "venue"):
            CatalogueCache.of(self.backend).courses = []  # next screen to ask refetches
            self.reload()

    def edit_course(self) -> None:
        course = selected_row(self.course_table, self.courses)
        if course is None:
            return
        price = QDoubleSpinBox()
        price.setRange(1, 10000)
        price.setPrefix("£")
        price.setValue(course["price_pence"] / 100)
        description = QPlainTextEdit(course["description"])
        hours = QLineEdit(", ".join(f"{h:g}" for h in course["day_hours"]))
        min_age = _spin(10, 21, course["min_age"])
        months = _spin(1, 120, course["certificate_months"])

        def params() -> dict[str, Any]:
            try:
                day_hours = [float(h) for h in hours.text().split(",") if h.strip()]
            except ValueError:
                raise ValueError("Write each day's hours as numbers, e.g. 6, 6, 6.") from None
            return {
                "id": course["id"],
                "changes": {
                    "price_pence": round(price.value() * 100),
                    "description": description.toPlainText(),
                    "day_hours": day_hours,
                    "min_age": min_age.value(),
                    "certificate_months": months.value(),
                },
            }

        FormDialog(
            self,
            f"Edit {course['name']}",
            [
                ("Price", price),
                ("Description", description),
                ("Teaching hours per day", hours),
                ("Minimum age", min_age),
                ("Certificate valid (months)", months),
            ],
            self.backend,
            "catalogue.update_course",
            params,
            lambda _r: self.reload(),
        ).open()

    def edit_venue(self) -> None:
        venue = selected_row(self.venue_table, self.venues)
        if venue is None:
            return
        name, address = QLineEdit(venue["name"]), QLineEdit(venue["address"])
        postcode, rooms = QLineEdit(venue["postcode"]), QLineEdit(", ".join(venue["rooms"]))
        FormDialog(
            self,
            f"Edit {venue['name']}",
            [
                ("Name", name),
                ("Address", address),
                ("Postcode", postcode),
                ("Rooms (comma-separated)", rooms),
            ],
            self.backend,
            "catalogue.update_venue",
            lambda: {
                "id": venue["id"],
                "changes": {
                    "name": name.text(),
                    "address": address.text(),
                    "postcode": postcode.text().upper(),
                    "rooms": [r.strip() for r in rooms.text().split(",") if r.strip()],
                },
            },
            lambda _r: self.reload(),
        ).open()
