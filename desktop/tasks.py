"""Backend calls off the GUI thread, with success and failure delivered on it (like Anki's ops).

    BackendOp(self, backend, "sessions.list", {"course": "efaw"}) \\
        .success(self.show_sessions).failure(self.show_error).run()

The callbacks run on the GUI thread. They are dropped if ``parent`` has been deleted by the
time the result arrives, so a closed dialog never receives a late answer. Without a
``failure`` callback the error is shown in a message box with its plain-English text.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from core.errors import DomainError

log = logging.getLogger(__name__)


def plain_message(error: BaseException) -> str:
    """What to tell a receptionist about ``error``."""
    if isinstance(error, DomainError):
        return error.message
    if isinstance(error, (ConnectionError, TimeoutError, OSError)):
        return "The booking server cannot be reached. Check the network and try again."
    return "Something went wrong that the desk could not handle. Please try again."


class Activity(QObject):
    """How many backend calls are in flight (for the busy indicator in the status bar)."""

    busy_changed = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.running = 0
        self._lock = threading.Lock()

    def add(self, delta: int) -> None:
        with self._lock:
            self.running += delta
            running = self.running
        with contextlib.suppress(RuntimeError):  # at interpreter exit the object is gone
            self.busy_changed.emit(running)


activity = Activity()
WORKERS = 8  # calls mostly wait on the database or the network, not the CPU


def pool() -> QThreadPool:
    """The worker pool: Qt's global one, widened so slow calls never starve the others
    (its default is one thread per core)."""
    shared = QThreadPool.globalInstance()
    if shared.maxThreadCount() < WORKERS:
        shared.setMaxThreadCount(WORKERS)
    return shared


class _Relay(QObject):
    """Lives on the GUI thread as a child of the op's parent; worker signals land here."""

    finished = Signal(bool, object)


class _Runner(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        activity.add(1)
        try:
            result: Any = self._work()
            ok = True
        except Exception as exc:  # delivered to the failure callback, never lost
            if not isinstance(exc, DomainError):
                log.exception("backend call failed")
            result, ok = exc, False
        activity.add(-1)
        with contextlib.suppress(RuntimeError):  # the parent (and relay) are gone
            self._relay.finished.emit(ok, result)


class Op:
    """Run ``work`` on the worker pool; report to ``success``/``failure`` on the GUI thread."""

    def __init__(self, parent: QObject, work: Callable[[], Any]) -> None:
        self._parent = parent
        self._work = work
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None

    def success(self, callback: Callable[[Any], None]) -> Op:
        self._success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Op:
        self._failure = callback
        return self

    def run(self) -> None:
        relay = _Relay(self._parent)
        relay.finished.connect(lambda ok, result: self._finish(relay, ok, result))
        pool().start(_Runner(self._work, relay))

    def _finish(self, relay: _Relay, ok: bool, result: Any) -> None:
        relay.deleteLater()
        if ok:
            if self._success is not None:
                self._success(result)
        elif self._failure is not None:
            self._failure(result)
        else:
            parent = self._parent if isinstance(self._parent, QWidget) else None
            QMessageBox.warning(parent, "Could not do that", plain_message(result))


class BackendOp(Op):
    """One service API call by name, run in the background."""

    def __init__(
        self, parent: QObject, backend: Any, method: str, params: dict[str, Any] | None = None
    ) -> None:
        super().__init__(parent, lambda: backend.call(method, params or {}))
        self.method = method
