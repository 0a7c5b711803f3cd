"""The trainer's screens with pytest-qt: list order, keyboard marking, offline banner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from core.attendance.offline import DeviceRegister
from core.attendance.register import ops_applied
from core.infra.db import Database
from desktop.backend import LocalBackend
from desktop.trainer.register_source import RegisterSource
from desktop.trainer.trainer_tab import TrainerTab
from tests.attendance_helpers import booked_session, runs_today, trainer

WAIT_MS = 10_000


def open_tab(qtbot: QtBot, db: Database) -> tuple[TrainerTab, int, list[int]]:
    sarah = trainer(db)
    sid, people = booked_session(db, sarah, people=3, days_ahead=0, special_requirements="Asthma")
    runs_today(db, sid)
    booked_session(db, sarah, days_ahead=4)
    booked_session(db, sarah, days_ahead=-5)
    backend = LocalBackend(db, sarah)
    tab = TrainerTab(backend, None, RegisterSource(backend.call, DeviceRegister(db, "laptop")))
    qtbot.addWidget(tab)
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        tab.show()
    return tab, sid, people


def unreachable(method: str, params: dict[str, Any]) -> Any:
    raise ConnectionError("no network")


def test_sessions_listed_today_first_and_enter_opens_the_register(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    tab, sid, _ = open_tab(qtbot, sqlite_db)
    whens = [row["when"] for row in tab.sessions.model.rows]
    assert whens == sorted(whens, key=["today", "upcoming", "recent"].index)
    assert len(whens) == 3
    assert (whens[0], tab.sessions.model.rows[0]["id"]) == ("today", sid)
    row = next(i for i, r in enumerate(tab.sessions.model.rows) if r["id"] == sid)
    tab.sessions.table.selectRow(row)
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        qtbot.keyClick(tab.sessions.table, Qt.Key.Key_Return)
    assert tab.stack.currentWidget() is tab.register
    model = tab.register.model
    assert [a["name"] for a in model.rows] == ["Test Person1", "Test Person2", "Test Person3"]
    assert model.data(model.index(0, 1)) == "Asthma"
    assert "Emergency phone" not in model.columns  # EFAW does not record one


def test_keyboard_marks_sync_at_once_and_queue_when_offline(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    tab, sid, _ = open_tab(qtbot, sqlite_db)
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        tab.open_session(sid)
    table = tab.register.table

    def attendance(row: int) -> str:
        return str(tab.register.model.data(tab.register.model.index(row, 2)))

    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: attendance(0) == "Present", timeout=WAIT_MS)
    with sqlite_db.read() as tx:
        assert ops_applied(tx, sid) == 1
    qtbot.waitUntil(lambda: tab.banner.text() == "Online: all marks synced", timeout=WAIT_MS)

    tab.source.call = unreachable  # the hall has no network
    table.selectRow(1)
    qtbot.keyClick(table, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: attendance(1) == "Absent", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: tab.banner.text() == "Offline: 1 mark not yet synced", timeout=WAIT_MS)
    assert tab.register.model.status(1) == "Not yet synced"
    with sqlite_db.read() as tx:
        assert ops_applied(tx, sid) == 1

    tab.source.call = tab.backend.call  # back in range
    tab.refresh()
    qtbot.waitUntil(lambda: tab.banner.text() == "Online: all marks synced", timeout=WAIT_MS)
    with sqlite_db.read() as tx:
        assert ops_applied(tx, sid) == 2


def test_my_sessions_tab_is_shown_to_trainers_only(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    from core.infra.actor import Actor
    from desktop.main_window import MainWindow

    for actor, visible in ((trainer(sqlite_db), True), (Actor("Front Desk", "reception"), False)):
        settings = QSettings(str(tmp_path / f"{actor.role}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(LocalBackend(sqlite_db, actor), settings)
        qtbot.addWidget(window)
        index = window.tab_widget.indexOf(window.tab_named("My sessions"))
        assert window.tab_widget.isTabVisible(index) is visible


def test_marking_while_disconnected_never_waits_for_the_network(
    sqlite_db: Database,
) -> None:
    from core.infra.errors import DomainError

    sarah = trainer(sqlite_db)
    sid, (amy, ben) = booked_session(sqlite_db, sarah, days_ahead=0)
    calls: list[str] = []

    def server(method: str, params: dict[str, Any]) -> Any:
        calls.append(method)
        return LocalBackend(sqlite_db, sarah).call(method, params)

    connected = [True]
    source = RegisterSource(server, DeviceRegister(sqlite_db, "laptop"), lambda: connected[0])
    assert source.sessions().online
    connected[0] = False
    calls.clear()
    snap = source.mark(sid, amy, 0, "attendance", "present")
    assert (snap.online, snap.unsynced, calls) == (False, 1, [])

    def timed_out(method: str, params: dict[str, Any]) -> Any:
        raise DomainError("The booking server did not answer in time; try again.")

    connected[0] = True
    source.call = timed_out
    snap = source.mark(sid, ben, 0, "attendance", "absent")
    assert (snap.online, snap.unsynced) == (False, 2)
    source.call = server
    assert source.sessions().unsynced == 0
