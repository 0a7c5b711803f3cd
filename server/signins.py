"""Which sign-ins are still live, as this server process knows them.

Each call on a signed-in connection asks ``SignIns.live``: the answer is cached, read from
the database (``core.staff.signins.is_live``) only the first time a sign-in is seen, and cleared
by the ``signin`` changes the feed brings from any process. Connections ``watch`` their
sign-in and are told the moment it ends, so they can tell their client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from core.infra.db import Database
from core.staff import signins

KEEP = 10_000  # sign-ins remembered each way before the oldest are read again
Ended = Callable[[str], None]  # called with the reason a watched sign-in ended


class SignIns:
    """A cache of live and ended sign-ins; used on the event loop only."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._live: dict[str, None] = {}
        self._ended: dict[str, str] = {}  # sign-in -> reason
        self._watchers: dict[str, set[Ended]] = {}

    def _read(self, family: str, user_id: int) -> bool:
        with self.db.read() as tx:
            return signins.is_live(tx, family, user_id)

    async def live(self, family: str, user_id: int) -> bool:
        if family in self._ended:
            return False
        if family in self._live:
            return True
        found = await asyncio.to_thread(self._read, family, user_id)
        if family in self._ended:  # the feed ended it while we read
            return False
        if found:
            _remember(self._live, family, None)
        else:
            _remember(self._ended, family, "")
        return found

    def reason(self, family: str) -> str | None:
        return self._ended.get(family) or None

    def watch(self, family: str, ended: Ended) -> Callable[[], None]:
        """Call ``ended(reason)`` once ``family`` ends; returns a function that stops it.
        The sign-in has just been checked (a connection signed in with it), so unless the
        feed has already ended it, it counts as live."""
        if family in self._ended:
            ended(self._ended[family])
            return lambda: None
        _remember(self._live, family, None)
        self._watchers.setdefault(family, set()).add(ended)
        return lambda: self._watchers.get(family, set()).discard(ended)

    def take(self, messages: list[dict[str, Any]]) -> None:
        """Feed messages, as the feed reads them: ended sign-ins are forgotten as live."""
        for message in messages:
            if message["kind"] != signins.KIND:
                continue
            reason = str(message["data"]["reason"])
            for family in message["data"]["ended"]:
                self._live.pop(family, None)
                _remember(self._ended, family, reason)
                for ended in self._watchers.pop(family, set()):
                    ended(reason)


def _remember(cache: dict[str, Any], key: str, value: Any) -> None:
    cache[key] = value
    if len(cache) > KEEP:
        del cache[next(iter(cache))]
