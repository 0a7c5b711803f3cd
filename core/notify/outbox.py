"""The outbox: an email is written in the same transaction as the change that causes it.

``enqueue`` renders the message at once (so later template edits never change what the
customer was told) and stores recipient and content encrypted. ``enqueue_unrendered``
records only what to send (template, recipient, booking) for the sender to render when it
sends it: the booking confirmation, so rendering it and its invite never holds a seat lock.
``core.notify.sender`` delivers both.
"""

from __future__ import annotations

import base64
import html
import json
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.infra.clock import now
from core.infra.errors import ValidationFailed
from core.models import OutboxMessage
from core.notify.render import render

_TABLE = OutboxMessage.__table__
assert isinstance(_TABLE, Table)
_INSERT = insert(_TABLE).returning(_TABLE.c.id)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def encode_attachments(attachments: Sequence[Attachment]) -> str:
    return json.dumps(
        [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "data": base64.b64encode(a.data).decode("ascii"),
            }
            for a in attachments
        ]
    )


def decode_attachments(stored: str) -> list[Attachment]:
    return [
        Attachment(item["filename"], item["content_type"], base64.b64decode(item["data"]))
        for item in json.loads(stored)
    ]


def _check_address(to: str) -> str:
    _, address = parseaddr(to)
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise ValidationFailed(f"{to!r} is not an email address we can send to.")
    return to.strip()


def enqueue(
    tx: Session,
    *,
    template: str,
    to: str,
    context: Mapping[str, Any],
    attachments: Sequence[Attachment] = (),
    dedupe_key: str | None = None,
) -> int:
    """Queue one email in the caller's transaction and return its outbox id.

    With a ``dedupe_key`` that was used before, nothing is queued and the earlier
    message's id is returned (e.g. "each reminder sent once").
    """
    if dedupe_key is not None:
        existing = tx.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    rendered = render(template, context)
    message = _message(template, to, dedupe_key)
    message.subject, message.body_text, message.body_html = (
        rendered.subject,
        rendered.text,
        rendered.html,
    )
    message.attachments = encode_attachments(attachments)
    return _insert(tx, message)


def enqueue_unrendered(
    tx: Session, *, template: str, to: str, booking_id: int, dedupe_key: str, new: bool = False
) -> int:
    """Queue an email that the sender renders from booking ``booking_id`` when it sends it
    (``core.notify.booking_emails.render_queued``), so the caller's transaction stays short.

    ``new``: the booking was made in this transaction, so nothing can have been queued under
    ``dedupe_key`` yet and it is not looked up first.
    """
    if not new:
        existing = tx.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    fields = _fields(template, to, dedupe_key) | {
        "subject": "",
        "body_text": "",
        "body_html": "",
        "attachments": "",
        "render_booking_id": booking_id,
    }
    if new:  # one INSERT, without a flush of the whole unit of work
        return int(tx.execute(_INSERT, fields).scalar_one())
    return _insert(tx, OutboxMessage(**fields))


def _message(template: str, to: str, dedupe_key: str | None) -> OutboxMessage:
    return OutboxMessage(**_fields(template, to, dedupe_key))


def _fields(template: str, to: str, dedupe_key: str | None) -> dict[str, Any]:
    at = now()
    return {
        "template": template,
        "recipient": _check_address(to),
        "dedupe_key": dedupe_key,
        "message_id": f"<{uuid.uuid4().hex}@rft-training.co.uk>",
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": at,
        "created_at": at,
    }


def _insert(tx: Session, message: OutboxMessage) -> int:
    """Add ``message``; with a dedupe key a concurrent writer may have won: its id then."""
    if message.dedupe_key is None:
        tx.add(message)
        tx.flush()
        return message.id
    try:
        with tx.begin_nested():  # a concurrent enqueue with the same key won the race
            tx.add(message)
    except IntegrityError:
        winner = tx.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == message.dedupe_key)
        )
        if winner is None:
            raise
        return winner
    return message.id


def forget_recipient(
    tx: Session, email: str, names: Collection[str] = (), *, replacement: str = "(erased)"
) -> int:
    """Erase every queued or sent message to ``email`` (a customer's right to erasure), and
    take the address and ``names`` out of the copies of messages to anyone else (a payer's
    confirmation lists every attendee). Returns how many messages were erased.

    Recipients are encrypted with a random nonce, so this reads and compares each row.
    """
    wanted = email.strip().casefold()
    erased = 0
    for row in tx.scalars(select(OutboxMessage)):
        if parseaddr(row.recipient)[1].casefold() == wanted:
            if row.status != "sending":  # being handed over right now: the sender owns it
                tx.delete(row)
                erased += 1
            continue
        words = [email.strip(), *names]
        for field, escape in (("subject", False), ("body_text", False), ("body_html", True)):
            text = getattr(row, field)
            kept = _without(text, [html.escape(w) for w in words] if escape else words, replacement)
            if kept != text:
                setattr(row, field, kept)
    tx.flush()
    return erased


def _without(text: str, words: Sequence[str], replacement: str) -> str:
    for word in sorted((w for w in words if w.strip()), key=len, reverse=True):
        text = text.replace(word, replacement)
    return text
