"""Backend calls off the GUI thread, with success and failure delivered on it (like Anki's ops).

    ApiOp(self, backend, sessions.list_, ListParams(course="efaw")) \\
        .success(self.show_sessions).failure(self.show_error).run()

``ApiOp`` is typed by the ``core.api`` method it runs (its params and result models; pass
a function building the params when they come from what the user typed);
``BackendOp`` calls a method by name with a dict, for the calls not yet typed.

The callbacks run on the GUI thread. They are dropped if ``parent`` has been deleted by the
time the result arrives, so a closed dialog never receives a late answer. Without a
``failure`` callback the error is shown in a message box with its plain-English text.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

import shiboken6
from pydantic import BaseModel, ValidationError
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from core.api.registry import Method
from core.infra.errors import DomainError, ValidationFailed
from core.infra.validation_text import plain

log = logging.getLogger(__name__)
T = TypeVar("T")
P = TypeVar("P", bound=BaseModel)
R = TypeVar("R", bound=BaseModel)


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


class _Results(QObject):
    """Hands results from worker threads to the GUI thread.

    One object for the whole run, on the GUI thread and never deleted, so no worker emits on
    an object that is being destroyed. Ops in flight and their outcomes are kept here, so a
    worker never holds the last reference to anything (a Qt object freed on a worker thread
    would crash the app).
    """

    arrived = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)
        self._ops: dict[int, Op[Any]] = {}
        self._lock = threading.Lock()
        self._outcomes: dict[int, tuple[bool, Any]] = {}
        self.arrived.connect(self._deliver)
        self._collector = _GuiThreadCollector(self)

    def start(self, op: Op[Any]) -> None:
        op_id = next(self._ids)
        self._ops[op_id] = op
        pool().start(_Runner(op_id, op.work, self))

    def keep(self, op_id: int, outcome: tuple[bool, Any]) -> None:
        """Worker thread: store the outcome; the caller then drops its own references."""
        with self._lock:
            self._outcomes[op_id] = outcome

    @Slot(int)
    def _deliver(self, op_id: int) -> None:
        with self._lock:
            ok, result = self._outcomes.pop(op_id)
        self._ops.pop(op_id).finish(ok, result)


class _GuiThreadCollector(QObject):
    """Python's cyclic garbage collection, run on the GUI thread only (as Anki does).

    Left automatic, a collection starts on whichever thread happens to allocate, so a worker
    could free a widget caught in a reference cycle: ``~QObject`` on a worker thread waits for
    Qt's lock while the GUI thread holds it and waits for the GIL, and the desk hangs.
    """

    INTERVAL_MS = 500

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect)
        self._timer.start(self.INTERVAL_MS)

    @Slot()
    def collect(self) -> None:
        """Collect the generations that automatic collection would have by now."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        due = [g for g in (2, 1, 0) if counts[g] > thresholds[g]]
        if due:
            gc.collect(due[0])


_results: _Results | None = None


def _results_on_gui_thread() -> _Results:
    global _results
    if _results is None:
        _results = _Results()  # created by the first Op.run(), on the GUI thread
    return _results


class _Runner(QRunnable):
    def __init__(self, op_id: int, work: Callable[[], Any], results: _Results) -> None:
        super().__init__()
        self._op_id = op_id
        self._work: Callable[[], Any] | None = work
        self._results = results

    def run(self) -> None:
        work, self._work = self._work, None
        assert work is not None
        activity.add(1)
        try:
            outcome: tuple[bool, Any] = (True, work())
        except Exception as exc:  # delivered to the failure callback, never lost
            if not isinstance(exc, DomainError):
                log.exception("backend call failed")
            outcome = (False, exc)
        activity.add(-1)
        self._results.keep(self._op_id, outcome)
        del work, outcome
        with contextlib.suppress(RuntimeError):  # at interpreter exit the object is gone
            self._results.arrived.emit(self._op_id)


class Op(Generic[T]):
    """Run ``work`` on the worker pool; report to ``success``/``failure`` on the GUI thread."""

    def __init__(self, parent: QObject, work: Callable[[], T]) -> None:
        self._parent = parent
        self.work = work
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None

    def success(self, callback: Callable[[T], None]) -> Op[T]:
        self._success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Op[T]:
        self._failure = callback
        return self

    def run(self) -> None:
        _results_on_gui_thread().start(self)

    def finish(self, ok: bool, result: Any) -> None:
        """On the GUI thread: call back, unless the parent has been deleted meanwhile."""
        if not shiboken6.isValid(self._parent):
            return
        if ok:
            if self._success is not None:
                self._success(result)
        elif self._failure is not None:
            self._failure(result)
        else:
            parent = self._parent if isinstance(self._parent, QWidget) else None
            QMessageBox.warning(parent, "Could not do that", plain_message(result))


class Invoker(Protocol):
    """What ``ApiOp`` needs of a ``desktop.backend.Backend``."""

    def invoke(self, method: Method[P, R], params: P) -> R: ...


class ApiOp(Op[R]):
    """One typed service API call in the background: ``success`` gets the result model.

    ``params`` is the params model, or a function building it from what the user typed: a
    ``ValidationError`` it raises is reported like a call the service refused (the same
    plain sentence, to ``failure`` or in a message box) and nothing is sent.
    """

    def __init__(
        self,
        parent: QObject,
        backend: Invoker,
        method: Method[P, R],
        params: P | Callable[[], P],
    ) -> None:
        built: list[P] = []

        def build() -> None:
            built.append(params if isinstance(params, BaseModel) else params())

        super().__init__(parent, lambda: backend.invoke(method, built[0]))
        self.method = method.name
        self._build = build

    def run(self) -> None:
        try:
            self._build()
        except ValidationError as exc:
            self.finish(False, ValidationFailed(plain(exc, "params")))
            return
        super().run()


class BackendOp(Op[Any]):
    """One service API call by name, run in the background."""

    def __init__(
        self, parent: QObject, backend: Any, method: str, params: dict[str, Any] | None = None
    ) -> None:
        super().__init__(parent, lambda: backend.call(method, params or {}))
        self.method = method
