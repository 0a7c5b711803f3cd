"""What a waiting-list entry asks beyond one session: any session of the course at chosen
venues before a date (``before``, ``venues``), and automatic enrolment paid by link for the
attendees named (``auto_enrol``), as ``waitlist.add`` takes them (docs/waitlist.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.infra.clock import today_london
from desktop.backend import Backend
from desktop.catalogue_cache import CatalogueCache
from desktop.session_data import SessionRow
from desktop.uk_dates import date_edit
from desktop.wizard.attendees import AttendeesModel


class WaitlistWish(QWidget):
    """Two optional boxes, unticked by default: "any session before" and "book automatically"."""

    def __init__(self, backend: Backend, session: SessionRow, people: list[dict[str, str]]) -> None:
        super().__init__()
        self.session = session
        self.flexible = QGroupBox("&Any session of this course at these venues, before")
        self.flexible.setCheckable(True)
        self.flexible.setChecked(False)
        self.before = date_edit(
            max(session.start.date(), today_london()) + timedelta(days=28), "Before date"
        )
        self.venues = QListWidget()
        self.venues.setAccessibleName("Venues")
        self.venues.setMaximumHeight(4 * self.venues.fontMetrics().lineSpacing() + 12)
        flexible = QFormLayout(self.flexible)
        flexible.addRow("Starting &before", self.before)
        flexible.addRow("At &venues", self.venues)

        self.auto = QGroupBox("Book &automatically when seats come free: agreed to pay by link")
        self.auto.setCheckable(True)
        self.auto.setChecked(False)
        self.people = AttendeesModel(self)
        self.people.set_people(people)
        self.table = QTableView()
        self.table.setModel(self.people)
        self.table.setAccessibleName("Attendees to book")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMaximumHeight(5 * self.table.fontMetrics().lineSpacing() + 24)
        note = QLabel(
            "One attendee per seat. They are booked unpaid and emailed a payment link; "
            "the usual payment deadline applies."
        )
        note.setWordWrap(True)
        auto = QVBoxLayout(self.auto)
        auto.addWidget(note)
        auto.addWidget(self.table)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.flexible)
        layout.addWidget(self.auto)
        self.catalogue = CatalogueCache.of(backend)
        self.catalogue.loaded.connect(self._list_venues)
        self.catalogue.load(self)

    def _list_venues(self) -> None:
        self.venues.clear()
        own_first = sorted(self.catalogue.venues, key=lambda v: v.id != self.session.venue)
        for venue in own_first:
            item = QListWidgetItem(venue.name)
            item.setData(Qt.ItemDataRole.UserRole, venue.id)
            own = venue.id == self.session.venue
            item.setCheckState(Qt.CheckState.Checked if own else Qt.CheckState.Unchecked)
            self.venues.addItem(item)

    def set_seats(self, seats: int) -> None:
        """The attendees table keeps one row per seat wanted (typed rows are kept)."""
        while self.people.rowCount() < seats:
            self.people.add_row()
        while self.people.rowCount() > seats:
            self.people.remove_row(self.people.rowCount() - 1)

    def chosen_venues(self) -> list[str]:
        items = (self.venues.item(i) for i in range(self.venues.count()))
        return [
            str(i.data(Qt.ItemDataRole.UserRole))
            for i in items
            if i.checkState() == Qt.CheckState.Checked
        ]

    def problem(self) -> str | None:
        """What stops the entry being sent, in words; ``None`` when it can go."""
        if self.flexible.isChecked() and not self.chosen_venues():
            return "Tick at least one venue for “any session before”."
        if self.auto.isChecked():
            self.people.reveal()
            return self.people.first_problem()
        return None

    def params(self) -> dict[str, Any]:
        """The ``waitlist.add`` params for what is ticked (none when nothing is)."""
        out: dict[str, Any] = {}
        if self.flexible.isChecked():
            out["before"] = self.before.date().toPython().isoformat()  # type: ignore[attr-defined]
            out["venues"] = self.chosen_venues()
        if self.auto.isChecked():
            out["auto_enrol"] = {
                "agreed_to_pay_by_link": True,
                "attendees": self.people.payload(),
            }
        return out
