"""Start-up probe for bench/startup_bench.py: report the first painted main window, then quit.

Enabled by ``RFT_STARTUP_PROBE=1`` in the frozen desk app and in the bare comparison window.
It creates the QApplication early (the app reuses an existing one) and watches every event
until a QMainWindow has painted; it then prints ``PAINTED`` on stdout. A window that builds
its screens later (the desk's ``MainWindow`` has a ``ready`` signal) is waited for and
``READY`` printed too. Then it ends the event loop.
"""

from __future__ import annotations

import sys
from functools import partial

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

PAINTED, READY = "PAINTED", "READY"


class _FirstPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Paint and isinstance(watched, QMainWindow):
            app = QApplication.instance()
            assert app is not None
            app.removeEventFilter(self)
            QTimer.singleShot(0, partial(_painted, watched))  # after the rest of this paint
        return False


def _painted(window: QMainWindow) -> None:
    print(PAINTED, flush=True)
    ready = getattr(window, "ready", None)
    if ready is None or getattr(window, "attached", False):
        _report_ready_and_quit()
    else:
        ready.connect(_report_ready_and_quit)


def _report_ready_and_quit() -> None:
    print(READY, flush=True)
    app = QApplication.instance()
    assert app is not None
    app.quit()


def install() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    probe = _FirstPaint(app)
    app.installEventFilter(probe)
    return app
