"""``changes.since`` and ``changes.subscribe``: the change feed, as each caller may see it.

Staff see every change, with the names of who is booking right now. The website sees only
session changes, with anonymous booking intents and no staff contact details.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from core import changes
from core.actor import Actor
from core.api import public
from core.api.params import NoParams, Params
from core.api.public import STAFF_OR_WEBSITE
from core.api.registry import Call, method


class SinceParams(Params):
    wide_ints = frozenset({"after_seq"})
    after_seq: int = Field(default=0, ge=0)
    limit: int = Field(default=500, ge=1, le=1000)


class SubscribeParams(Params):
    wide_ints = frozenset({"after_seq"})
    after_seq: int = Field(default=0, ge=0)


def visible(message: dict[str, Any], actor: Actor | None) -> dict[str, Any] | None:
    """One feed message as ``actor`` may see it, or None when it is not theirs to see."""
    if not public.is_website(actor):
        return message
    if message["kind"] != "session":
        return None
    data = public.session(message["data"])
    data["intents"] = public.intents(data.get("intents", []))
    return message | {"data": data}


def feed_page(call: Call, after_seq: int, limit: int) -> dict[str, Any]:
    """Changes after ``after_seq`` that the caller may see, and how far the page read."""
    with call.db.read() as tx:
        rows = changes.since(tx, after_seq, limit)
    shown = [m for m in (visible(changes.as_message(r), call.actor) for r in rows) if m]
    last = rows[-1].seq if rows else after_seq
    return {"changes": shown, "last_seq": last, "more": len(rows) == limit}


@method("changes.since", roles=STAFF_OR_WEBSITE, params=SinceParams)
def since(call: Call, params: SinceParams) -> dict[str, Any]:
    return feed_page(call, params.after_seq, params.limit)


@method("changes.head", roles=STAFF_OR_WEBSITE, params=NoParams)
def head(call: Call, params: NoParams) -> dict[str, int]:
    """The newest ``seq``: a client that has just loaded what it shows subscribes from here."""
    with call.db.read() as tx:
        return {"head": changes.last_seq(tx)}


@method("changes.subscribe", roles=STAFF_OR_WEBSITE, params=SubscribeParams)
def subscribe(call: Call, params: SubscribeParams) -> dict[str, Any]:
    """Validate a subscription and report the feed's head; the server then starts pushing
    ``changes.push`` notifications from ``after_seq`` (in-process callers poll ``since``)."""
    with call.db.read() as tx:
        head = changes.last_seq(tx)
    return {"after_seq": params.after_seq, "head": head}
