"""``rft desk`` on a fresh machine: the embedded database is created, migrated and given demo
data off the GUI thread, and the main window opens on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.app import start_desk


def test_desk_opens_on_a_fresh_embedded_database_with_demo_data(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    windows = start_desk(app, demo_data=True)
    qtbot.waitUntil(lambda: bool(windows), timeout=60_000)
    window = windows[0]
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.sessions.model.rowCount() > 50, timeout=10_000)
    assert window.isVisible()
    window.close()
    window.backend.close()
    assert (tmp_path / "data" / "desk.ini").exists()
