"""One style sheet (resources/desk.qss): desktop code names states, never colours."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QPalette
from pytestqt.qtbot import QtBot

from core.infra.resources import resource
from desktop import style_sheet
from desktop.settings_dialog import SettingsDialog

DESKTOP = Path(__file__).resolve().parent.parent / "desktop"
COLOUR_LITERALS = re.compile(
    r"""["'][^"'\n]*#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?(?:[0-9a-fA-F]{2})?\b"""  # "#b3261e"
    r"|\brgba?\(|\bhsla?\("  # rgb(…) in a style string
    r"|QColor\(\s*(?:[\"'\d]|Qt\.)"  # QColor("white"), QColor(255, 0, 0), QColor(Qt.red)
    r"|Qt\.(?:GlobalColor\.)?(?:white|black|red|green|blue|gray|darkGray|lightGray|yellow)\b"
    r"|\b(?:background|color)\s*:\s*[#a-z]"  # inline style text: "color:white"
)


def test_no_colour_or_inline_style_is_written_into_desktop_code() -> None:
    found = []
    for path in sorted(DESKTOP.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            inline = "setStyleSheet(" in line and path.name != "style_sheet.py"
            if COLOUR_LITERALS.search(line) or inline:
                found.append(f"{path.relative_to(DESKTOP.parent)}:{number}: {line.strip()}")
    assert found == [], "colours belong in resources/desk.qss:\n" + "\n".join(found)


def test_every_colour_the_sheet_uses_is_named_once_in_its_palette() -> None:
    source = resource(*style_sheet.SHEET).read_text(encoding="utf-8")
    names = style_sheet.PALETTE_LINE.findall(source)
    assert len({name for name, _value in names}) == len(names)
    sheet = style_sheet.load()
    assert "@" not in sheet
    assert style_sheet.colour("error").name() == "#b3261e"


def test_a_form_problem_is_shown_in_the_error_colour(
    qtbot: QtBot, desk_style: None, tmp_path: Path
) -> None:
    dialog = SettingsDialog(QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.url.setText("http://bookings.example")
    dialog.save()
    assert "ws://" in dialog.problem.text()
    shown = dialog.problem.palette().color(QPalette.ColorRole.WindowText)
    assert shown == style_sheet.colour("error")
    assert dialog.url.palette().color(QPalette.ColorRole.Text) != style_sheet.colour("error")
