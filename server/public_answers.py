"""The website's month reads, worked out once per change and shared by every visitor.

``sessions.list`` and ``sessions.month`` answer every website caller (the anonymous booking
page and the website's API key: ``core.api.public``) alike, so two hundred visitors asking
for the same month between two changes need one query and one encoding, not two hundred.
An answer is kept encoded, keyed by the method, its params and the change feed's head as
this process last read it, and it is worked out after that head was read:

- every change to a session's seats, status or details, and to a course or venue, goes
  through the change feed, and a connection is pushed a change only after the head has
  moved past it, so a read sent after a push is keyed past that change and never answered
  from before it;
- a hold's seats also come back when it runs out, before the sweeper's change: an answer is
  kept only until the first hold live when it was worked out expires;
- staff are never answered from here (their answers name trainers);
- callers asking for one key while it is being worked out wait for that one computation;
  a failure is passed to them and not kept.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.api import Call, dispatch
from core.api.public import is_website
from core.infra.actor import Actor
from core.infra.clock import now
from core.seats.availability import next_hold_expiry
from server.feed import Feed
from server.jsonrpc import encode
from server.lanes import Lanes

SHARED = frozenset({"sessions.list", "sessions.month"})
KEEP = 64  # answers kept at one feed position (months and filters asked for)

Key = tuple[str, str]


@dataclass(frozen=True)
class Answer:
    encoded: str  # the result as it goes into the reply
    until: datetime | None  # when the first hold it counts runs out

    def fresh(self) -> bool:
        return self.until is None or now() < self.until


def work_out(call: Call, method: str, params: dict[str, Any] | None) -> Answer:
    """Run ``method`` and note how long its answer holds (in a worker thread)."""
    at = now()  # before the read: every hold it counts is live at ``at``
    encoded = encode(dispatch(call, method, params))
    with call.db.glance() as tx:
        return Answer(encoded, next_hold_expiry(tx, at))


class PublicAnswers:
    """Encoded website answers for the feed's current head."""

    def __init__(self, feed: Feed, lanes: Lanes, keep: int = KEEP) -> None:
        self.feed = feed
        self.lanes = lanes
        self.keep = keep
        self._head: int | None = None
        self._answers: OrderedDict[Key, asyncio.Future[Answer]] = OrderedDict()

    @staticmethod
    def shares(method: str, actor: Actor | None) -> bool:
        """Whether ``actor``'s call of ``method`` is answered from here."""
        return method in SHARED and is_website(actor)

    async def answer(self, call: Call, method: str, params: dict[str, Any] | None) -> str:
        """The encoded result of ``method(params)`` for the website."""
        if self._head != self.feed.head:
            self._answers.clear()
            self._head = self.feed.head
        key = (method, json.dumps(params, sort_keys=True))
        found = self._answers.get(key)
        if found is None or (found.done() and not found.result().fresh()):
            working = self.lanes.run(call.actor, work_out, call, method, params)
            found = asyncio.ensure_future(working)
            found.add_done_callback(lambda done: self._drop_failed(key, done))
            self._answers[key] = found
            if len(self._answers) > self.keep:
                self._answers.popitem(last=False)
        else:
            self._answers.move_to_end(key)
        answer = await asyncio.shield(found)  # a caller that goes away leaves it to the rest
        return answer.encoded

    def _drop_failed(self, key: Key, done: asyncio.Future[Answer]) -> None:
        if (done.cancelled() or done.exception() is not None) and self._answers.get(key) is done:
            del self._answers[key]
