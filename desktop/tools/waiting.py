"""The one way the desk's tools wait: run Qt's event loop until something holds."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from desktop.tasks import activity


def wait_until(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    """Process events until ``condition()`` holds; TimeoutError after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        QCoreApplication.processEvents()
        if condition():
            QCoreApplication.processEvents()  # let what the condition saw finish painting
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"still waiting after {timeout_s:.0f} s")
        time.sleep(0.01)


def wait_settled(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    """``wait_until`` the condition holds and no backend call is still in flight."""
    wait_until(lambda: condition() and activity.running == 0, timeout_s)
