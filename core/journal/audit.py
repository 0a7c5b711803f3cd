"""The audit log: every administrative action, who did it, when, and the record before and after.

Services call ``record`` inside their own transaction, so an action and its audit entry are
committed together or not at all. Admins view, filter and export the log to CSV.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.infra.actor import Actor
from core.infra.clock import london, now, uk_date, uk_datetime
from core.infra.errors import ValidationFailed
from core.infra.money import gbp
from core.models.admin import AuditEntry

ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?)?")

CSV_COLUMNS = (
    "id",
    "at",
    "actor",
    "role",
    "action",
    "entity",
    "entity_id",
    "reason",
    "before",
    "after",
)


def record(
    tx: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: str | int,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction."""
    entry = AuditEntry(
        at=now(),
        actor=actor.label,
        actor_role=actor.role,
        actor_user_id=actor.user_id,
        channel=actor.channel,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=before,
        after=after,
        reason=reason,
    )
    tx.add(entry)
    tx.flush()
    return entry


@dataclass(frozen=True)
class AuditFilter:
    """What to show: any combination of these, newest first."""

    actor: str | None = None
    action: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str | None = None
    limit: int = 500

    def check(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValidationFailed("The 'from' date is after the 'to' date.")
        if not 1 <= self.limit <= 100_000:
            raise ValidationFailed("Show between 1 and 100000 audit entries.")


def entries(tx: Session, flt: AuditFilter | None = None) -> list[AuditEntry]:
    """Audit entries matching ``flt``, newest first."""
    flt = flt or AuditFilter()
    flt.check()
    stmt = select(AuditEntry)
    if flt.actor:
        stmt = stmt.where(func.lower(AuditEntry.actor).like(f"%{flt.actor.casefold()}%"))
    if flt.action:
        stmt = stmt.where(AuditEntry.action.like(f"{flt.action}%"))
    if flt.entity:
        stmt = stmt.where(AuditEntry.entity == flt.entity)
    if flt.entity_id:
        stmt = stmt.where(AuditEntry.entity_id == flt.entity_id)
    if flt.date_from:
        stmt = stmt.where(AuditEntry.at >= london(flt.date_from, time()))
    if flt.date_to:
        stmt = stmt.where(AuditEntry.at < london(flt.date_to + timedelta(days=1), time()))
    if flt.text:
        like = f"%{flt.text.casefold()}%"
        stmt = stmt.where(
            or_(
                func.lower(AuditEntry.reason).like(like),
                func.lower(AuditEntry.entity_id).like(like),
                func.lower(AuditEntry.action).like(like),
            )
        )
    stmt = stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(flt.limit)
    return list(tx.scalars(stmt))


def _readable(value: Any, key: str = "") -> str:
    """A recorded value as a person reads it: money in pounds, UK dates and times, lists
    joined, nested records in brief."""
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and key.endswith("_pence"):
        return gbp(value)
    if isinstance(value, str) and ISO_MOMENT.fullmatch(value):
        moment = datetime.fromisoformat(value)
        return uk_date(moment) if len(value) == 10 else uk_datetime(moment)
    if isinstance(value, list):
        return ", ".join(_readable(v, key) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_readable(v, k)}" for k, v in value.items())
    return str(value)


def field_changes(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[dict[str, str]]:
    """What an entry changed, field by field: ``{"field", "before", "after"}`` for each field
    whose value differs (every field of a record made or removed)."""
    old, new = before or {}, after or {}
    return [
        {
            "field": name.removesuffix("_pence").replace("_", " "),
            "before": _readable(old.get(name), name) if before is not None else "",
            "after": _readable(new.get(name), name) if after is not None else "",
        }
        for name in dict.fromkeys([*old, *new])
        if old.get(name) != new.get(name)
    ]


def to_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "when": uk_datetime(entry.at),
        "actor": entry.actor,
        "role": entry.actor_role,
        "channel": entry.channel,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "before": entry.before,
        "after": entry.after,
        "changes": field_changes(entry.before, entry.after),
        "reason": entry.reason,
    }


def csv_cell(value: Any) -> str:
    """A value as a CSV cell a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    # A spreadsheet would run a cell starting with these as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def export_csv(found: list[AuditEntry]) -> str:
    """The entries as CSV text (one header row), safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in found:
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    e.id,
                    e.at,
                    e.actor,
                    e.actor_role,
                    e.action,
                    e.entity,
                    e.entity_id,
                    e.reason,
                    e.before,
                    e.after,
                )
            ]
        )
    return out.getvalue()
