"""The trainer's tab: "My sessions" and the register, an offline banner above both.

All data comes from ``RegisterSource`` on worker threads; the banner shows whether the
server answered and how many marks wait on this computer. Change-feed messages about a
register on screen reload it, so a co-trainer's marks appear without asking.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from core.attendance.offline import DeviceRegister
from desktop.backend import Backend
from desktop.style_sheet import set_state
from desktop.tasks import Op, plain_message
from desktop.trainer.register_source import RegisterSource, Snapshot, device_database
from desktop.trainer.register_view import RegisterView
from desktop.trainer.sessions_view import MySessionsView
from desktop.trainer.style import BASE_FONT_PT, banner

SYNC_EVERY_MS = 30_000


class TrainerTab(QWidget):
    """``TrainerTab(backend, window)``: the tab factory the main window calls."""

    loaded = Signal()  # after each snapshot is shown (tests and screenshots wait on it)

    def __init__(
        self,
        backend: Backend,
        window: QWidget | None = None,
        source: RegisterSource | None = None,
    ) -> None:
        super().__init__(window)
        self.backend = backend
        self._source = source
        self._source_lock = threading.Lock()
        font = self.font()
        font.setPointSize(BASE_FONT_PT)
        self.setFont(font)
        self.banner = QLabel()
        self.banner.setObjectName("trainerBanner")
        self.banner.setAccessibleName("Connection")
        self.sessions = MySessionsView()
        self.register = RegisterView()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.sessions)
        self.stack.addWidget(self.register)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        self.sessions.open_register.connect(lambda s: self.open_session(int(s["id"])))
        self.sessions.refresh_requested.connect(self.refresh)
        self.register.back_requested.connect(self.show_sessions)
        self.register.mark_requested.connect(self._mark)
        self.register.everyone_present.connect(self._everyone_present)
        backend.changed.connect(self._on_change)
        backend.connection_changed.connect(self._on_connection)
        self._timer = QTimer(self)
        self._timer.setInterval(SYNC_EVERY_MS)
        self._timer.timeout.connect(self.refresh)
        self._started = False
        self._asked = self._shown = 0

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if not self._started:
            self._started = True
            self.refresh()
            self._timer.start()

    @property
    def source(self) -> RegisterSource:
        """Made on first use, on a worker thread (it opens the device database)."""
        with self._source_lock:
            if self._source is None:
                device = DeviceRegister(device_database(self.backend), self.backend.user_label)
                self._source = RegisterSource(
                    self.backend.call, device, lambda: self.backend.connected
                )
            return self._source

    @property
    def session_id(self) -> int | None:
        if self.stack.currentWidget() is self.register and self.register.roster:
            return int(self.register.roster["session"]["id"])
        return None

    # -- actions -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Sync, then show the list or the open register again."""
        sid = self.session_id
        if sid is None:
            self._run(lambda: self.source.sessions(), self._show_sessions)
        else:
            self._run(lambda: self.source.roster(sid, refresh=True), self._show_register)

    def open_session(self, session_id: int) -> None:
        self._run(lambda: self.source.roster(session_id), self._open_register)

    def show_sessions(self) -> None:
        self.stack.setCurrentWidget(self.sessions)
        self._run(lambda: self.source.sessions(refresh=False), self._show_sessions)

    def _mark(self, attendee_id: int, day: int, field: str, value: Any, time: Any) -> None:
        sid = self.session_id
        if sid is not None:
            self._run(
                lambda: self.source.mark(sid, attendee_id, day, field, value, time),
                self._show_register,
            )

    def _everyone_present(self, day: int, attendee_ids: list[int]) -> None:
        sid = self.session_id
        if sid is not None:
            self._run(
                lambda: self.source.mark_everyone(sid, attendee_ids, day, "present"),
                self._show_register,
            )

    def _on_connection(self, connected: bool, _message: str) -> None:
        if connected and self._started:
            self.refresh()

    def _on_change(self, message: dict[str, Any]) -> None:
        if message.get("kind") in ("attendance", "certificate"):
            data = message.get("data") or {}
            if self.session_id is not None and data.get("session_id") == self.session_id:
                self.refresh()

    # -- results -------------------------------------------------------------------------
    def _run(self, work: Any, done: Any) -> None:
        """Run ``work`` in the background; show its result unless a later request's result
        is already on screen (a slow sync must not undo a mark shown since)."""
        self._asked += 1
        ticket = self._asked

        def show(snap: Snapshot) -> None:
            if ticket > self._shown:
                self._shown = ticket
                done(snap)

        Op(self, work).success(show).failure(self._failed).run()

    def _failed(self, error: BaseException) -> None:
        """Say what went wrong in the banner: the register refreshes itself every few
        seconds, and a dialog each time would stop the trainer working."""
        self.banner.setText(plain_message(error))
        set_state(self.banner, "pending")
        self.loaded.emit()

    def _banner(self, snap: Snapshot) -> None:
        text, state = banner(snap.online, snap.unsynced, snap.problem)
        self.banner.setText(text)
        set_state(self.banner, state)

    def _show_sessions(self, snap: Snapshot) -> None:
        self._banner(snap)
        self.sessions.set_sessions(snap.data)
        self.loaded.emit()

    def _open_register(self, snap: Snapshot) -> None:
        self.stack.setCurrentWidget(self.register)
        self._show_register(snap, keep_place=False)
        self.register.table.setFocus()

    def _show_register(self, snap: Snapshot, keep_place: bool = True) -> None:
        self._banner(snap)
        if self.stack.currentWidget() is self.register:
            self.register.set_roster(snap.data, keep_place)
        self.loaded.emit()
