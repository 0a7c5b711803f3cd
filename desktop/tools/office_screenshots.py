"""Screenshots of the office screens: the Schedule tab, a session whose plan breaks teaching
rules, and the Trainers, Catalogue, Staff and Audit tabs.

``render(window, folder, suffix)`` is called by ``rft desk --screenshots`` (on its throwaway
demo database) after the desk's own views.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QApplication, QWidget

from core.infra.clock import to_london, today_london
from core.models.statuses import SessionStatus
from desktop.admin.schedule_tab import ScheduleTab
from desktop.admin.session_dialog import SessionDialog
from desktop.tools.waiting import wait_settled


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
        and r.status != SessionStatus.CANCELLED
    ]
    return next((s for s in later if s["course"] == "efaw"), later[0])


def _break_rules(dialog: SessionDialog, clash: dict[str, Any]) -> None:
    """Fill the form with the clash's trainer at a far-away venue at the same time."""
    wait_settled(lambda: dialog.course.count() > 0 and dialog.trainers.count() > 0)
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


def render(window: Any, out_dir: Path, suffix: str = "") -> list[Path]:
    """Save the office screenshots of ``window`` (an admin's main window)."""
    saved = []
    window.show_tab("Schedule")
    tab: ScheduleTab = window.tab_named("Schedule")
    wait_settled(lambda: bool(tab.model.rows))
    tab.table.selectRow(2)
    saved.append(_grab(window, out_dir / f"schedule-tab{suffix}.png"))

    dialog = tab.new_session()
    results: list[list[dict[str, Any]]] = []
    dialog.checked.connect(results.append)
    _break_rules(dialog, _clashing_session(tab))
    wait_settled(lambda: bool(results and results[-1]) and not dialog._timer.isActive())
    dialog.resize(760, dialog.sizeHint().height())
    saved.append(_grab(dialog, out_dir / f"schedule-rule-failing{suffix}.png"))
    dialog.override.setText("Agreed with Joanne: she starts at Hull after the morning session")
    dialog.save()
    wait_settled(lambda: dialog.result() == SessionDialog.DialogCode.Accepted)

    for title, name in (
        ("Trainers", "trainers-tab"),
        ("Catalogue", "catalogue-tab"),
        ("Staff", "staff-tab"),
        ("Audit", "audit-tab"),
    ):
        window.show_tab(title)
        screen = window.tab_named(title)
        if title == "Audit":
            screen.reload()
        model = getattr(screen, "model", None) or screen.courses
        wait_settled(lambda m=model: bool(m.rows))  # type: ignore[misc]
        saved.append(_grab(window, out_dir / f"{name}{suffix}.png"))
    return saved
