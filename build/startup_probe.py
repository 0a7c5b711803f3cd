"""Start-up probe for bench/startup_bench.py: report the first painted main window, then quit.

Enabled by ``RFT_STARTUP_PROBE=1`` in the frozen desk app and in the bare comparison window.
It creates the QApplication early (the app reuses an existing one) and watches every event
until a QMainWindow has painted; it then prints ``PAINTED`` on stdout and ends the event loop.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

MARKER = "PAINTED"


class _FirstPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Paint and isinstance(watched, QMainWindow):
            app = QApplication.instance()
            assert app is not None
            app.removeEventFilter(self)
            QTimer.singleShot(0, _report_and_quit)  # after the rest of this paint pass
        return False


def _report_and_quit() -> None:
    print(MARKER, flush=True)
    app = QApplication.instance()
    assert app is not None
    app.quit()


def install() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    probe = _FirstPaint(app)
    app.installEventFilter(probe)
    return app
