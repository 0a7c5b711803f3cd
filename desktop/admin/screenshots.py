"""Screenshots of the office screens: the Schedule tab, a session whose plan breaks teaching
rules, and the Trainers, Catalogue, Staff and Audit tabs.

``render(window, out_dir)`` is called by ``rft desk --screenshots``; on its own,
``python -m desktop.admin.screenshots DIR`` renders them from fresh demo data.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSettings, Qt, QTime
from PySide6.QtWidgets import QApplication, QWidget

from core.clock import to_london, today_london
from desktop.admin.schedule_tab import ScheduleTab
from desktop.admin.session_dialog import SessionDialog

TIMEOUT_S = 20.0


def wait_until(condition: Callable[[], bool], timeout_s: float = TIMEOUT_S) -> None:
    """Process events until ``condition()`` holds; raise if it never does."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not finish loading")
        QApplication.processEvents()
        time.sleep(0.02)


def _grab(widget: QWidget, path: Path) -> Path:
    QApplication.processEvents()
    widget.grab().save(str(path))
    return path


def _clashing_session(tab: ScheduleTab) -> dict[str, Any]:
    """An upcoming session with a trainer: scheduling its trainer elsewhere then clashes."""
    later = [
        r.raw
        for r in sorted(tab.model.rows, key=lambda r: r.start)
        if r.start.date() > today_london() + timedelta(days=7)
        and r.raw.get("trainer_email")
        and r.status != "CANCELLED"
    ]
    return next((s for s in later if s["course"] == "efaw"), later[0])


def _break_rules(dialog: SessionDialog, clash: dict[str, Any]) -> None:
    """Fill the form with the clash's trainer at a far-away venue at the same time."""
    wait_until(lambda: dialog.course.count() > 0 and dialog.trainers.count() > 0)
    dialog.course.setCurrentIndex(dialog.course.findText(clash["course_name"]))
    far = "Hull" if clash["venue"] != "hull" else "Sheffield"
    dialog.venue.setCurrentIndex(dialog.venue.findText(far))
    start = to_london(datetime.fromisoformat(clash["start"]))
    dialog.first_day.setDate(QDate(start.date()))
    dialog.start_time.setTime(QTime(start.hour, start.minute))
    for i in range(dialog.trainers.count()):
        item = dialog.trainers.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == clash["trainer_email"]:
            item.setCheckState(Qt.CheckState.Checked)


def render(window: Any, out_dir: Path) -> list[Path]:
    """Save the office screenshots of ``window`` (a signed-in admin's main window)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = []
    window.show_tab("Schedule")
    tab: ScheduleTab = window.tab_named("Schedule")
    wait_until(lambda: bool(tab.model.rows))
    tab.table.selectRow(2)
    saved.append(_grab(window, out_dir / "schedule-tab.png"))

    dialog = tab.new_session()
    results: list[list[dict[str, Any]]] = []
    dialog.checked.connect(results.append)
    _break_rules(dialog, _clashing_session(tab))
    wait_until(lambda: bool(results and results[-1]) and not dialog._timer.isActive())
    dialog.resize(760, dialog.sizeHint().height())
    saved.append(_grab(dialog, out_dir / "schedule-rule-failing.png"))
    dialog.override.setText("Agreed with Joanne: she starts at Hull after the morning session")
    dialog.save()
    wait_until(lambda: dialog.result() == SessionDialog.DialogCode.Accepted)

    for title, name in (
        ("Trainers", "trainers-tab.png"),
        ("Catalogue", "catalogue-tab.png"),
        ("Staff", "staff-tab.png"),
        ("Audit", "audit-tab.png"),
    ):
        window.show_tab(title)
        screen = window.tab_named(title)
        if title == "Audit":
            screen.reload()
        model = getattr(screen, "model", None) or screen.courses
        wait_until(lambda m=model: bool(m.rows))  # type: ignore[misc]
        saved.append(_grab(window, out_dir / name))
    return saved


def main(out_dir: str) -> int:
    """Render from fresh demo data in a temporary data directory."""
    import os

    from desktop.app import application, prepare_local
    from desktop.backend import LocalBackend
    from desktop.main_window import MainWindow

    with tempfile.TemporaryDirectory() as data:
        os.environ["RFT_DATA_DIR"] = data
        app = application()
        backend = LocalBackend(prepare_local(demo_data=True))
        window = MainWindow(
            backend, QSettings(str(Path(data) / "desk.ini"), QSettings.Format.IniFormat)
        )
        window.resize(1280, 800)
        window.show()
        for path in render(window, Path(out_dir)):
            print(path)
        window.close()
        backend.close()
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
