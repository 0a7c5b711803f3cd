"""The desk loads its service layer after Qt: the command line must not leave a library
half-imported that Qt's import hook then trips over (``rft desk`` failed at start)."""

from __future__ import annotations

import subprocess
import sys


def test_the_desk_loads_its_service_layer_after_the_command_line_and_qt() -> None:
    started = subprocess.run(
        [
            sys.executable,
            "-c",
            "import core.cli, PySide6.QtWidgets, desktop.backend, desktop.main_window",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 0, started.stderr
