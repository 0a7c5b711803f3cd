"""The wizard's seat hold: created on the service, counted down on screen, kept alive while
the receptionist works, and released when the wizard is cancelled or closed."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from core.infra.clock import now
from desktop.backend import Backend
from desktop.tasks import BackendOp

KEEP_ALIVE_AFTER_S = 60  # extend on activity at most once a minute
WARN_BELOW_S = 120


class HoldKeeper(QObject):
    """One active hold at a time (``holds.create`` / ``holds.extend`` / ``holds.release``)."""

    changed = Signal()  # the hold appeared, changed size or went away
    tick = Signal(int)  # seconds left, once a second while a hold exists
    lost = Signal(str)  # the hold ran out; plain-English explanation

    def __init__(self, backend: Backend, parent: QObject) -> None:
        super().__init__(parent)
        self.backend = backend
        self.hold: dict[str, Any] | None = None
        self._extended_at = 0.0
        self._extending = False
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)

    @property
    def session_id(self) -> int | None:
        return int(self.hold["session_id"]) if self.hold else None

    @property
    def seats(self) -> int:
        return int(self.hold["seats"]) if self.hold else 0

    def owner(self) -> dict[str, str]:
        """The hold's id and token, which ``holds.extend``/``release`` and booking need."""
        assert self.hold is not None
        return {"hold_id": self.hold["id"], "hold_token": self.hold["hold_token"]}

    def seconds_left(self) -> int:
        if self.hold is None:
            return 0
        expires = datetime.fromisoformat(self.hold["expires_at"])
        return max(0, int((expires - now()).total_seconds()))

    def hold_seats(
        self,
        session_id: int,
        seats: int,
        done: Callable[[], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        """Hold ``seats`` on ``session_id``: resize our hold there, or swap to a new one."""
        if self.hold is not None and self.session_id == session_id:
            if seats == self.seats and self.seconds_left() > WARN_BELOW_S:
                done()
                return
            self._call("holds.extend", {**self.owner(), "seats": seats}, done, failed)
            return
        self.release()
        self._call("holds.create", {"session_id": session_id, "seats": seats}, done, failed)

    def keep_alive(self) -> None:
        """The receptionist is working: extend the hold if it has not been extended lately."""
        if self.hold is None or self._extending:
            return
        if time.monotonic() - self._extended_at < KEEP_ALIVE_AFTER_S:
            return
        self._extending = True
        self._call("holds.extend", self.owner(), lambda: None, lambda _e: None)

    def booked(self) -> None:
        """The hold became a booking: nothing to release any more."""
        self.hold = None
        self._timer.stop()
        self.changed.emit()

    def release(self, then: Callable[[], None] | None = None) -> None:
        """Give the seats back (fire and forget; outlives the wizard); ``then`` runs once
        they are back (or at once when nothing is held)."""
        after = then or (lambda: None)
        if self.hold is None:
            after()
            return
        params = self.owner()
        self.hold = None
        self._timer.stop()
        BackendOp(self.backend, self.backend, "holds.release", params).success(
            lambda _r: after()
        ).failure(lambda _e: after()).run()
        self.changed.emit()

    def _call(
        self,
        method: str,
        params: dict[str, Any],
        done: Callable[[], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        def arrived(hold: dict[str, Any]) -> None:
            self._extending = False
            token = hold.get("hold_token") or (self.hold or {}).get("hold_token")
            self.hold = {**hold, "hold_token": token}
            self._extended_at = time.monotonic()
            self._timer.start()
            self.changed.emit()
            self.tick.emit(self.seconds_left())
            done()

        def refused(error: BaseException) -> None:
            self._extending = False
            failed(error)

        BackendOp(self, self.backend, method, params).success(arrived).failure(refused).run()

    def _tick(self) -> None:
        left = self.seconds_left()
        self.tick.emit(left)
        if left <= 0 and self.hold is not None:
            self.hold = None
            self._timer.stop()
            self.changed.emit()
            self.lost.emit(
                "The held seats were released because nothing happened for a while. "
                "Go back to the first step to hold seats again."
            )
