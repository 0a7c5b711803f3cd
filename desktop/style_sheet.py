"""The desk's look: ``resources/desk.qss`` and the colours named at its top.

The style sheet starts with a palette, one ``@name: value;`` line per colour; the rules use
``@name``. ``load()`` gives Qt the sheet with the names replaced, ``colour(name)`` gives item
models and painters the same colours, and ``set_state`` is how a widget changes its look:
it sets a property the sheet's selectors match (``QLabel[state="error"]``), never a colour.
"""

from __future__ import annotations

import re
from functools import cache

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QWidget

from core.infra.resources import resource

SHEET = ("desk.qss",)
PALETTE_LINE = re.compile(r"^@([a-z0-9-]+):\s*([^;\s]+);\s*$", re.MULTILINE)
NAME = re.compile(r"@([a-z0-9-]+)")
COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


@cache
def _source() -> str:
    return resource(*SHEET).read_text(encoding="utf-8")


@cache
def palette() -> dict[str, str]:
    """Every named colour, as the sheet writes it: name to value, e.g. ``error`` to its red."""
    return dict(PALETTE_LINE.findall(_source()))


@cache
def load() -> str:
    """The style sheet as Qt reads it: comments and palette lines dropped, ``@name`` replaced."""
    names = palette()

    def value(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            raise KeyError(f"desk.qss uses @{match.group(1)}, which its palette does not name")
        return names[match.group(1)]

    return NAME.sub(value, PALETTE_LINE.sub("", COMMENT.sub("", _source())))


def colour(name: str) -> QColor:
    """A palette colour for an item model or a painter."""
    return QColor(palette()[name])


def course_colour(value: str | None) -> QColor:
    """A course's own colour from the catalogue (data), or the neutral one when it has none."""
    return QColor(value) if value else colour("neutral")


def text_on(background: QColor) -> QColor:
    """Ink or white text, whichever reads on ``background`` (a course colour, say)."""
    return colour("on-strong") if background.lightnessF() < 0.6 else colour("ink")


def apply(app: QApplication) -> None:
    """Style the whole application with the desk's sheet."""
    app.setStyleSheet(load())


def remove(app: QApplication) -> None:
    """Back to Qt's plain look (the self-test leaves the application as it found it)."""
    app.setStyleSheet("")


def set_state(widget: QWidget, state: str) -> None:
    """Give ``widget`` the ``state`` the sheet styles (``""`` for none) and repaint it so."""
    if widget.property("state") == state:
        return
    widget.setProperty("state", state)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()
