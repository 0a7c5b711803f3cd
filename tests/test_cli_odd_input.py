"""Odd input on the command line, run in-process: the furthest dates, a backwards range
made with one date and a default, and very long or foreign-digit entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.cli import main
from core.infra.db import Database
from core.models.organisations import Organisation
from tests.test_cli_first_day import LIBRARY_WORDING


def one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``rft ARGV``; it must refuse on a single ``rft:`` line with nothing on stdout."""
    try:
        status = main(argv)
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert status in (1, 2) and out == "", (argv, out)
    [line] = err.splitlines()
    assert line.startswith("rft: ") and len(line) < 300, line
    assert not [w for w in LIBRARY_WORDING if w.lower() in line.lower()], line
    return line


@pytest.mark.parametrize(
    "argv",
    [
        ["sessions", "--to", "9999-12-31"],
        ["report", "utilisation", "--to", "31/12/9999"],
        ["report", "forecast", "--to", "9999-12-31"],
        ["sessions", "--from", "0001-01-01"],
    ],
)
def test_a_date_at_the_end_of_the_calendar_is_refused_in_one_line(
    sqlite_db: Database, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert "outside the years 1900 to 2999" in one_line(argv, capsys)


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "utilisation", "--from", "2999-01-01"],
        ["report", "forecast", "--from", "2999-01-01"],
        ["report", "revenue", "--to", "1900-01-01"],
    ],
)
def test_one_date_beyond_the_default_other_is_refused_not_an_empty_report(
    sqlite_db: Database, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert "the default); give both --from and --to" in one_line(argv, capsys)


def test_a_very_long_entry_is_not_echoed_whole(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "A" * 10_000
    line = one_line(["book", "1", "--attendee", f"{name} <al@example.com> 1990-01-01"], capsys)
    assert "120 characters" in line
    assert "outside" not in one_line(["sessions", "--from", "1" * 5000], capsys)


def test_a_birth_date_in_other_scripts_digits_is_not_a_date(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    line = one_line(["book", "1", "--attendee", "Al Jones <al@example.com> ١٩٩٠-٠١-٠١"], capsys)
    assert "It is not a date" in line and "no such day" not in line


def test_a_start_the_clocks_skip_is_refused(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["session", "add", "--course", "efaw", "--venue", "leeds"]
    assert "clocks go forward" in one_line([*argv, "--start", "2027-03-28T01:30"], capsys)


@pytest.mark.parametrize(
    "argv",
    [
        ["book", "99999999999999", "--attendee", "Al Jones <al@example.com> 1990-01-01"],
        ["alternatives", "2147483648", "--seats", "1"],
        ["waitlist", "list", "9223372036854775808"],
        ["session", "cancel", "99999999999999", "--reason", "Trainer is ill today"],
        ["org", "compliance", "99999999999999"],
        ["invoice", "list", "--org", "99999999999999"],
    ],
)
def test_a_number_the_database_cannot_hold_is_refused_in_one_line(
    any_db: Database, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the attack: an id past 32 bits reached PostgreSQL and printed a traceback."""
    assert "must be at most 2147483647" in one_line(argv, capsys)


@pytest.mark.parametrize("size", ["99999x99999", "7681x4320", "1920x4321"])
def test_a_screenshot_size_past_8k_is_refused_in_one_line(
    size: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the attack: --size 99999x99999 painted nothing, printed thousands of QPainter
    warnings and ended in a segmentation fault (status 139)."""
    line = one_line(["desk", "--screenshots", str(tmp_path), "--size", size], capsys)
    assert "640x480 to 7680x4320" in line
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "revenue", "--format", "pdf", "--out", "{dir}"],
        ["report", "utilisation", "--format", "csv", "--out", "{dir}/missing/report.csv"],
        ["audit", "--csv", "{dir}"],
        ["email", "preview", "booking_confirmation", "--out", "{dir}/missing/email.html"],
    ],
)
def test_an_output_file_that_cannot_be_written_is_refused_in_one_line(
    sqlite_db: Database, argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the attack: --out naming a folder, or a file in a missing folder, ended in an
    IsADirectoryError or FileNotFoundError traceback."""
    line = one_line([a.replace("{dir}", str(tmp_path)) for a in argv], capsys)
    assert line.startswith(f"rft: Cannot use {tmp_path}"), line


@pytest.mark.parametrize(
    "argv", [["org", "add", "Acme\udc85Ltd"], ["book", "\udcff"], ["staff", "add", "\udce9"]]
)
def test_an_argument_that_is_not_utf8_is_refused_naming_its_bytes(
    sqlite_db: Database, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Bytes a terminal in another character set sends (Python holds them as lone
    surrogates) are named as they were typed, and nothing is written."""
    line = one_line(argv, capsys)
    assert "is not UTF-8 text" in line and "\\x" in line, line
    with sqlite_db.read() as tx:
        assert tx.scalar(select(func.count()).select_from(Organisation)) == 0
