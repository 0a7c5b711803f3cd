"""The desktop application: a main window listing sessions on the embedded database."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMainWindow, QTableWidget, QTableWidgetItem

from core import demo
from core.availability import SessionFilter, list_sessions
from core.clock import today_london, uk_datetime
from core.config import APP_NAME
from core.db import migrate, open_database
from core.money import gbp


def run(demo_data: bool = True) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    db = open_database()
    migrate(db)
    if demo_data:
        demo.seed(db)
    with db.read() as tx:
        rows = list_sessions(tx, SessionFilter(date_from=today_london()))
    window = QMainWindow()
    window.setWindowTitle(APP_NAME)
    table = QTableWidget(len(rows), 6)
    table.setHorizontalHeaderLabels(["Start", "Course", "Venue", "Price", "Free", "Status"])
    for r, s in enumerate(rows):
        for c, text in enumerate(
            [
                uk_datetime(s.start),
                s.course_name,
                s.venue_name,
                gbp(s.price_pence),
                f"{s.free}/{s.capacity}",
                s.status,
            ]
        ):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    window.setCentralWidget(table)
    window.resize(1000, 700)
    window.show()
    return app.exec()
