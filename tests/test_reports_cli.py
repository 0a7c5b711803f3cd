"""``rft report`` as a script uses it: real processes on a SQLite file with known data."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core.infra.db import Database
from tests.reports_data import Known, build_known

ROOT = Path(__file__).resolve().parent.parent


def rft(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def known(sqlite_db: Database) -> Known:
    return build_known(sqlite_db)


def csv_rows(*args: str) -> list[dict[str, str]]:
    out = rft("report", *args, "--format", "csv")
    assert out.returncode == 0, out.stderr
    return list(csv.DictReader(io.StringIO(out.stdout)))


def test_utilisation_csv_adds_up_to_rft_sessions_json(known: Known) -> None:
    rows = csv_rows("utilisation", "--by", "venue")
    listed = rft("sessions", "--all", "--json")
    assert listed.returncode == 0, listed.stderr
    expected: dict[str, list[int]] = {}
    for s in json.loads(listed.stdout):
        if s["status"] != "CANCELLED":
            cell = expected.setdefault(s["venue"], [0, 0, 0])
            cell[0] += 1
            cell[1] += s["capacity"]
            cell[2] += s["booked"]
    got = {r["group_id"]: [int(r["sessions"]), int(r["capacity"]), int(r["booked"])] for r in rows}
    assert got == expected
    leeds = next(r for r in rows if r["group_id"] == "leeds")
    assert (leeds["group"], leeds["utilisation_pct"]) == ("Leeds", "45.5")
    assert {"group", "sessions", "capacity", "booked", "utilisation_pct"} <= set(rows[0])


def test_revenue_csv_has_pounds_with_two_decimals(known: Known) -> None:
    rows = {r["group_id"]: r for r in csv_rows("revenue", "--by", "venue")}
    leeds, york = rows["leeds"], rows["york"]
    assert (leeds["gross_pence"], leeds["discount_pence"], leeds["net_pence"]) == (
        "1200.00",
        "37.50",
        "1162.50",
    )
    assert (york["refund_pence"], york["net_pence"]) == ("75.00", "150.00")


def test_underfilled_csv_uses_iso_dates_and_table_uses_uk_dates(known: Known) -> None:
    rows = csv_rows("underfilled")
    assert [r["date"] for r in rows] == [known.starts["S3"].isoformat()]
    table = rft("report", "underfilled")
    start = known.starts["S3"]
    assert f"{start:%a} {start.day} {start:%b %Y}" in table.stdout


def test_json_and_pdf_outputs(known: Known, tmp_path: Path) -> None:
    out = rft("report", "conversion", "--format", "json")
    assert out.returncode == 0, out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    assert {r["group_id"]: r["conversion_pct"] for r in data["rows"]} == {
        "desk": 100.0,
        "website": 50.0,
    }
    pdf = tmp_path / "utilisation.pdf"
    made = rft(
        "report", "utilisation", "--by", "weekday-time", "--format", "pdf", "--out", str(pdf)
    )
    assert made.returncode == 0, made.stderr
    body = pdf.read_bytes()
    assert body.startswith(b"%PDF")
    box = re.search(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", body)
    assert box is not None
    assert sorted(round(float(x) * 25.4 / 72) for x in box.groups()) == [210, 297]  # A4 in mm


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["utilisation", "--venue", "atlantis"], "There is no venue with id 'atlantis'"),
        (["revenue", "--course", "juggling"], "There is no course with id 'juggling'"),
        (["utilisation", "--from", "2026-05-01", "--to", "2026-04-01"], "is after the 'to' date"),
        (["profits"], "There is no report called 'profits'"),
        (["utilisation", "--format", "xlsx"], "Unknown format 'xlsx'"),
        (["utilisation", "--by", "colour"], "cannot be grouped by 'colour'"),
        (["utilisation", "--format", "pdf"], "A PDF needs a file"),
        (["forecast", "--by", "venue"], "The forecast report cannot be grouped"),
    ],
)
def test_bad_filters_give_a_clear_message_and_fail(
    sqlite_db: Database, args: list[str], message: str
) -> None:
    out = rft("report", *args)
    assert out.returncode != 0
    assert out.stderr.startswith("rft: ") and message in out.stderr
    assert out.stdout == ""
