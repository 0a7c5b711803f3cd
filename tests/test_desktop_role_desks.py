"""Each role sees its own desk; the embedded desk says plainly that nobody signs in."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from tests.desktop_support import DeskFactory, desk_settings, make_desk, open_window

__all__ = ["desk_settings", "make_desk"]


def visible_tabs(window: MainWindow) -> list[str]:
    tabs = window.tab_widget
    return [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)]


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("reception", ["Today", "Calendar", "Sessions", "Bookings", "Organisations"]),
        ("trainer", ["My sessions"]),
        (
            "manager",
            [
                "Today",
                "Calendar",
                "Sessions",
                "Bookings",
                "Schedule",
                "Trainers",
                "Reports",
                "Organisations",
            ],
        ),
    ],
)
def test_each_role_sees_its_own_tabs_and_cannot_jump_into_others(
    qtbot: QtBot, make_desk: DeskFactory, desk_settings: QSettings, role: str, shown: list[str]
) -> None:
    window = open_window(qtbot, make_desk(role=role), desk_settings)
    assert visible_tabs(window) == shown
    for title in ("Staff", "Audit"):
        window.show_tab(title)
        assert window.tab_widget.tabText(window.tab_widget.currentIndex()) != title
        action = next(a for a in window.menuBar().actions() if a.text() == "&View")
        names = [a.text() for a in action.menu().actions() if a.isVisible()]
        assert title not in names and names == shown


def test_the_embedded_desk_says_it_is_in_single_user_admin_mode(
    qtbot: QtBot, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    window = open_window(qtbot, make_desk(role="admin"), desk_settings)
    assert window.where.text().startswith("Single-user admin mode: nobody signs in")
    assert "Front desk" not in window.where.text().split(":")[0]
    assert {"Staff", "Audit", "Today", "Reports"} <= set(visible_tabs(window))
