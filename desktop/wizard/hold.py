"""The wizard's seat hold: created on the service, counted down on screen, kept alive while
the receptionist works, and released when the wizard is cancelled or closed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel
from PySide6.QtCore import QObject, QTimer, Signal

from core.api import holds
from core.api.registry import Method
from core.api.results.bookings import Hold
from core.infra.clock import now
from desktop.backend import Backend
from desktop.tasks import ApiOp

P = TypeVar("P", bound=BaseModel)
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
        self.hold: Hold | None = None
        self._extended_at = 0.0
        self._extending = False
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)

    @property
    def session_id(self) -> int | None:
        return self.hold.session_id if self.hold else None

    @property
    def seats(self) -> int:
        return self.hold.seats if self.hold else 0

    def owner(self) -> dict[str, str]:
        """The hold's id and token, which booking needs."""
        ours = self._ours()
        return {"hold_id": ours.hold_id, "hold_token": ours.hold_token}

    def _ours(self, seats: int | None = None) -> holds.ExtendParams:
        """The hold's id and token (and a new size), as ``holds.extend`` takes them."""
        assert self.hold is not None and self.hold.hold_token is not None
        return holds.ExtendParams(
            hold_id=self.hold.id, hold_token=self.hold.hold_token, seats=seats
        )

    def seconds_left(self) -> int:
        if self.hold is None:
            return 0
        return max(0, int((self.hold.expires_at - now()).total_seconds()))

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
            self._call(holds.extend, lambda: self._ours(seats), done, failed)
            return
        self.release()
        self._call(
            holds.create,
            lambda: holds.CreateParams(session_id=session_id, seats=seats),
            done,
            failed,
        )

    def keep_alive(self) -> None:
        """The receptionist is working: extend the hold if it has not been extended lately."""
        if self.hold is None or self._extending:
            return
        if time.monotonic() - self._extended_at < KEEP_ALIVE_AFTER_S:
            return
        self._extending = True
        self._call(holds.extend, self._ours, lambda: None, lambda _e: None)

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
        ours = self._ours()
        params = holds.ReleaseParams(hold_id=ours.hold_id, hold_token=ours.hold_token)
        self.hold = None
        self._timer.stop()
        ApiOp(self.backend, self.backend, holds.release, params).success(
            lambda _r: after()
        ).failure(lambda _e: after()).run()
        self.changed.emit()

    def _call(
        self,
        method: Method[P, Hold],
        params: Callable[[], P],
        done: Callable[[], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        def arrived(hold: Hold) -> None:
            self._extending = False
            token = hold.hold_token or (self.hold.hold_token if self.hold else None)
            self.hold = hold.model_copy(update={"hold_token": token})
            self._extended_at = time.monotonic()
            self._timer.start()
            self.changed.emit()
            self.tick.emit(self.seconds_left())
            done()

        def refused(error: BaseException) -> None:
            self._extending = False
            failed(error)

        ApiOp(self, self.backend, method, params).success(arrived).failure(refused).run()

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
