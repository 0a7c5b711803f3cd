"""A trainer's device without a network: cached rosters, queued marks, sync and convergence
(in-process; tests/test_attendance_sync_processes.py does the same against a real server)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core.api import Call, dispatch
from core.attendance.offline import DeviceRegister
from core.attendance.register import register_of
from core.infra.actor import Actor
from core.infra.config import load_settings
from core.infra.db import Database, migrate, open_database
from core.infra.errors import NotFound, ValidationFailed
from core.models.attendance import AttendanceOp, OfflineRoster
from tests.attendance_helpers import booked_session, trainer


def device_db(tmp_path: Path, name: str) -> Database:
    """A device's own embedded database (the trainer's laptop or tablet)."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / name}.sqlite3")
    db = open_database(load_settings(env))
    migrate(db)
    return db


class Network:
    """The server as a device reaches it; ``up`` False makes every call fail like a dead link."""

    def __init__(self, db: Database, actor: Actor) -> None:
        self.db, self.actor, self.up = db, actor, True

    def __call__(self, method: str, params: dict[str, Any]) -> Any:
        if not self.up:
            raise ConnectionError("no route to host")
        return dispatch(Call(self.db, self.actor), method, params)


def server_state(db: Database, session_id: int) -> dict:
    with db.read() as tx:
        return {k: (m.value, m.time, m.op_id) for k, m in register_of(tx, session_id).items()}


def ops_on_server(db: Database) -> int:
    with db.read() as tx:
        return int(tx.scalar(select(func.count()).select_from(AttendanceOp)) or 0)


def test_two_devices_mark_apart_and_end_with_one_register(
    sqlite_db: Database, tmp_path: Path
) -> None:
    sarah = trainer(sqlite_db)
    sid, (amy, ben) = booked_session(sqlite_db, sarah, days_ahead=0)
    laptop = DeviceRegister(device_db(tmp_path, "laptop"), "Sarah's laptop")
    tablet = DeviceRegister(device_db(tmp_path, "tablet"), "Sarah's tablet")
    net_a, net_b = Network(sqlite_db, sarah), Network(sqlite_db, sarah)
    laptop.refresh(net_a)
    tablet.refresh(net_b)
    assert [s["id"] for s in laptop.sessions()] == [sid]

    net_a.up = net_b.up = False  # the church hall has no signal
    laptop.mark(sid, amy, 0, "attendance", "present")
    laptop.mark(sid, ben, 0, "attendance", "late", "09:25")
    tablet.mark(sid, amy, 0, "attendance", "absent")  # the tablet's mark is the later one
    tablet.mark(sid, amy, 0, "note", "Left at lunch, back 13:30")
    assert laptop.unsynced() == 2 and tablet.unsynced() == 2
    with pytest.raises(ConnectionError):
        laptop.sync(net_a)
    assert laptop.unsynced() == 2 and ops_on_server(sqlite_db) == 0

    net_a.up = net_b.up = True
    assert laptop.push(net_a).applied == 2
    assert tablet.push(net_b).applied == 2
    laptop.refresh(net_a)
    tablet.refresh(net_b)
    assert laptop.register_state(sid) == tablet.register_state(sid) == server_state(sqlite_db, sid)
    amy_cell = next(
        m
        for m in laptop.roster(sid)["marks"]
        if (m["attendee_id"], m["field"]) == (amy, "attendance")
    )
    assert amy_cell["value"] == "absent" and [o["value"] for o in amy_cell["overridden"]] == [
        "present"
    ]
    assert ops_on_server(sqlite_db) == 4 and laptop.unsynced() == tablet.unsynced() == 0


def test_a_lost_acknowledgement_resends_without_applying_twice(
    sqlite_db: Database, tmp_path: Path
) -> None:
    sarah = trainer(sqlite_db)
    sid, (amy, _) = booked_session(sqlite_db, sarah, days_ahead=0)
    laptop = DeviceRegister(device_db(tmp_path, "laptop"))
    net = Network(sqlite_db, sarah)
    laptop.refresh(net)
    laptop.mark(sid, amy, 0, "attendance", "present")

    def lost_reply(method: str, params: dict[str, Any]) -> Any:
        net(method, params)  # the server applies the batch ...
        raise TimeoutError("... but the reply never arrives")

    with pytest.raises(TimeoutError):
        laptop.push(lost_reply)
    assert laptop.unsynced() == 1 and ops_on_server(sqlite_db) == 1
    report = laptop.push(net)
    assert (report.applied, report.duplicate) == (0, 1)
    assert laptop.unsynced() == 0 and ops_on_server(sqlite_db) == 1


def test_device_refuses_bad_marks_and_uncached_sessions(
    sqlite_db: Database, tmp_path: Path
) -> None:
    sarah = trainer(sqlite_db)
    sid, (amy, _) = booked_session(sqlite_db, sarah, days_ahead=0)
    other, _ = booked_session(sqlite_db, trainer(sqlite_db, "Dev Mistry"), days_ahead=0)
    laptop = DeviceRegister(device_db(tmp_path, "laptop"))
    laptop.refresh(Network(sqlite_db, sarah))
    with pytest.raises(ValidationFailed, match="needs a time"):
        laptop.mark(sid, amy, 0, "attendance", "late")
    with pytest.raises(ValidationFailed, match="not on this register"):
        laptop.mark(sid, 999, 0, "attendance", "present")
    with pytest.raises(NotFound, match="not on this device"):
        laptop.mark(other, amy, 0, "attendance", "present")
    assert laptop.unsynced() == 0


def test_roster_cache_is_encrypted_at_rest(sqlite_db: Database, tmp_path: Path) -> None:
    sarah = trainer(sqlite_db)
    sid, _ = booked_session(sqlite_db, sarah, days_ahead=3, special_requirements="Epilepsy")
    db = device_db(tmp_path, "laptop")
    laptop = DeviceRegister(db)
    laptop.refresh(Network(sqlite_db, sarah))
    assert laptop.roster(sid)["attendees"][0]["special_requirements"] == "Epilepsy"
    with db.engine.connect() as conn:
        raw = conn.exec_driver_sql("SELECT document FROM offline_rosters").scalar_one()
    assert "Epilepsy" not in raw and "Test Person1" not in raw
    with db.read() as tx:
        assert tx.scalar(select(func.count()).select_from(OfflineRoster)) == 1
