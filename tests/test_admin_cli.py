"""``rft trainers``, ``rft session add`` and ``rft session cancel`` as a script would use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.infra.db import Database
from tests.admin_factories import add_trainer, weekday_ahead

ROOT = Path(__file__).resolve().parent.parent


def rft(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def session_add(
    course: str, venue: str, start: str, *options: str
) -> subprocess.CompletedProcess[str]:
    """``rft session add`` for ``course`` at ``venue`` from ``start`` with further options."""
    return rft("session", "add", "--course", course, "--venue", venue, "--start", start, *options)


@pytest.fixture
def db(sqlite_db: Database) -> Database:
    add_trainer(sqlite_db)
    return sqlite_db


def test_trainers_json_lists_email_name_and_courses(db: Database) -> None:
    done = rft("trainers", "--json")
    assert done.returncode == 0, done.stderr
    [tina] = json.loads(done.stdout)
    assert (tina["email"], tina["name"]) == ("tina@rft.test", "Tina Trainer")
    assert tina["courses"] == ["efaw", "faw", "faw-requal", "paediatric"]
    assert tina["flagged"] is False


def test_session_add_json_is_the_sessions_json_shape(db: Database) -> None:
    day = weekday_ahead(14)
    added = session_add(
        "faw", "york", f"{day}T09:30", "--trainer", "tina@rft.test", "--capacity", "10", "--json"
    )
    assert added.returncode == 0, added.stderr
    made = json.loads(added.stdout)
    listed = json.loads(rft("sessions", "--json").stdout)
    assert listed == [made]
    assert made["start"].startswith(f"{day}T09:30") and len(made["days"]) == 3
    assert (made["capacity"], made["trainer_email"]) == (10, "tina@rft.test")


def test_a_broken_rule_exits_non_zero_with_one_line_and_no_session(db: Database) -> None:
    day = weekday_ahead(14)
    first = session_add("efaw", "leeds", f"{day}T09:00", "--trainer", "tina@rft.test")
    assert first.returncode == 0, first.stderr
    clash = session_add("efaw", "hull", f"{day}T09:00", "--trainer", "tina@rft.test", "--json")
    assert clash.returncode != 0 and clash.stdout == ""
    assert clash.stderr.count("\n") == 1
    assert clash.stderr.startswith("rft: Tina Trainer is already teaching")
    assert len(json.loads(rft("sessions", "--json").stdout)) == 1

    forced = session_add(
        "efaw",
        "hull",
        f"{day}T09:00",
        "--trainer",
        "tina@rft.test",
        "--override",
        "Tina is teaching by video link",
    )
    assert forced.returncode == 0, forced.stderr
    assert len(json.loads(rft("sessions", "--json").stdout)) == 2


def test_session_cancel_needs_a_reason_and_marks_it_cancelled(db: Database) -> None:
    day = weekday_ahead(14)
    made = json.loads(session_add("efaw", "leeds", f"{day}T09:00", "--json").stdout)
    assert rft("session", "cancel", str(made["id"])).returncode == 2
    done = rft("session", "cancel", str(made["id"]), "--reason", "Venue double-booked")
    assert done.returncode == 0, done.stderr
    [after] = json.loads(rft("sessions", "--json").stdout)
    assert (after["status"], after["cancel_reason"]) == ("CANCELLED", "Venue double-booked")
    again = rft("session", "cancel", str(made["id"]), "--reason", "again")
    assert again.returncode == 1 and "is cancelled and cannot be changed" in again.stderr
