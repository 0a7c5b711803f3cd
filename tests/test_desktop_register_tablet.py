"""The trainer's register on a tablet: everyone present in one tap, the current mark plainly
highlighted, and a mark changed on another device explained in words."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from core.attendance import merge
from core.attendance.hlc import HybridClock
from core.attendance.offline import DeviceRegister
from core.attendance.register import ops_applied
from core.certificates import marking
from core.infra.actor import Actor
from core.infra.db import Database
from desktop import style_sheet
from desktop.backend import LocalBackend
from desktop.trainer.register_source import RegisterSource
from desktop.trainer.trainer_tab import TrainerTab
from tests.attendance_helpers import booked_session, trainer

WAIT_MS = 10_000


def open_register(qtbot: QtBot, db: Database, people: int = 3) -> tuple[TrainerTab, int, list[int]]:
    sarah = trainer(db)
    sid, ids = booked_session(db, sarah, people=people, days_ahead=0)
    backend = LocalBackend(db, sarah)
    tab = TrainerTab(backend, None, RegisterSource(backend.call, DeviceRegister(db, "laptop")))
    qtbot.addWidget(tab)
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        tab.show()
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        tab.open_session(sid)
    return tab, sid, ids


def attendance(tab: TrainerTab, row: int) -> str:
    model = tab.register.model
    return str(model.data(model.index(row, model.columns.index("Attendance"))))


def test_everyone_present_in_one_tap_keeps_marks_already_made(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    tab, sid, _ids = open_register(qtbot, sqlite_db)
    register = tab.register
    register.table.setFocus()
    register.table.selectRow(1)
    qtbot.keyClick(register.table, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: attendance(tab, 1) == "Absent", timeout=WAIT_MS)
    assert register.unmarked() == [register.model.rows[0]["id"], register.model.rows[2]["id"]]

    qtbot.mouseClick(register.all_present, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: [attendance(tab, r) for r in range(3)] == ["Present", "Absent", "Present"],
        timeout=WAIT_MS,
    )
    qtbot.waitUntil(lambda: tab.banner.text() == "Online: all marks synced", timeout=WAIT_MS)
    with sqlite_db.read() as tx:
        assert ops_applied(tx, sid) == 3
    assert register.unmarked() == []


def test_the_selected_persons_current_mark_is_the_highlighted_button(
    qtbot: QtBot, sqlite_db: Database, desk_style: None
) -> None:
    tab, _sid, _ids = open_register(qtbot, sqlite_db)
    register = tab.register
    register.table.setFocus()
    register.table.selectRow(0)
    qtbot.keyClick(register.table, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: attendance(tab, 0).startswith("Late"), timeout=WAIT_MS)
    register.table.selectRow(1)
    assert not any(b.isChecked() for b in register.mark_buttons.values())
    register.table.selectRow(0)
    checked = [key for key, b in register.mark_buttons.items() if b.isChecked()]
    assert checked == [("attendance", "late")]
    late = register.mark_buttons[("attendance", "late")]
    filled = late.grab().toImage().pixelColor(8, late.height() // 2)
    assert filled == style_sheet.colour("ok")


def test_a_mark_changed_on_another_device_is_explained(qtbot: QtBot, sqlite_db: Database) -> None:
    sarah = trainer(sqlite_db)
    sid, ids = booked_session(sqlite_db, sarah, people=2, days_ahead=0)
    clock = HybridClock()
    with sqlite_db.write() as tx:
        for device, who, value, time in (
            ("sarah-laptop", sarah, "present", None),
            ("dev-tablet", Actor("Dev Mistry", "manager"), "late", "09:35"),
        ):
            mark = merge.Mark(
                f"t-{uuid.uuid4().hex}", device, clock.tick(), ids[0], 0, "attendance", value, time
            )
            marking.record(tx, [(mark, None)], who)
    backend = LocalBackend(sqlite_db, sarah)
    tab = TrainerTab(backend, None, RegisterSource(backend.call, DeviceRegister(sqlite_db, "l")))
    qtbot.addWidget(tab)
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        tab.show()
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        tab.open_session(sid)
    register = tab.register
    register.table.selectRow(0)
    assert register.model.status(0) == "Changed on another device by Dev Mistry: see below"
    assert register.override.text() == (
        "Attendance was Present (Sarah Holt, sarah-laptop), changed to Late 09:35 "
        "(Dev Mistry, dev-tablet) on another device"
    )
