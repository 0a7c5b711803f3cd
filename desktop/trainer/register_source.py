"""Where the trainer's screens get their data: the device register (``core.attendance.offline``)
kept in step with the service through ``Backend.call``.

Every method blocks and runs on a worker thread (``desktop.tasks.Op``). Reading never needs
the network; marking stores the mark on the device first and then tries to push it. A
failed call means "offline": the answer says so and nothing is lost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.attendance.offline import Call, DeviceRegister
from core.infra.config import load_settings
from core.infra.db import Database, migrate, open_database
from core.infra.errors import DomainError
from desktop.backend import Backend

log = logging.getLogger(__name__)
DEVICE_DB = "trainer-device.sqlite3"
# a timeout (plain ``domain_error``) or a lapsed sign-in: treat as offline, keep marking
OFFLINE_CODES = ("domain_error", "unauthenticated")


def device_database(backend: Backend) -> Database:
    """The device's embedded database: the desk's own when it runs on one, else a file in
    the data directory (personal data encrypted with the key from the OS keyring)."""
    local = getattr(backend, "db", None)
    if isinstance(local, Database):
        return local
    settings = load_settings()
    db = open_database(
        settings.with_overrides(database_url=f"sqlite:///{settings.data_dir / DEVICE_DB}")
    )
    migrate(db)
    return db


@dataclass(frozen=True)
class Snapshot:
    """What a screen shows: data from the device, and whether the server answered."""

    data: Any
    online: bool
    unsynced: int
    problem: str | None = None


class RegisterSource:
    """The trainer's sessions and registers for the screens, online or not."""

    def __init__(
        self, call: Call, device: DeviceRegister, is_online: Callable[[], bool] | None = None
    ) -> None:
        self.call = call  # ``Backend.call``, or anything that answers the same way
        self.device = device
        self.is_online = is_online  # e.g. the backend's connection state; None: try always
        self._sync_lock = threading.Lock()
        self.online = True

    def _try(self, work: Callable[[], object]) -> str | None:
        """Run a network step unless we know we are offline; return what went wrong, if
        anything. Never raises: the device keeps the marks whatever the network does."""
        if self.is_online is not None and not self.is_online():
            self.online = False
            return None
        try:
            work()
        except DomainError as exc:
            self.online = exc.code not in OFFLINE_CODES
            return exc.message
        except Exception as exc:  # any transport failure: carry on from the device
            log.info("register sync failed: %s", exc)
            self.online = False
            return "The server cannot be reached; marks are kept on this computer."
        self.online = True
        return None

    def sync(self, session_ids: list[int] | None = None) -> str | None:
        """Push queued marks and pull fresh rosters (all of them, or the given sessions)."""
        with self._sync_lock:
            return self._try(
                lambda: (
                    self.device.push(self.call),
                    self.device.refresh(self.call, session_ids),
                )
            )

    def sessions(self, refresh: bool = True) -> Snapshot:
        problem = self.sync() if refresh else None
        return Snapshot(self.device.sessions(), self.online, self.device.unsynced(), problem)

    def roster(self, session_id: int, refresh: bool = False) -> Snapshot:
        problem = self.sync([session_id]) if refresh else None
        return Snapshot(
            self.device.roster(session_id), self.online, self.device.unsynced(), problem
        )

    def mark_everyone(
        self, session_id: int, attendee_ids: list[int], day_index: int, value: str
    ) -> Snapshot:
        """The same attendance mark for several people at once, sent in one go."""
        for attendee_id in attendee_ids:
            self.device.mark(session_id, attendee_id, day_index, "attendance", value)
        with self._sync_lock:
            problem = self._try(lambda: self.device.push(self.call))
        return Snapshot(
            self.device.roster(session_id), self.online, self.device.unsynced(), problem
        )

    def mark(
        self,
        session_id: int,
        attendee_id: int,
        day_index: int,
        field: str,
        value: str | None,
        time: str | None = None,
    ) -> Snapshot:
        """Store the mark on the device, then try to send it (and everything else queued)."""
        self.device.mark(session_id, attendee_id, day_index, field, value, time)
        with self._sync_lock:
            problem = self._try(lambda: self.device.push(self.call))
        return Snapshot(
            self.device.roster(session_id), self.online, self.device.unsynced(), problem
        )
