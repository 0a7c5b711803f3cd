"""When the chosen session cannot take the seats: other dates and venues, or the waiting list.

``FullSessionButton`` sits in the wizard's button row while the session step shows; it
opens ``FullSessionDialog``, which lists ``sessions.alternatives`` (nearest venue first)
and puts a person or group on the session's waiting list (``waitlist.add``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.infra.clock import uk_datetime
from core.models import MAX_CAPACITY
from desktop.backend import Backend
from desktop.session_data import SessionRow
from desktop.tasks import BackendOp, plain_message
from desktop.wizard.waitlist_view import WaitlistView
from desktop.wizard.waitlist_wish import WaitlistWish

if TYPE_CHECKING:
    from desktop.wizard.wizard import BookingWizard


class FullSessionDialog(QDialog):
    """Alternatives for ``seats`` seats, and joining the waiting list of ``session``."""

    chosen = Signal(int)  # an alternative session id

    def __init__(
        self,
        backend: Backend,
        session: SessionRow,
        seats: int,
        parent: QWidget,
        people: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Other dates, venues and the waiting list")
        self.backend, self.session = backend, session
        self.seats = QSpinBox()
        self.seats.setRange(1, MAX_CAPACITY)
        self.seats.setValue(seats)
        self.seats.setAccessibleName("Seats wanted")
        self.seats.valueChanged.connect(lambda *_: self.load())
        self.wish = WaitlistWish(backend, session, people or [])
        self.wish.set_seats(seats)
        self.seats.valueChanged.connect(self.wish.set_seats)
        self.list = QTreeWidget()
        self.list.setHeaderLabels(["Venue", "Date", "Free", "Distance"])
        self.list.setRootIsDecorated(False)
        self.list.itemDoubleClicked.connect(lambda *_: self._choose())
        self.status = QLabel("Looking for sessions with room…")
        self.status.setWordWrap(True)
        self.choose_button = QPushButton("&Book this one instead")
        self.choose_button.setEnabled(False)
        self.choose_button.clicked.connect(self._choose)
        self.list.itemSelectionChanged.connect(
            lambda: self.choose_button.setEnabled(bool(self.list.selectedItems()))
        )
        self.name = QLineEdit()
        self.name.setPlaceholderText("Jo Bloggs or Acme Ltd")
        self.email = QLineEdit()
        self.email.setPlaceholderText("jo@example.co.uk")
        self.join_button = QPushButton("&Join the waiting list")
        self.join_button.clicked.connect(self._join)
        self.joined = QLabel()
        self.joined.setWordWrap(True)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow("Contact &name", self.name)
        form.addRow("Contact &email", self.email)
        bottom = QHBoxLayout()
        bottom.addWidget(self.choose_button)
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        heading = QLabel(
            f"<b>{session.label()}</b> has {session.free} seat{'s' if session.free != 1 else ''}"
            " free. The same course elsewhere, nearest venue first:"
        )
        heading.setWordWrap(True)
        wanted = QHBoxLayout()
        caption = QLabel("&Seats wanted")
        caption.setBuddy(self.seats)
        wanted.addWidget(caption)
        wanted.addWidget(self.seats)
        wanted.addStretch(1)
        layout.addWidget(heading)
        layout.addLayout(wanted)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)
        layout.addLayout(bottom)
        layout.addWidget(QLabel("<b>Or wait for seats on this session</b> (offered by email)"))
        layout.addLayout(form)
        layout.addWidget(self.wish)
        layout.addWidget(self.join_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.joined)
        self.waiting = WaitlistView(backend, session.id)
        layout.addWidget(QLabel("<b>Waiting list for this session</b> (offers in red)"))
        layout.addWidget(self.waiting, 1)
        self.waiting.load()
        self.resize(680, 720)
        self.load()

    def load(self) -> None:
        """List the alternatives for the seats now wanted."""
        params = {"session_id": self.session.id, "seats": self.seats.value()}
        BackendOp(self, self.backend, "sessions.alternatives", params).success(
            self._listed
        ).failure(lambda e: self.status.setText(plain_message(e))).run()

    def _listed(self, found: list[dict[str, Any]]) -> None:
        self.list.invisibleRootItem().takeChildren()  # Python owns and frees the old rows
        for alt in found:
            start = uk_datetime(datetime.fromisoformat(alt["start"]))
            item = QTreeWidgetItem(
                [alt["venue_name"], start, str(alt["free"]), f"{alt['distance_km']:g} km"]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, int(alt["id"]))
            self.list.addTopLevelItem(item)
        for col in range(4):
            self.list.resizeColumnToContents(col)
        self.status.setText(
            f"{len(found)} session{'s' if len(found) != 1 else ''} with room for "
            f"{self.seats.value()}."
            if found
            else f"No other {self.session.course_name} session has room for {self.seats.value()}."
        )

    def _choose(self) -> None:
        items = self.list.selectedItems()
        if items:
            self.chosen.emit(int(items[0].data(0, Qt.ItemDataRole.UserRole)))
            self.accept()

    def _join(self) -> None:
        problem = self.wish.problem()
        if problem:
            self.joined.setText(problem)
            return
        params = {
            "session_id": self.session.id,
            "seats": self.seats.value(),
            "contact": {"name": self.name.text().strip(), "email": self.email.text().strip()},
            **self.wish.params(),
        }
        self.join_button.setEnabled(False)
        BackendOp(self, self.backend, "waitlist.add", params).success(self._added).failure(
            self._refused
        ).run()

    def _added(self, entry: dict[str, Any]) -> None:
        self.waiting.load()
        if entry["status"] == "offered":
            self.joined.setText(
                f"Waiting-list number {entry['id']}: seats were free and are offered now."
            )
        else:
            then = (
                "they will be booked and emailed a payment link"
                if entry.get("auto_enrol")
                else "they will be emailed an offer"
            )
            where = " (here or on another matching session)" if entry.get("flexible") else ""
            self.joined.setText(
                f"On the waiting list as number {entry['id']}, position {entry['position']}. "
                f"When seats come free{where} {then}."
            )

    def _refused(self, error: BaseException) -> None:
        self.join_button.setEnabled(True)
        self.joined.setText(plain_message(error))


class FullSessionButton(QPushButton):
    """The wizard's way into ``FullSessionDialog``, shown on the session step once a chosen
    session could not take the seats (the wizard itself may already have moved on to the
    next date with room; this keeps the full one for its waiting list and other venues)."""

    def __init__(self, wizard: BookingWizard) -> None:
        super().__init__("Full: other venues && &waiting list…")
        self.wizard = wizard
        self.full: SessionRow | None = None
        self.dialog: FullSessionDialog | None = None
        self.setObjectName("fullSession")
        self.setVisible(False)
        self.clicked.connect(self.open_dialog)
        wizard.session_step.chosen.connect(self._chosen)
        wizard.stack.currentChanged.connect(lambda *_: self._show())

    def seats(self) -> int:
        return max(1, self.wizard.attendees_step.model.rowCount())

    def _chosen(self, session: SessionRow | None) -> None:
        if session is None:
            return
        held = self.wizard.hold.seats if self.wizard.hold.session_id == session.id else 0
        if session.free + held < self.seats():
            self.full = session
            self.setToolTip(f"{session.label()} has {session.free} free")
        self._show()

    def _show(self) -> None:
        self.setVisible(self.full is not None and self.wizard.stack.currentIndex() == 0)

    def open_dialog(self) -> None:
        if self.full is None:
            return
        people = self.wizard.attendees_step.model.rows
        self.dialog = FullSessionDialog(
            self.wizard.backend, self.full, self.seats(), self.wizard, people
        )
        self.dialog.chosen.connect(self._switch)
        self.dialog.open()

    def _switch(self, session_id: int) -> None:
        step = self.wizard.session_step
        step.clear_notice()
        step.select_session(session_id)
