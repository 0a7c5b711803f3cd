"""The baseline for bench/startup_bench.py: a bare PySide6 window, frozen like the desk app."""

from __future__ import annotations

import os
import sys

from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


def main() -> int:
    if os.environ.get("RFT_STARTUP_PROBE"):
        import startup_probe

        app = startup_probe.install()
    else:
        app = QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.setCentralWidget(QLabel("bare PySide6 window"))
    window.resize(1000, 700)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
