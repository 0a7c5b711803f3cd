"""Sizes and colours for the trainer's screens: large targets for a laptop on a trestle table."""

from __future__ import annotations

ROW_HEIGHT = 52
BUTTON_HEIGHT = 48
BASE_FONT_PT = 12

OFFLINE_STYLE = "background:#b3261e;color:white;padding:10px;font-weight:bold;font-size:13pt;"
ONLINE_STYLE = "background:#1e7d32;color:white;padding:10px;font-weight:bold;font-size:13pt;"
PENDING_STYLE = "background:#8a5a00;color:white;padding:10px;font-weight:bold;font-size:13pt;"
GROUP_COLOURS = {"today": "#0b6e4f", "upcoming": "#1f3a5f", "recent": "#666666"}
ATTENDANCE_COLOURS = {
    "present": "#d8f3dc",
    "absent": "#ffd6d6",
    "late": "#fff1c1",
    "left_early": "#fff1c1",
}
# the selected person's current mark: filled and bold, not just a faint colour
CURRENT_MARK_STYLE = (
    "QPushButton:checked { background:#1e7d32; color:white; font-weight:bold;"
    " border:3px solid #0b3d1a; }"
)
OUTCOME_COLOURS = {"competent": "#d8f3dc", "not_yet_competent": "#ffd6d6", "referred": "#e8e0ff"}


def banner(online: bool, unsynced: int, problem: str | None = None) -> tuple[str, str]:
    """Text and style of the connection banner above the trainer's screens."""
    marks = f"{unsynced} mark{'s' if unsynced != 1 else ''}"
    if not online:
        waiting = f": {marks} not yet synced" if unsynced else ": marks are kept on this computer"
        return f"Offline{waiting}", OFFLINE_STYLE
    if problem:
        return f"{problem} ({marks} not yet synced)", PENDING_STYLE
    if unsynced:
        return f"Online: sending {marks}…", PENDING_STYLE
    return "Online: all marks synced", ONLINE_STYLE
