"""Every report figure against a hand calculation on known data (tests/reports_data.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core import reports
from core.infra.clock import today_london
from core.infra.db import Database
from core.reports import ReportFilter
from core.reports.dimensions import WEEKDAYS
from core.seats.availability import SessionFilter, list_sessions
from tests.reports_data import Known, build_known


@pytest.fixture
def known(any_db: Database) -> Known:
    return build_known(any_db)


def run(db: Database, name: str, by: str | None = None, **flt: Any) -> reports.Report:
    with db.read() as tx:
        return reports.run(tx, name, ReportFilter(**flt), by)


def by_group(report: reports.Report) -> dict[str, dict[str, Any]]:
    return {r["group_id"]: r for r in report.rows}


def pick(row: dict[str, Any], *keys: str) -> tuple[Any, ...]:
    return tuple(row[k] for k in keys)


UTIL = ("sessions", "capacity", "booked", "utilisation_pct")


def test_utilisation_by_venue_leaves_out_the_cancelled_session(
    any_db: Database, known: Known
) -> None:
    rows = by_group(run(any_db, "utilisation", "venue"))
    # Leeds: S1 7/12 + S2 3/10 = 10/22; York: S3 2/12 (S4 cancelled); Sheffield: S5 4/8
    assert pick(rows["leeds"], *UTIL) == (2, 22, 10, 45.5)
    assert pick(rows["york"], *UTIL) == (1, 12, 2, 16.7)
    assert pick(rows["sheffield"], *UTIL) == (1, 8, 4, 50.0)
    assert set(rows) == {"leeds", "york", "sheffield"}


def test_utilisation_matches_the_per_session_seats_of_rft_sessions(
    any_db: Database, known: Known
) -> None:
    report = run(any_db, "utilisation", "course")
    with any_db.read() as tx:
        sessions = [s for s in list_sessions(tx, SessionFilter()) if s.status != "CANCELLED"]
    expected: dict[str, list[int]] = {}
    for s in sessions:
        cell = expected.setdefault(s.course, [0, 0, 0])
        cell[0] += 1
        cell[1] += s.capacity
        cell[2] += s.booked
    assert {r["group_id"]: [r["sessions"], r["capacity"], r["booked"]] for r in report.rows} == (
        expected
    )
    assert report.totals is not None
    assert pick(report.totals, *UTIL) == (4, 42, 16, 38.1)


def test_utilisation_by_trainer_month_and_weekday_time(any_db: Database, known: Known) -> None:
    trainers = {r["group"]: r for r in run(any_db, "utilisation", "trainer").rows}
    # Tina: S1 7/12 + S5 4/8 = 11/20; Bob: S2 3/10; nobody: S3 2/12
    assert pick(trainers["Tina Trainer"], *UTIL) == (2, 20, 11, 55.0)
    assert pick(trainers["Bob Trainer"], *UTIL) == (1, 10, 3, 30.0)
    assert pick(trainers["(no trainer)"], *UTIL) == (1, 12, 2, 16.7)

    months: dict[str, list[int]] = {}
    for name, (cap, booked) in {"S1": (12, 7), "S2": (10, 3), "S3": (12, 2), "S5": (8, 4)}.items():
        cell = months.setdefault(known.starts[name].strftime("%Y-%m"), [0, 0])
        cell[0] += cap
        cell[1] += booked
    got = {
        r["group"]: [r["capacity"], r["booked"]] for r in run(any_db, "utilisation", "month").rows
    }
    assert got == months

    weeks: dict[str, list[int]] = {}
    for name, (cap, booked) in {"S1": (12, 7), "S2": (10, 3), "S3": (12, 2), "S5": (8, 4)}.items():
        start = known.starts[name]
        cell = weeks.setdefault((start - timedelta(days=start.weekday())).isoformat(), [0, 0])
        cell[0] += cap
        cell[1] += booked
    trend = run(any_db, "utilisation", "week")
    assert {r["group"]: [r["capacity"], r["booked"]] for r in trend.rows} == weeks
    assert trend.chart["type"] == "line"

    heat = run(any_db, "utilisation", "weekday-time")
    cells: dict[str, list[int]] = {}
    for name, (cap, booked) in {"S1": (12, 7), "S2": (10, 3), "S3": (12, 2), "S5": (8, 4)}.items():
        day = WEEKDAYS[(known.starts[name].weekday() + 1) % 7]
        cell = cells.setdefault(f"{day} 09:00", [0, 0])
        cell[0] += cap
        cell[1] += booked
    assert {r["group"]: [r["capacity"], r["booked"]] for r in heat.rows} == cells
    assert heat.chart["type"] == "heatmap"
    assert all(r["start_time"] == "09:00" for r in heat.rows)


MONEY = ("bookings", "seats", "gross_pence", "discount_pence", "refund_pence", "net_pence")


def test_revenue_gross_discounts_refunds_and_net(any_db: Database, known: Known) -> None:
    rows = by_group(run(any_db, "revenue", "venue"))
    # Leeds: B1 5 x £75 = £375 less 10% (£37.50); B2 £150; B3 3 x £225 = £675; B4 cancelled unpaid
    assert pick(rows["leeds"], *MONEY) == (3, 10, 120000, 3750, 0, 116250)
    # York: B5 £150; B6 £75 paid, cancelled and refunded in full
    assert pick(rows["york"], *MONEY) == (2, 3, 22500, 0, 7500, 15000)
    # Sheffield: B7 4 x £150
    assert pick(rows["sheffield"], *MONEY) == (1, 4, 60000, 0, 0, 60000)
    totals = run(any_db, "revenue", "course").totals
    assert totals is not None
    assert pick(totals, *MONEY) == (6, 17, 202500, 3750, 7500, 191250)


def test_cancellations_and_no_shows_from_the_register(any_db: Database, known: Known) -> None:
    rows = by_group(run(any_db, "cancellations", "venue"))
    keys = ("bookings", "cancelled", "cancelled_pct", "seats", "cancelled_seats")
    assert pick(rows["leeds"], *keys) == (4, 1, 25.0, 11, 1)
    assert pick(rows["york"], *keys) == (2, 1, 50.0, 3, 1)
    # Sheffield: 4 on the register, one absent on both days (absent on one day is not a no-show)
    assert pick(rows["sheffield"], "registered", "no_shows", "no_show_pct") == (4, 1, 25.0)
    assert pick(rows["leeds"], "registered", "no_shows", "no_show_pct") == (0, 0, 0.0)


def test_lead_time_in_days_from_booking_to_course(any_db: Database, known: Known) -> None:
    today = today_london()
    report = run(any_db, "lead-time", "venue")
    rows = by_group(report)
    s1, s2, s3 = ((known.starts[n] - today).days for n in ("S1", "S2", "S3"))
    # Leeds: B1 and B2 booked today for S1, B3 today for S2 (B4 cancelled)
    assert pick(rows["leeds"], "bookings", "min_days", "max_days") == (3, s1, s2)
    assert rows["leeds"]["avg_days"] == round((2 * s1 + s2) / 3, 1)
    assert pick(rows["york"], "bookings", "avg_days") == (1, float(s3))
    assert pick(rows["sheffield"], "bookings", "avg_days") == (1, 20.0)

    def bucket(days: int) -> str:
        return "0-6 days" if days < 7 else "7-13 days" if days < 14 else "2-3 weeks"

    expected: dict[str, int] = {}
    for days in (s1, s1, s2, s3, 20):  # B1, B2, B3, B5, B7
        expected[bucket(days)] = expected.get(bucket(days), 0) + 1
    assert {r["group"]: r["bookings"] for r in run(any_db, "lead-time").rows} == expected


def test_conversion_of_holds_by_channel_and_average_booking(any_db: Database, known: Known) -> None:
    rows = by_group(run(any_db, "conversion"))
    keys = ("holds", "converted", "conversion_pct", "bookings", "value_pence", "avg_value_pence")
    # desk: one hold, booked; bookings B1 £337.50, B3 £675, B5 £150, B7 £600 and B6 £75
    # (paid, then cancelled: counted as in revenue) -> £1,837.50 / 5
    assert pick(rows["desk"], *keys) == (1, 1, 100.0, 5, 183750, 36750)
    # website: two holds, one booked (B2 £150), one released
    assert pick(rows["website"], *keys) == (2, 1, 50.0, 1, 15000, 15000)


def test_underfilled_lists_sessions_at_most_half_full_within_a_week(
    any_db: Database, known: Known
) -> None:
    report = run(any_db, "underfilled")
    assert [r["session_id"] for r in report.rows] == [known.sessions["S3"]]
    assert pick(report.rows[0], "capacity", "booked", "fill_pct") == (12, 2, 16.7)
    assert report.rows[0]["date"] == known.starts["S3"].isoformat()


def test_filters_narrow_every_report(any_db: Database, known: Known) -> None:
    york = run(any_db, "utilisation", "venue", venue="york")
    assert [r["group_id"] for r in york.rows] == ["york"]
    faw = run(any_db, "revenue", "course", course="faw")
    assert [pick(r, "group_id", "gross_pence") for r in faw.rows] == [("faw", 67500)]
    one_day = known.starts["S1"]
    only_s1 = run(any_db, "utilisation", "venue", date_from=one_day, date_to=one_day)
    assert pick(only_s1.rows[0], *UTIL) == (1, 12, 7, 58.3)
    assert only_s1.filters["date_from"] == one_day.isoformat()
