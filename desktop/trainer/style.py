"""Sizes and colour names for the trainer's screens: large targets for a laptop on a table."""

from __future__ import annotations

ROW_HEIGHT = 52
BUTTON_HEIGHT = 48
BASE_FONT_PT = 12

# Names in the desk's palette (resources/desk.qss), read with desktop.style_sheet.colour.
GROUP_COLOURS = {"today": "group-today", "upcoming": "group-upcoming", "recent": "quiet"}
ATTENDANCE_COLOURS = {
    "present": "present",
    "absent": "absent",
    "late": "late",
    "left_early": "late",
}
OUTCOME_COLOURS = {"competent": "present", "not_yet_competent": "absent", "referred": "referred"}


def banner(online: bool, unsynced: int, problem: str | None = None) -> tuple[str, str]:
    """Text and state (``online``, ``offline``, ``pending``: see desk.qss) of the connection
    banner above the trainer's screens."""
    marks = f"{unsynced} mark{'s' if unsynced != 1 else ''}"
    if not online:
        waiting = f": {marks} not yet synced" if unsynced else ": marks are kept on this computer"
        return f"Offline{waiting}", "offline"
    if problem:
        return f"{problem} ({marks} not yet synced)", "pending"
    if unsynced:
        return f"Online: sending {marks}…", "pending"
    return "Online: all marks synced", "online"
