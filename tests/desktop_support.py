"""Fixtures for the desktop tests: desks (LocalBackend) on a real SQLite file, tidy teardown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QThreadPool
from pytestqt.qtbot import QtBot

from core.actor import Actor
from core.config import load_settings
from core.db import Database, open_database
from desktop.backend import Backend, LocalBackend
from desktop.main_window import MainWindow

DeskFactory = Callable[..., LocalBackend]


@pytest.fixture
def make_desk(sqlite_db: Database) -> Iterator[DeskFactory]:
    """``make_desk("Desk A")``: a started LocalBackend; each desk opens its own connection
    pool on the same database file, like two desks running the app side by side."""
    made: list[tuple[LocalBackend, Database]] = []

    def make(label: str = "Front desk", role: str = "reception") -> LocalBackend:
        db = open_database(load_settings()) if made else sqlite_db
        backend = LocalBackend(db, Actor(label=label, role=role, channel="desk"))
        backend.start()
        made.append((backend, db))
        return backend

    yield make
    for backend, _db in made:
        backend.close()
    QThreadPool.globalInstance().waitForDone(10_000)
    for _backend, db in made[1:]:
        db.dispose()


@pytest.fixture
def desk_settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)


def open_window(qtbot: QtBot, backend: Backend, settings: QSettings) -> MainWindow:
    window = MainWindow(backend, settings)
    qtbot.addWidget(window)
    window.show()
    return window

