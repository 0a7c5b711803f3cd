"""The one interface every desktop screen talks to: service API calls by name, live changes.

Screens never touch the database or the network. They call ``Backend.invoke(method, params)``
with a ``core.api`` method and its params model and get its result model back (or, for calls
not yet typed, ``Backend.call(name, dict)``), always from a worker thread through
``desktop.tasks``, and listen to ``changed`` for
change-feed messages (``core.journal.changes.as_message``: ``{"seq", "at", "kind", "id", "data"}``).

``LocalBackend`` runs ``core.api.dispatch`` in-process on the embedded database;
``RemoteBackend`` (``desktop.remote_backend``) sends the same names to a sync server.
"""

from __future__ import annotations

import threading
from typing import Any, TypeVar

from pydantic import BaseModel
from PySide6.QtCore import QObject, QRunnable, QTimer, Signal

from core.api import METHODS, Call, dispatch
from core.api.registry import Method
from core.background import Workers
from core.infra.actor import Actor
from core.infra.db import Database
from core.infra.errors import DomainError
from core.journal import changes
from desktop.tasks import pool

POLL_MS = 1000
RESEND = "bookings.resend_confirmation"  # a service may lack it; screens check has_method
P = TypeVar("P", bound=BaseModel)
R = TypeVar("R", bound=BaseModel)


class Backend(QObject):
    """Service API calls by name plus change notifications, connection state and role.

    ``call`` blocks, so it must only run on a worker thread (use ``desktop.tasks.BackendOp``).
    Signals are emitted from any thread; Qt queues them to receivers on the GUI thread.
    """

    changed = Signal(dict)  # one change-feed message
    connection_changed = Signal(bool, str)  # connected?, plain-English description
    role_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._role: str | None = None
        self._user = ""
        self._connected = False

    # -- identity ---------------------------------------------------------------------
    @property
    def role(self) -> str | None:
        """The signed-in user's role (admin, manager, reception, trainer) or None."""
        return self._role

    @property
    def user_label(self) -> str:
        return self._user

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def description(self) -> str:
        """Where the data lives, for the status bar (``This computer``, ``wss://...``)."""
        raise NotImplementedError

    def _set_identity(self, label: str, role: str | None) -> None:
        self._user = label
        if role != self._role:
            self._role = role
            self.role_changed.emit(role or "")

    def _set_connected(self, connected: bool, message: str) -> None:
        self._connected = connected
        self.connection_changed.emit(connected, message)

    # -- the API ----------------------------------------------------------------------
    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """Run one service API method and return its JSON-able result (worker thread only).

        Raises ``core.infra.errors.DomainError`` subclasses with a message for the user.
        """
        raise NotImplementedError

    def invoke(self, method: Method[P, R], params: P) -> R:
        """Run ``method`` with its params model; its result model (worker thread only).

        The same call on both backends: the params go as JSON, the answer is read back into
        the result model ``core.api`` declares for the method.
        """
        answer = self.call(method.name, params.model_dump(mode="json", exclude_unset=True))
        return method.result.model_validate(answer)

    def has_method(self, method: str) -> bool:
        """Whether the service offers ``method`` (optional features check this first)."""
        return method in METHODS

    @property
    def single_user(self) -> bool:
        """True when nobody signs in: the desk works as one local user on its own database."""
        return False

    @property
    def needs_sign_in(self) -> bool:
        """True when calls will be refused until someone signs in (remote only)."""
        return False

    def login(self, email: str, password: str, totp: str | None = None) -> dict[str, Any]:
        """Sign in as a staff member (worker thread only)."""
        raise DomainError("This desk works on its own database; there is nothing to sign in to.")

    def start(self) -> None:
        """Begin delivering changes (call once the GUI is up)."""

    def close(self) -> None:
        """Stop live updates and release connections."""


class LocalBackend(Backend):
    """The service API in-process on the embedded database, for one desk user.

    Live updates come from ``db.on_change`` for writes made here and from polling the change
    feed for writes made by other processes on the same database file. ``workers`` (email,
    Stripe events, reminders) run from ``start`` to ``close``, as the server would run them.
    """

    def __init__(
        self,
        db: Database,
        actor: Actor | None = None,
        parent: QObject | None = None,
        workers: Workers | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.workers = workers
        self.actor = actor or Actor(label="Front desk", role="admin", channel="desk")
        self._set_identity(self.actor.label, self.actor.role)
        self._seq_lock = threading.Lock()
        self._closed = False
        self._seq: int | None = None  # read on a worker once started
        db.on_change(self._on_commit)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._poll_in_background)

    @property
    def description(self) -> str:
        return "this computer"

    @property
    def single_user(self) -> bool:
        return True

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return dispatch(Call(self.db, self.actor), method, params or {})

    def start(self) -> None:
        self._set_connected(True, "Working on this computer's database.")
        pool().start(_Job(self._read_head))
        self._poll.start()
        if self.workers is not None:
            self.workers.start()

    def _read_head(self) -> None:
        with self._seq_lock:
            self._seq = changes.settled_head(self.db)

    def close(self) -> None:
        self._closed = True
        self._poll.stop()
        if self.workers is not None:
            self.workers.stop()

    def _on_commit(self, _committed: list[dict[str, Any]]) -> None:
        self.deliver_new_changes()

    def _poll_in_background(self) -> None:
        pool().start(_Job(self.deliver_new_changes))

    def deliver_new_changes(self) -> None:
        """Emit every change after the last one delivered, once each, in order."""
        if self._closed or self._seq is None or not self._seq_lock.acquire(blocking=False):
            return
        try:
            rows = [changes.as_message(c) for c in changes.settled(self.db, self._seq)]
            for message in rows:
                self._seq = message["seq"]
                self.changed.emit(message)
        finally:
            self._seq_lock.release()


class _Job(QRunnable):
    def __init__(self, fn: Any) -> None:
        super().__init__()
        self._fn = fn

    def run(self) -> None:
        self._fn()
