"""Offline registers against a real ``rft server`` process: the server is killed while a
trainer marks, restarts, and two devices that marked the same attendee differently while
apart end with the same register as the server, every operation applied once."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core.attendance.offline import DeviceRegister
from core.attendance.register import register_of
from core.infra.actor import Actor
from core.infra.db import Database
from core.models.attendance import AttendanceOp
from desktop.sync_client import BlockingSyncClient
from tests.attendance_helpers import booked_session
from tests.server_support import PASSWORD, ServerProcess, add_staff, server_env
from tests.test_attendance_offline import device_db

pytestmark = pytest.mark.slow
SARAH = Actor("Sarah Holt", "trainer")
EMAIL = "sarah.holt@rft-training.co.uk"


class Device:
    """A trainer's laptop: its own embedded database and, when online, a sync client."""

    def __init__(self, tmp_path: Path, name: str) -> None:
        self.register = DeviceRegister(device_db(tmp_path, name), name)
        self.client: BlockingSyncClient | None = None

    def connect(self, url: str) -> None:
        self.client = BlockingSyncClient(
            url, subscribe=False, call_timeout=3.0, backoff=(0.05, 0.3)
        )
        self.client.login(EMAIL, PASSWORD)

    def call(self, method: str, params: dict[str, Any]) -> Any:
        assert self.client is not None
        return self.client.call(method, params, timeout=10.0)

    def disconnect(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None


def server_ops(db: Database) -> int:
    with db.read() as tx:
        return int(tx.scalar(select(func.count()).select_from(AttendanceOp)) or 0)


def server_register(db: Database, session_id: int) -> dict:
    with db.read() as tx:
        return {k: (m.value, m.time, m.op_id) for k, m in register_of(tx, session_id).items()}


def test_server_killed_mid_register_then_both_devices_and_server_agree(
    sqlite_db: Database, tmp_path: Path
) -> None:
    add_staff(sqlite_db, "trainer", EMAIL)
    sid, (amy, ben, cal) = booked_session(sqlite_db, SARAH, people=3, days_ahead=0)
    env = server_env(str(sqlite_db.engine.url))
    laptop, tablet = Device(tmp_path, "laptop"), Device(tmp_path, "tablet")
    made = 0
    with ServerProcess(env) as server:
        port = server.port
        for device in (laptop, tablet):
            device.connect(server.url)
            device.register.refresh(device.call)
        tablet.disconnect()  # the co-trainer's tablet has no signal from here on

        marks = [
            (amy, "attendance", "present", None),
            (ben, "attendance", "present", None),
            (cal, "attendance", "late", "09:40"),
            (amy, "outcome", "competent", None),
        ]
        for n, (who, field, value, time) in enumerate(marks):
            laptop.register.mark(sid, who, 0, field, value, time)
            made += 1
            if n == 1:
                server.kill()  # the server dies in the middle of the register
            with contextlib.suppress(Exception):  # offline: the marks stay queued
                laptop.register.push(laptop.call)
        assert laptop.register.unsynced() == 3 and server_ops(sqlite_db) == 1

    tablet.register.mark(sid, amy, 0, "attendance", "absent")  # later, and different
    tablet.register.mark(sid, cal, 0, "note", "Arrived late: bus")
    made += 2
    assert tablet.register.unsynced() == 2

    with ServerProcess(env, port=port) as server:
        laptop.client.wait_connected(15.0)  # the laptop's client reconnects by itself
        assert laptop.register.push(laptop.call).applied == 3
        tablet.connect(server.url)
        assert tablet.register.push(tablet.call).applied == 2
        for device in (laptop, tablet):
            device.register.refresh(device.call)
            assert device.register.unsynced() == 0
        resent = laptop.register.push(laptop.call)  # nothing left to send
        assert resent.sent == 0
        for device in (laptop, tablet):
            device.disconnect()

    expected = server_register(sqlite_db, sid)
    assert laptop.register.register_state(sid) == expected
    assert tablet.register.register_state(sid) == expected
    assert expected[(amy, 0, "attendance")][0] == "absent"
    assert expected[(cal, 0, "attendance")][:2] == ("late", "09:40")
    assert server_ops(sqlite_db) == made  # every operation applied exactly once
    amy_cell = next(
        m
        for m in laptop.register.roster(sid)["marks"]
        if (m["attendee_id"], m["field"]) == (amy, "attendance")
    )
    assert [o["value"] for o in amy_cell["overridden"]] == ["present"]
