"""The ``rft`` command line as a script would use it: real processes, real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core.infra.clock import today_london

ROOT = Path(__file__).resolve().parent.parent


def rft(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One demo database shared by this module's tests (read-mostly; bookings add to it)."""
    data = tmp_path_factory.mktemp("cli")
    env = dict(os.environ)
    env.update(
        RFT_DATA_DIR=str(data),
        DATABASE_URL=f"sqlite:///{data / 'rft.sqlite3'}",
        RFT_DATA_KEY="a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    assert rft("db", "upgrade", env=env).returncode == 0
    first = rft("demo", env=env)
    assert first.returncode == 0 and "loaded" in first.stdout
    return env


def sessions(env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    out = rft("sessions", "--json", *args, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def bookable(env: dict[str, str], free: int, course: str | None = None) -> dict[str, Any]:
    """A session from next week on with at least ``free`` seats."""
    week = (today_london() + timedelta(days=7)).isoformat()
    extra = ["--course", course] if course else []
    return next(s for s in sessions(env, "--from", week, *extra) if s["free"] >= free)


def test_demo_is_idempotent(cli_env: dict[str, str]) -> None:
    before = len(sessions(cli_env, "--all"))
    again = rft("demo", env=cli_env)
    assert again.returncode == 0 and "already" in again.stdout
    assert len(sessions(cli_env, "--all")) == before > 100


def test_catalogue_json_lists_courses_and_venues(cli_env: dict[str, str]) -> None:
    out = json.loads(rft("catalogue", "--json", env=cli_env).stdout)
    assert len(out["courses"]) == 13 and len(out["venues"]) == 8
    assert {"id", "name", "price_pence", "min_age", "certificate_months"} <= set(out["courses"][0])


def test_sessions_json_has_the_documented_fields(cli_env: dict[str, str]) -> None:
    rows = sessions(cli_env, "--venue", "leeds", "--course", "efaw")
    assert (
        rows and {r["venue"] for r in rows} == {"leeds"} and {r["course"] for r in rows} == {"efaw"}
    )
    first = rows[0]
    for key in (
        "id",
        "course",
        "venue",
        "start",
        "capacity",
        "free",
        "held",
        "booked",
        "status",
        "price_pence",
    ):
        assert key in first
    assert first["start"][-6:] in ("+00:00", "+01:00")
    assert first["free"] == first["capacity"] - first["booked"] - first["held"]


def test_search_and_date_range_filter(cli_env: dict[str, str]) -> None:
    all_rows = sessions(cli_env, "--all")
    day = all_rows[len(all_rows) // 2]["start"][:10]
    on_day = sessions(cli_env, "--from", day, "--to", day)
    assert on_day and all(r["start"].startswith(day) for r in on_day)
    found = sessions(cli_env, "--search", "paediatric sheffield")
    assert found and all(
        "Paediatric" in r["course_name"] and r["venue"] == "sheffield" for r in found
    )


def test_book_five_gets_the_group_discount_and_cancel_frees_seats(cli_env: dict[str, str]) -> None:
    target = bookable(cli_env, 5, course="efaw")
    people = [f"Person {n} <p{n}@example.com> 1980-01-0{n + 1}" for n in range(5)]
    args = [a for p in people for a in ("--attendee", p)]
    out = rft("book", str(target["id"]), *args, "--json", env=cli_env)
    assert out.returncode == 0, out.stderr
    booked = json.loads(out.stdout)
    assert booked["reference"].startswith("RFT-")
    assert booked["discount_pence"] == 5 * target["price_pence"] // 10
    assert booked["total_pence"] == 5 * target["price_pence"] - booked["discount_pence"]
    assert len(booked["attendees"]) == 5
    after = next(s for s in sessions(cli_env) if s["id"] == target["id"])
    assert after["booked"] == target["booked"] + 5
    cancel = rft("cancel", booked["reference"], env=cli_env)
    assert cancel.returncode == 0 and "5 seats released" in cancel.stdout
    again = next(s for s in sessions(cli_env) if s["id"] == target["id"])
    assert again["booked"] == target["booked"]


@pytest.mark.parametrize(
    "args, says",
    [
        (
            ["book", "999999", "--attendee", "Al Jones <al@example.com> 1990-01-01"],
            "no session number 999999",
        ),
        (["book", "{sid}", "--attendee", "Al Jones <not-an-email> 1990-01-01"], "email"),
        (["book", "{sid}", "--attendee", "Al Jones <al@example.com> 2020-01-01"], "aged"),
        (["book", "{sid}", "--attendee", " <al@example.com> 1990-01-01"], "name is not valid"),
        (["book", "{sid}", "--attendee", "Al Jones <al@example.com> 1990-02-30"], "birth"),
        (
            ["book", "{past}", "--attendee", "Al Jones <al@example.com> 1990-01-01"],
            "already started",
        ),
        (["cancel", "RFT-1999-0001"], "no booking"),
        (["sessions", "--venue", "atlantis"], "no venue"),
        (["sessions", "--from", "2026-12-01", "--to", "2026-11-01"], "after"),
    ],
)
def test_bad_input_gives_one_line_and_changes_nothing(
    cli_env: dict[str, str], args: list[str], says: str
) -> None:
    rows = sessions(cli_env, "--all")
    future = bookable(cli_env, 1)
    past = rows[0]
    args = [a.format(sid=future["id"], past=past["id"]) for a in args]
    out = rft(*args, env=cli_env)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rft: ") and says in lines[0]
    assert sessions(cli_env, "--all") == rows


def test_malformed_arguments_are_usage_errors(cli_env: dict[str, str]) -> None:
    out = rft("sessions", "--from", "next tuesday", env=cli_env)
    assert out.returncode == 2 and "YYYY-MM-DD" in out.stderr
    assert rft("book", "abc", "--attendee", "x", env=cli_env).returncode == 2


def test_every_command_has_help(cli_env: dict[str, str]) -> None:
    for command in (
        ["db", "upgrade"],
        ["demo"],
        ["catalogue"],
        ["sessions"],
        ["book"],
        ["cancel"],
        ["desk"],
    ):
        out = rft(*command, "--help", env=cli_env)
        assert out.returncode == 0 and "usage: rft" in out.stdout


def test_bad_database_url_is_named(cli_env: dict[str, str]) -> None:
    env = dict(cli_env, DATABASE_URL="mysql://nope")
    out = rft("sessions", env=env)
    assert out.returncode == 1 and "DATABASE_URL" in out.stderr
