"""``rft desk`` on a fresh machine: the embedded database is created, migrated and given demo
data off the GUI thread, and the main window opens on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.app import run
from desktop.main_window import MainWindow
from desktop.tasks import pool


def test_desk_opens_on_a_fresh_embedded_database_with_demo_data(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    seen: list[int] = []

    def when_ready() -> None:
        window = next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)), None
        )
        if window is None or window.sessions.model.rowCount() == 0:
            QTimer.singleShot(50, when_ready)  # the event loop is the app's own here
            return
        seen.append(window.sessions.model.rowCount())
        window.close()
        QApplication.quit()

    QTimer.singleShot(0, when_ready)
    assert run(demo_data=True) == 0
    pool().waitForDone(10_000)
    assert seen and seen[0] > 50
    assert (tmp_path / "data" / "desk.ini").exists()
