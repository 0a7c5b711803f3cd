"""Benchmark: the desk's session list with 10,000 sessions against Qt's stock models.

Ours is ``SessionTableModel`` + ``SessionFilterProxy`` (course, venue and keyword filters,
sort keys per column); the baseline is a ``QStandardItemModel`` holding the same display
text behind a stock ``QSortFilterProxyModel`` filtering one fixed string over every column.
Both sit in a shown ``QTableView`` (offscreen platform) and each step ends with the events it
caused processed, so painting is counted. Best of several runs, in milliseconds, with the
ratio ours / baseline. A benchmark to read, not a test.

    python bench/session_list_bench.py [--sessions 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSortFilterProxyModel, Qt  # noqa: E402
from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402

from desktop.session_data import SessionRow  # noqa: E402
from desktop.session_list import COLUMNS, SessionFilterProxy, SessionTableModel  # noqa: E402

COURSES = [("efaw", "Emergency First Aid at Work"), ("faw", "First Aid at Work")]
VENUES = [("leeds", "Leeds"), ("york", "York"), ("hull", "Hull"), ("sheffield", "Sheffield")]
TRAINERS = ["Sarah Holt", "Dev Mistry", "Joanne Briggs"]


def sessions(count: int) -> list[dict[str, Any]]:
    """``count`` sessions in the service's JSON shape (``sessions.list``), an hour apart."""
    base = datetime(2027, 1, 4, 9, tzinfo=UTC)
    made = []
    for i in range(count):
        start = base + timedelta(hours=i)
        end = start + timedelta(hours=7)
        free = i % 13
        made.append(
            {
                "id": i + 1,
                "course": COURSES[i % 2][0],
                "course_name": COURSES[i % 2][1],
                "venue": VENUES[i % 4][0],
                "venue_name": VENUES[i % 4][1],
                "room": None,
                "trainer": TRAINERS[i % 3],
                "start": start.isoformat(),
                "end": end.isoformat(),
                "days": [{"start": start.isoformat(), "end": end.isoformat()}],
                "capacity": 12,
                "free": free,
                "held": 0,
                "booked": 12 - free,
                "status": "FULL" if free == 0 else "SCHEDULED",
                "price_pence": 7500 if i % 2 == 0 else 22500,
                "colour": "#d62728",
                "version": 1,
            }
        )
    return made


def best_ms(step: Callable[[], object], runs: int) -> float:
    app = QApplication.instance()
    assert app is not None
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        step()
        app.processEvents()
        times.append((time.perf_counter() - began) * 1000)
    return min(times)


def view_of(model: Any) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSortingEnabled(True)
    view.resize(1280, 800)
    view.show()
    return view


def ours(data: list[dict[str, Any]], runs: int) -> dict[str, float]:
    model = SessionTableModel()
    proxy = SessionFilterProxy()
    proxy.setSourceModel(model)
    view = view_of(proxy)
    rows = [SessionRow.from_json(s) for s in data]  # as the desk's typed calls give them
    changed = SessionRow.from_json(dict(data[len(data) // 2], free=0, status="FULL"))
    timings = {
        "load": best_ms(lambda: model.set_sessions(rows), runs),
        "keyword filter": best_ms(
            lambda: (proxy.set_filters(None, None, ""), proxy.set_filters(None, None, "york")),
            runs,
        ),
        "sort by free seats": best_ms(
            lambda: (
                proxy.sort(5, Qt.SortOrder.AscendingOrder),
                proxy.sort(5, Qt.SortOrder.DescendingOrder),
            ),
            runs,
        ),
        "one live seat change": best_ms(lambda: model.update_session(changed), runs),
    }
    view.close()
    return timings


def baseline(data: list[dict[str, Any]], runs: int) -> dict[str, float]:
    model = QStandardItemModel(0, len(COLUMNS))
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    view = view_of(proxy)
    texts = [
        [
            s["start"],
            s["course_name"],
            s["venue_name"],
            s["trainer"],
            f"£{s['price_pence'] / 100:.2f}",
            f"{s['free']} of 12",
            s["status"],
        ]
        for s in data
    ]

    def load() -> None:
        model.removeRows(0, model.rowCount())
        for row in texts:
            model.appendRow([QStandardItem(t) for t in row])

    middle = len(data) // 2
    timings = {
        "load": best_ms(load, runs),
        "keyword filter": best_ms(
            lambda: (proxy.setFilterFixedString(""), proxy.setFilterFixedString("york")), runs
        ),
        "sort by free seats": best_ms(
            lambda: (
                proxy.sort(5, Qt.SortOrder.AscendingOrder),
                proxy.sort(5, Qt.SortOrder.DescendingOrder),
            ),
            runs,
        ),
        "one live seat change": best_ms(
            lambda: (
                model.item(middle, 5).setText("0 of 12"),
                model.item(middle, 6).setText("FULL"),
            ),
            runs,
        ),
    }
    view.close()
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    _app = QApplication.instance() or QApplication(sys.argv)
    data = sessions(args.sessions)
    mine, stock = ours(data, args.runs), baseline(data, args.runs)
    print(f"{args.sessions:,} sessions, best of {args.runs}, offscreen, painting included")
    print(f"{'step':<22}{'ours':>10}{'stock Qt':>12}{'ratio':>8}")
    for step, ms in mine.items():
        print(f"{step:<22}{ms:>8.1f}ms{stock[step]:>10.1f}ms{ms / stock[step]:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
