"""The office screens offscreen: tabs by role, a broken teaching rule shown in plain English,
and the override-with-reason that only an admin gets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QObject, QSettings, Qt, QThreadPool, QTime
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from core.infra.actor import Actor
from core.infra.db import Database
from core.models import MAX_CAPACITY, CourseSession
from core.models.admin import RuleOverride
from core.scheduling import SessionInput, create_session
from desktop.admin.session_dialog import SessionDialog
from desktop.backend import LocalBackend
from desktop.main_window import MainWindow
from tests.admin_factories import ADMIN, add_trainer, at, weekday_ahead

DAY = weekday_ahead(21, weekday=2)


@pytest.fixture
def desk(sqlite_db: Database) -> Iterator[list[QObject]]:
    """Backends and screens a test made, kept alive to the end; the screens are closed and
    their background calls finished before the backends and the database go away."""
    kept: list[QObject] = []
    yield kept
    for widget in kept:
        if isinstance(widget, QDialog):
            widget.reject()
        if isinstance(widget, QWidget):
            widget.close()
    QThreadPool.globalInstance().waitForDone(10_000)
    QApplication.processEvents()
    for backend in kept:
        if isinstance(backend, LocalBackend):
            backend.close()
    QThreadPool.globalInstance().waitForDone(10_000)


def _backend(db: Database, desk: list[QObject], role: str) -> LocalBackend:
    backend = LocalBackend(db, Actor(label=f"A {role}", role=role, channel="desk"))
    desk.append(backend)
    return backend


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("admin", {"Schedule", "Trainers", "Catalogue", "Staff", "Audit"}),
        ("manager", {"Schedule", "Trainers"}),
        ("reception", set()),
    ],
)
def test_office_tabs_follow_the_role(
    qtbot: QtBot,
    sqlite_db: Database,
    desk: list[QObject],
    tmp_path: Path,
    role: str,
    shown: set[str],
) -> None:
    window = MainWindow(
        _backend(sqlite_db, desk, role),
        QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat),
    )
    desk.append(window)
    tabs = window.tab_widget
    visible = {tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)}
    office = {"Schedule", "Trainers", "Catalogue", "Staff", "Audit"}
    assert visible & office == shown


def _clashing_dialog(qtbot: QtBot, backend: LocalBackend, desk: list[QObject]) -> SessionDialog:
    dialog = SessionDialog(backend)
    desk.append(dialog)
    qtbot.waitUntil(lambda: dialog.course.count() > 0 and dialog.trainers.count() > 0)
    dialog.course.setCurrentIndex(dialog.course.findText("Emergency First Aid at Work"))
    dialog.venue.setCurrentIndex(dialog.venue.findText("Sheffield"))
    dialog.first_day.setDate(QDate(DAY))
    dialog.start_time.setTime(QTime(9, 0))
    dialog.trainers.item(0).setCheckState(Qt.CheckState.Checked)
    return dialog


def _booked_elsewhere(db: Database) -> None:
    add_trainer(db)
    with db.write() as tx:
        create_session(
            tx,
            ADMIN,
            SessionInput(
                course="efaw", venue="leeds", trainers=["tina@rft.test"], start=at(DAY, 9)
            ),
        )


def test_a_manager_sees_the_broken_rule_but_no_override(
    qtbot: QtBot, sqlite_db: Database, desk: list[QObject]
) -> None:
    _booked_elsewhere(sqlite_db)
    dialog = _clashing_dialog(qtbot, _backend(sqlite_db, desk, "manager"), desk)
    with qtbot.waitSignal(dialog.checked, timeout=10_000, check_params_cb=bool):
        pass
    text = dialog.rules.text()
    assert "Tina Trainer is already teaching Emergency First Aid at Work at Leeds" in text
    assert "Only an admin may override a teaching rule." in text
    assert not dialog.override.isVisible()


def test_an_admin_overrides_with_a_reason_and_the_session_is_saved(
    qtbot: QtBot, sqlite_db: Database, desk: list[QObject]
) -> None:
    _booked_elsewhere(sqlite_db)
    dialog = _clashing_dialog(qtbot, _backend(sqlite_db, desk, "admin"), desk)
    dialog.show()
    with qtbot.waitSignal(dialog.checked, timeout=10_000, check_params_cb=bool):
        pass
    assert dialog.override.isVisible()
    dialog.override.setText("Tina is teaching both groups together by agreement")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.save()
    assert saved.args[0]["venue"] == "sheffield"
    with sqlite_db.read() as tx:
        reasons = list(tx.scalars(select(RuleOverride.reason)))
    assert "Tina is teaching both groups together by agreement" in reasons


def test_a_session_price_is_typed_in_pounds_and_kept_in_whole_pence(
    qtbot: QtBot, sqlite_db: Database, desk: list[QObject]
) -> None:
    add_trainer(sqlite_db)
    dialog = _clashing_dialog(qtbot, _backend(sqlite_db, desk, "manager"), desk)
    assert dialog.capacity.maximum() == MAX_CAPACITY
    dialog.price_on.setChecked(True)
    dialog.price.setText("ninety")
    dialog.save()
    assert dialog.rules.text() == "Write the price in pounds, like 95 or 95.00."
    with sqlite_db.read() as tx:
        assert tx.scalar(select(func.count()).select_from(CourseSession)) == 0
    dialog.price.setText("£1,095.10")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.save()
    assert saved.args[0]["price_pence"] == 109510
