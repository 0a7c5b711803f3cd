"""``changes.since`` and ``changes.subscribe``: the change feed, as each caller may see it.

Staff see every change, with the names of who is booking right now. The website sees only
session changes, with anonymous booking intents and no staff contact details.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from core.api import public
from core.api.params import NoParams, Params
from core.api.public import STAFF_OR_WEBSITE
from core.api.registry import Call, method
from core.api.results.staff import Changes, Head, Subscribed
from core.infra.actor import Actor
from core.infra.errors import ValidationFailed
from core.journal import changes
from core.staff import signins

LAST_SEQ = 2**63 - 1  # the feed's sequence numbers are 64-bit


class SinceParams(Params):
    after_seq: int = Field(default=0, ge=0, le=LAST_SEQ)
    limit: int = Field(default=500, ge=1, le=1000)


class SubscribeParams(Params):
    after_seq: int = Field(default=0, ge=0, le=LAST_SEQ)


STAFF = "staff"
WEBSITE = "website"


def audience(actor: Actor | None) -> str:
    """Which view of the feed ``actor`` is shown: every caller in one audience sees the
    same changes, byte for byte, so a push is encoded once per audience."""
    return WEBSITE if public.is_website(actor) else STAFF


def shown_to(message: dict[str, Any], audience_: str) -> dict[str, Any] | None:
    """One feed message as ``audience_`` sees it, or None when it is not theirs to see.
    Ended sign-ins are for the servers only."""
    if message["kind"] == signins.KIND:
        return None
    if audience_ != WEBSITE:
        return message
    if message["kind"] != "session":
        return None
    data = public.session(message["data"])
    data["intents"] = public.intents(data.get("intents", []))
    return message | {"data": data}


def visible(message: dict[str, Any], actor: Actor | None) -> dict[str, Any] | None:
    """One feed message as ``actor`` may see it (see ``shown_to``)."""
    return shown_to(message, audience(actor))


def _within_feed(tx: Session, after_seq: int) -> int:
    """The feed's head; a cursor beyond it (from another database, or made up) is refused,
    since changes up to it would never be sent."""
    head = changes.last_seq(tx)
    if after_seq > head:
        raise ValidationFailed(
            f"after_seq {after_seq} is beyond the newest change ({head}); this feed never "
            f"reached it (was the database replaced?). Start again from 0.",
            head=head,
        )
    return head


def feed_page(call: Call, after_seq: int, limit: int) -> dict[str, Any]:
    """Changes after ``after_seq`` that the caller may see, and how far the page read."""
    rows = changes.settled(call.db, after_seq, limit)
    if not rows:
        with call.db.read() as tx:
            _within_feed(tx, after_seq)
    shown = [m for m in (visible(changes.as_message(r), call.actor) for r in rows) if m]
    last = rows[-1].seq if rows else after_seq
    return {"changes": shown, "last_seq": last, "more": len(rows) == limit}


@method("changes.since", roles=STAFF_OR_WEBSITE, params=SinceParams, result=Changes)
def since(call: Call, params: SinceParams) -> dict[str, Any]:
    return feed_page(call, params.after_seq, params.limit)


@method("changes.head", roles=STAFF_OR_WEBSITE, params=NoParams, result=Head)
def head(call: Call, params: NoParams) -> dict[str, int]:
    """The newest ``seq`` with none still to appear below it: a client that has just loaded
    what it shows subscribes from here."""
    return {"head": changes.settled_head(call.db)}


@method("changes.subscribe", roles=STAFF_OR_WEBSITE, params=SubscribeParams, result=Subscribed)
def subscribe(call: Call, params: SubscribeParams) -> dict[str, Any]:
    """Validate a subscription and report the feed's head; the server then starts pushing
    ``changes.push`` notifications from ``after_seq`` (in-process callers poll ``since``)."""
    with call.db.read() as tx:
        head = _within_feed(tx, params.after_seq)
    return {"after_seq": params.after_seq, "head": head}
