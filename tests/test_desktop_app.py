"""``rft desk`` on a fresh machine: the main window shows at once; the embedded database is
created, migrated and given demo data off the GUI thread, and the window fills in on it."""

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
    window = start_desk(app, demo_data=True)
    qtbot.addWidget(window)
    assert window.isVisible() and window.opening.isVisible()
    assert not window.new_booking_action.isEnabled()

    qtbot.waitUntil(lambda: not window.opening.isVisible(), timeout=60_000)
    qtbot.waitUntil(lambda: window.sessions.model.rowCount() > 50, timeout=10_000)
    assert window.new_booking_action.isEnabled()
    window.close()
    window.backend.close()
    assert (tmp_path / "data" / "desk.ini").exists()
