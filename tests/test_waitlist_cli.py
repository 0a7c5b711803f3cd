"""``rft waitlist`` and ``rft alternatives`` as a script would use them (the JSON contract),
and ``rft book`` pointing at alternatives and refusing an ineligible requalification."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from core.infra.db import Database
from tests.conftest import TEST_KEY
from tests.factories import make_session
from tests.test_cli import ROOT
from tests.waitlist_support import full_session


def rft(db: Database, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=db.settings.database_url, RFT_DATA_KEY=TEST_KEY)
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def as_json(out: subprocess.CompletedProcess[str]) -> Any:
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_waitlist_add_list_decline_accept_by_the_contract(sqlite_db: Database) -> None:
    sid, refs = full_session(sqlite_db, [2, 2])
    first = as_json(
        rft(
            sqlite_db,
            "waitlist",
            "add",
            str(sid),
            "--seats",
            "2",
            "--contact",
            "Jo Bloggs <jo@example.com>",
            "--json",
        )
    )
    second = as_json(
        rft(
            sqlite_db,
            "waitlist",
            "add",
            str(sid),
            "--seats",
            "2",
            "--contact",
            "Acme Ltd <hr@acme.example>",
            "--json",
        )
    )
    assert (first["position"], second["position"]) == (1, 2)
    assert set(first) >= {"id", "position"}
    assert rft(sqlite_db, "cancel", refs[0]).returncode == 0
    listed = as_json(rft(sqlite_db, "waitlist", "list", str(sid), "--json"))
    assert [(e["id"], e["status"], e["position"]) for e in listed] == [
        (first["id"], "offered", None),
        (second["id"], "waiting", 1),
    ]
    assert all(set(e) >= {"id", "seats", "position", "status", "offer_expires"} for e in listed)
    assert listed[0]["offer_expires"] and listed[1]["offer_expires"] is None
    declined = rft(sqlite_db, "waitlist", "decline", str(first["id"]))
    assert declined.returncode == 0, declined.stderr
    accepted = rft(sqlite_db, "waitlist", "accept", str(second["id"]))
    assert accepted.returncode == 0 and "accepted" in accepted.stdout
    listed = as_json(rft(sqlite_db, "waitlist", "list", str(sid), "--json"))
    assert [e["status"] for e in listed] == ["declined", "accepted"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seats", "13", "--contact", "Jo <jo@example.com>"], "1 to 12"),
        (["--seats", "0", "--contact", "Jo <jo@example.com>"], "must be 1 or more"),
        (["--seats", "2", "--contact", "jo@example.com"], "Name <email>"),
        (["--seats", "2", "--contact", "1234 <jo@example.com>"], "the name must contain letters"),
        (["--seats", "2", "--contact", "Jo\u202eeoJ <jo@example.com>"], "cannot be seen"),
    ],
)
def test_waitlist_add_bad_input_is_refused(
    sqlite_db: Database, args: list[str], message: str
) -> None:
    sid, _ = full_session(sqlite_db, [2])
    out = rft(sqlite_db, "waitlist", "add", str(sid), *args)
    assert out.returncode != 0 and message in out.stderr
    assert as_json(rft(sqlite_db, "waitlist", "list", str(sid), "--json")) == []


def test_accepting_what_was_never_offered_is_refused(sqlite_db: Database) -> None:
    sid, _ = full_session(sqlite_db, [2])
    entry = as_json(
        rft(
            sqlite_db,
            "waitlist",
            "add",
            str(sid),
            "--seats",
            "1",
            "--contact",
            "Jo <jo@example.com>",
            "--json",
        )
    )
    out = rft(sqlite_db, "waitlist", "accept", str(entry["id"]))
    assert out.returncode == 1 and "only an offer can be accepted" in out.stderr
    assert rft(sqlite_db, "waitlist", "accept", "99999").returncode == 1


def test_alternatives_json_and_book_points_at_them_when_full(sqlite_db: Database) -> None:
    sid, _ = full_session(sqlite_db, [2], venue="leeds")
    york = make_session(sqlite_db, venue="york")
    found = as_json(rft(sqlite_db, "alternatives", str(sid), "--seats", "2", "--json"))
    assert found == [
        {
            "id": york,
            "course": "efaw",
            "venue": "york",
            "venue_name": "York",
            "start": found[0]["start"],
            "free": 12,
            "distance_km": found[0]["distance_km"],
        }
    ]
    assert 30 < found[0]["distance_km"] < 40
    out = rft(sqlite_db, "book", str(sid), "--attendee", "Jo Bloggs <jo@example.com> 1990-01-01")
    assert out.returncode == 1
    assert "Not enough seats" in out.stderr and f"{york}: York" in out.stderr
    assert f"rft waitlist add {sid}" in out.stderr


def test_book_refuses_an_ineligible_requalification_unless_overridden(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, course="faw-requal")
    who = ["--attendee", "Jo Bloggs <jo@example.com> 1990-01-01"]
    refused = rft(sqlite_db, "book", str(sid), *who)
    assert refused.returncode == 1 and "book First Aid at Work instead" in refused.stderr
    bad = rft(sqlite_db, "book", str(sid), *who, "--certificate", "one:X:2026-01-01")
    assert bad.returncode == 2 and "ATTENDEE:NUMBER:YYYY-MM-DD" in bad.stderr
    unknown = rft(
        sqlite_db, "book", str(sid), *who, "--certificate", "1:RFT-C2020-000001:2030-01-01"
    )
    assert unknown.returncode == 1 and "no certificate numbered" in unknown.stderr
    ok = rft(sqlite_db, "book", str(sid), *who, "--override-eligibility", "Seen the paper copy")
    assert ok.returncode == 0 and "Booked" in ok.stdout
