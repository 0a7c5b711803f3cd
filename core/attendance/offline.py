"""A trainer's device: rosters cached in the local embedded database, marks queued as
operations, and sync (push the queue in batches, pull fresh rosters) when the server answers.

No Qt and no networking here: the device talks to the service through ``call(method,
params)`` (the desktop passes ``Backend.call``); any exception from ``call`` other than a
domain error means "offline", and the queue stays as it is. Personal data in the cache (the
roster documents, queued marks with their notes) is encrypted at rest (``EncryptedText``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from core.attendance import merge
from core.attendance.hlc import ZERO, HybridClock
from core.attendance.register import in_trainer_order, when
from core.infra.clock import LONDON, now, today_london
from core.infra.db import Database
from core.infra.errors import NotFound, ValidationFailed
from core.models.attendance import DeviceState, OfflineRoster, PendingOp

Call = Callable[[str, dict[str, Any]], Any]
CACHE_AHEAD = timedelta(days=14)
CACHE_BEHIND = timedelta(days=14)
BATCH = 100


@dataclass
class PushReport:
    sent: int = 0
    applied: int = 0
    duplicate: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


def _mark_of(data: dict[str, Any]) -> merge.Mark:
    return merge.Mark(
        op_id=data["op_id"],
        device_id=data["device_id"],
        hlc=data["hlc"],
        attendee_id=int(data["attendee_id"]),
        day_index=int(data["day_index"]),
        field=data["field"],
        value=data.get("value"),
        time=data.get("time"),
    )


class DeviceRegister:
    """The register as one device holds it; safe to use from one thread at a time."""

    def __init__(self, db: Database, label: str = "this device") -> None:
        self.db = db
        self.label = label
        with db.write() as tx:
            device = tx.get(DeviceState, "device_id")
            if device is None:
                device = DeviceState(key="device_id", value=f"dev-{uuid.uuid4().hex[:16]}")
                tx.add(device)
            self.device_id = device.value
            last = tx.get(DeviceState, "hlc")
            self.clock = HybridClock(last.value if last else ZERO)

    # -- reading -------------------------------------------------------------------------
    def sessions(self, today: date | None = None) -> list[dict[str, Any]]:
        """Cached sessions: today's first, then upcoming, then recent (as the server orders)."""
        today = today or today_london()
        with self.db.read() as tx:
            docs = [json.loads(r.document) for r in tx.scalars(select(OfflineRoster))]
        return in_trainer_order(
            [
                dict(doc["session"])
                | {
                    "when": when(
                        datetime.fromisoformat(doc["session"]["start"]).date(),
                        datetime.fromisoformat(doc["session"]["end"]).date(),
                        today,
                    )
                }
                for doc in docs
            ]
        )

    def roster(self, session_id: int) -> dict[str, Any]:
        """The cached roster with this device's marks merged in by the convergence rule."""
        with self.db.read() as tx:
            row = tx.get(OfflineRoster, session_id)
            if row is None:
                raise NotFound(
                    f"Session {session_id} is not on this device; connect once to download it."
                )
            doc = json.loads(row.document)
            local = [
                (json.loads(p.mark), p.synced_at is None)
                for p in tx.scalars(
                    select(PendingOp)
                    .where(PendingOp.session_id == session_id)
                    .where((PendingOp.result.is_(None)) | (PendingOp.result != "rejected"))
                )
            ]
        server = {(m["attendee_id"], m["day_index"], m["field"]): m for m in doc["marks"]}
        history: dict[merge.CellKey, list[merge.Mark]] = {}
        who = {m["op_id"]: m.get("recorded_by") for m in server.values()}
        for cell in server.values():
            who.update({o["op_id"]: o.get("recorded_by") for o in cell.get("overridden", [])})
            winner = _mark_of(cell)
            history[winner.cell] = [winner] + [_mark_of(o) for o in cell.get("overridden", [])]
        unsynced_ops = {data["op_id"] for data, unsynced in local if unsynced}
        for data, _ in local:
            mark = _mark_of(data)
            if all(m.op_id != mark.op_id for m in history.get(mark.cell, [])):
                history.setdefault(mark.cell, []).append(mark)
        cells = []
        for key, marks in sorted(history.items()):
            winner = merge.converge(marks)[key]
            recorded = server.get(key, {})
            cells.append(
                winner.to_json()
                | {
                    "recorded_by": recorded.get("recorded_by")
                    if recorded.get("op_id") == winner.op_id
                    else self.label,
                    "pending": winner.op_id in unsynced_ops,
                    "overridden": [
                        o.to_json() | {"recorded_by": who.get(o.op_id, self.label)}
                        for o in merge.overridden(marks, winner)
                    ],
                }
            )
        return dict(doc) | {"marks": cells, "unsynced": self.unsynced(session_id)}

    def unsynced(self, session_id: int | None = None) -> int:
        stmt = select(func.count()).select_from(PendingOp).where(PendingOp.synced_at.is_(None))
        if session_id is not None:
            stmt = stmt.where(PendingOp.session_id == session_id)
        with self.db.read() as tx:
            return int(tx.scalar(stmt) or 0)

    def rejected(self) -> list[dict[str, Any]]:
        """Marks the server refused, with its reason (shown to the trainer)."""
        with self.db.read() as tx:
            rows = tx.scalars(select(PendingOp).where(PendingOp.result == "rejected"))
            return [json.loads(r.mark) for r in rows]

    # -- marking -------------------------------------------------------------------------
    def mark(
        self,
        session_id: int,
        attendee_id: int,
        day_index: int,
        field_name: str,
        value: str | None,
        time: str | None = None,
    ) -> merge.Mark:
        """Record one mark on this device (works with no network) and queue it for sync."""
        doc = self.roster(session_id)
        if attendee_id not in {a["id"] for a in doc["attendees"]}:
            raise ValidationFailed(f"Attendee {attendee_id} is not on this register.")
        if not 0 <= day_index < len(doc["session"]["days"]):
            raise ValidationFailed(f"This course has no day {day_index + 1}.")
        with self.db.write() as tx:
            stamp = self.clock.tick()
            mark = merge.Mark(
                f"{self.device_id}-{uuid.uuid4().hex}",
                self.device_id,
                stamp,
                attendee_id,
                day_index,
                field_name,
                value,
                time,
            )
            problem = merge.problem(mark)
            if problem:
                raise ValidationFailed(problem[0].upper() + problem[1:] + ".")
            tx.add(
                PendingOp(
                    op_id=mark.op_id,
                    session_id=session_id,
                    hlc=stamp,
                    mark=json.dumps(mark.to_json()),
                    created_at=now(),
                )
            )
            self._save_clock(tx)
        return mark

    def _save_clock(self, tx: Any) -> None:
        state = tx.get(DeviceState, "hlc")
        if state is None:
            tx.add(DeviceState(key="hlc", value=self.clock.last))
        else:
            state.value = self.clock.last

    # -- sync ----------------------------------------------------------------------------
    def push(self, call: Call, batch: int = BATCH) -> PushReport:
        """Send queued marks, oldest first, in batches; each result is recorded as it comes.

        A resent batch is harmless (the server answers ``duplicate``). An exception from
        ``call`` stops the push and leaves the rest queued.
        """
        report = PushReport()
        while True:
            with self.db.read() as tx:
                rows = list(
                    tx.scalars(
                        select(PendingOp)
                        .where(PendingOp.synced_at.is_(None))
                        .order_by(PendingOp.hlc, PendingOp.op_id)
                        .limit(batch)
                    )
                )
            if not rows:
                return report
            ops = [json.loads(r.mark) | {"session_id": r.session_id} for r in rows]
            answer = call("attendance.mark", {"ops": ops})
            outcome = {r["op_id"]: r for r in answer["results"]}
            with self.db.write() as tx:
                for row in rows:
                    result = outcome.get(row.op_id)
                    if result is None:
                        continue
                    pending = tx.get_one(PendingOp, row.op_id)
                    pending.synced_at = now()
                    pending.result = result["status"]
                    if result["status"] == "rejected":
                        pending.mark = json.dumps(
                            json.loads(pending.mark) | {"reason": result.get("reason")}
                        )
                        report.rejected.append(json.loads(pending.mark))
                    elif result["status"] == "duplicate":
                        report.duplicate += 1
                    else:
                        report.applied += 1
                self.clock.observe(answer["hlc"])
                self._save_clock(tx)
            report.sent += len(rows)

    def refresh(self, call: Call, session_ids: list[int] | None = None) -> int:
        """Download rosters: the given sessions, or every session of the trainer's from 14
        days ago to 14 days ahead (dropping older ones). Returns how many were stored."""
        if session_ids is None:
            today = today_london()
            window = [
                s
                for s in call("attendance.my_sessions", {})
                if today - CACHE_BEHIND
                <= datetime.fromisoformat(s["start"]).date()
                <= today + CACHE_AHEAD
                or s["when"] == "today"
            ]
            session_ids = [s["id"] for s in window]
            keep = set(session_ids)
            with self.db.write() as tx:
                gone = [r for r in tx.scalars(select(OfflineRoster)) if r.session_id not in keep]
                for row in gone:
                    tx.delete(row)
                    tx.execute(
                        delete(PendingOp).where(
                            PendingOp.session_id == row.session_id, PendingOp.synced_at.is_not(None)
                        )
                    )
        for session_id in session_ids:
            doc = call("attendance.roster", {"session_id": session_id})
            start = datetime.fromisoformat(doc["session"]["start"]).astimezone(LONDON)
            with self.db.write() as tx:
                row = tx.get(OfflineRoster, session_id) or OfflineRoster(session_id=session_id)
                tx.add(row)
                row.starts_at, row.document, row.fetched_at = start, json.dumps(doc), now()
                self.clock.observe(doc["hlc"])
                self._save_clock(tx)
        return len(session_ids)

    def sync(self, call: Call) -> PushReport:
        """Push the queue, then pull fresh rosters."""
        report = self.push(call)
        self.refresh(call)
        return report

    def register_state(self, session_id: int) -> dict[tuple[int, int, str], tuple[Any, ...]]:
        """The register's values by cell (for comparing devices and the server)."""
        return {
            (m["attendee_id"], m["day_index"], m["field"]): (m["value"], m["time"], m["op_id"])
            for m in self.roster(session_id)["marks"]
        }
