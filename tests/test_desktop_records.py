"""Records a person can read: audit entries as field changes, staff without a second factor
marked with an icon and a reason (not red rows), trainers told apart by what they teach."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from core.api import Call, dispatch
from core.infra.actor import Actor
from core.infra.db import Database
from core.journal.audit import field_changes
from desktop.admin.audit_tab import AuditTab
from desktop.admin.record_table import RecordTableModel
from desktop.admin.staff_tab import StaffTab
from desktop.admin.trainers_tab import TrainersTab, may_teach
from desktop.backend import LocalBackend
from desktop.tasks import pool
from tests.admin_factories import add_trainer
from tests.server_support import add_staff

ADMIN_DESK = Actor(label="Office Admin", role="admin", channel="desk")


@pytest.fixture
def admin_desk(sqlite_db: Database) -> Iterator[LocalBackend]:
    backend = LocalBackend(sqlite_db, ADMIN_DESK)
    yield backend
    pool().waitForDone(10_000)
    backend.close()


def cells(model: RecordTableModel, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> list:
    return [model.index(r, column).data(role) for r in range(model.rowCount())]


def test_audit_shows_what_changed_field_by_field(
    qtbot: QtBot, sqlite_db: Database, admin_desk: LocalBackend
) -> None:
    email = add_staff(sqlite_db, "reception")
    dispatch(Call(sqlite_db, ADMIN_DESK), "staff.set_role", {"email": email, "role": "manager"})
    tab = AuditTab(admin_desk)
    qtbot.addWidget(tab)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    titles = tab.model.titles()
    assert "Before" not in titles and "After" not in titles
    text = cells(tab.model, titles.index("Changes"))[0]
    assert "role: reception → manager" in text.splitlines()
    assert "{" not in text and '"' not in text


def test_staff_without_a_second_factor_get_an_icon_and_a_reason_not_a_red_row(
    qtbot: QtBot, sqlite_db: Database, admin_desk: LocalBackend
) -> None:
    add_staff(sqlite_db, "manager")
    add_staff(sqlite_db, "reception")
    tab = StaffTab(admin_desk)
    qtbot.addWidget(tab)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    model = tab.model
    column = model.titles().index("Second factor")
    by_role = {row["role"]: i for i, row in enumerate(model.rows)}
    manager, reception = by_role["manager"], by_role["reception"]
    assert model.index(manager, column).data() == "not set up (needed)"
    assert model.index(manager, column).data(Qt.ItemDataRole.DecorationRole) is not None
    tip = model.index(manager, column).data(Qt.ItemDataRole.ToolTipRole)
    assert "no second factor" in tip and "authenticator" in tip
    assert model.index(manager, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(reception, column).data(Qt.ItemDataRole.DecorationRole) is None


def test_trainers_are_told_apart_by_what_they_may_teach(
    qtbot: QtBot, sqlite_db: Database, admin_desk: LocalBackend
) -> None:
    add_trainer(sqlite_db, "few@rft.test", "Fay Few", courses=("efaw", "faw"))
    tab = TrainersTab(admin_desk)
    qtbot.addWidget(tab)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1 and bool(tab.course_names()))
    shown = cells(tab.model, 2)[0]
    assert shown == "Emergency First Aid at Work, First Aid at Work"
    names = tab.course_names()
    assert may_teach(list(names), names) == f"All {len(names)} courses"
    all_but_one = [c for c in names if c != "efaw"]
    assert may_teach(all_but_one, names) == "All but Emergency First Aid at Work"
    assert may_teach([], names) == "nothing yet"
    tip = cells(tab.model, 2, Qt.ItemDataRole.ToolTipRole)[0]
    assert tip.splitlines() == ["Emergency First Aid at Work", "First Aid at Work"]


def test_audit_values_read_as_money_and_uk_dates() -> None:
    changes = field_changes(
        {"price_pence": 7500, "start": "2026-12-15T09:00:00+00:00"},
        {"price_pence": 9000, "start": "2026-12-16T09:30:00+00:00"},
    )
    assert changes == [
        {"field": "price", "before": "£75.00", "after": "£90.00"},
        {"field": "start", "before": "Tue 15 Dec 2026 09:00", "after": "Wed 16 Dec 2026 09:30"},
    ]
