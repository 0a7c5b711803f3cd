"""The command line as a new user meets it: pipes into ``head``, listings from today, a
terminal's worth of certificates, UK dates, impossible dates and a Saturday start, and every
refusal on one ``rft:`` line in words a person can act on."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import subprocess
import sys
from datetime import timedelta

import pytest

from core.infra.clock import today_london
from core.infra.db import Database
from tests.admin_factories import add_trainer
from tests.attendance_helpers import booked_session, full_marks, trainer
from tests.test_certificates import mark
from tests.test_cli import ROOT, cli_env, rft, sessions

__all__ = ["cli_env"]
F_SETPIPE_SZ = 1031  # Linux: shrink a pipe so the command fills it after a page
LIBRARY_WORDING = (
    "String should",
    "Input should",
    "value is not",
    "Value error",
    "validation error",
    "Field required",
    "Extra inputs",
    "type=",
    "pydantic",
    "Traceback",
)


def run_into_closed_pipe(args: list[str], env: dict[str, str]) -> tuple[int, str, bytes]:
    """Run ``rft ARGS | head -c 100``: read the start of the output, then stop reading."""
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, F_SETPIPE_SZ, 4096)
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=write_end,
        stderr=subprocess.PIPE,
    )
    os.close(write_end)
    first = os.read(read_end, 100)
    os.close(read_end)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err.decode(), first


@pytest.mark.parametrize("args", [["sessions", "--all"], ["sessions", "--all", "--json"]])
def test_a_reader_that_goes_away_ends_the_command_quietly(
    cli_env: dict[str, str], args: list[str]
) -> None:
    code, err, first = run_into_closed_pipe(args, cli_env)
    assert first  # the reader got the start of the listing, then left
    assert err == ""  # no BrokenPipeError traceback, no "Exception ignored" line
    assert code == 141  # as a shell tool stopped by SIGPIPE


def test_sessions_list_from_today_unless_asked_for_earlier(cli_env: dict[str, str]) -> None:
    today = today_london().isoformat()
    default = sessions(cli_env)
    everything = sessions(cli_env, "--all")
    earlier = (today_london() - timedelta(days=400)).isoformat()
    assert default and all(s["start"][:10] >= today for s in default)
    assert any(s["start"][:10] < today for s in everything)
    assert [s for s in everything if s["start"][:10] >= today] == default
    assert sessions(cli_env, "--from", earlier) == [
        s for s in everything if s["start"][:10] >= earlier
    ]


def test_uk_style_dates_are_accepted_and_others_name_the_forms(cli_env: dict[str, str]) -> None:
    day = sessions(cli_env)[3]["start"][:10]
    uk = f"{day[8:10]}/{day[5:7]}/{day[:4]}"
    assert sessions(cli_env, "--from", uk, "--to", uk) == sessions(
        cli_env, "--from", day, "--to", day
    )
    for command in (["sessions"], ["report", "utilisation"]):
        out = rft(*command, "--from", "2026/09/09", env=cli_env)
        assert out.returncode == 2 and out.stdout == ""
        [line] = out.stderr.splitlines()
        assert line.startswith("rft: ") and "YYYY-MM-DD or DD/MM/YYYY" in line


def attendee(dob: str) -> list[str]:
    return ["--attendee", f"Al Jones <al@example.com> {dob}"]


ADD = ["session", "add", "--course", "efaw", "--venue", "leeds", "--start"]
REFUSALS = [
    (["book", "{sid}", *attendee("0")], "date of birth"),
    (["book", "{sid}", *attendee("631152000")], "date of birth"),
    (["book", "{sid}", *attendee("1990-02-30")], "no such day"),
    (["book", "{sid}", *attendee("17/05/1990")], "YYYY-MM-DD"),
    (["book", "{sid}", *attendee("2990-01-01")], "in the past"),
    (["book", "{sid}", "--attendee", "1234 <al@example.com> 1990-01-01"], "letters"),
    (["book", "{sid}", "--attendee", "Al Jones <al@> 1990-01-01"], "email address such as"),
    (["book", "{sid}", "--attendee", "Al Jones al@example.com"], "First Last <email>"),
    (["book", "{sid}", "--attendee", f"{'A' * 130} <al@example.com> 1990-01-01"], "120"),
    (["book", "0", *attendee("1990-01-01")], "1 or more"),
    (["book", "x", *attendee("1990-01-01")], "whole number"),
    (["sessions", "--from", "tomorrow"], "YYYY-MM-DD or DD/MM/YYYY"),
    ([*ADD, "2027-08-07T09:00", "--capacity", "2000"], "capacity: type a number no more than"),
    ([*ADD, "2027-08-07T09:00", "--room", "x" * 81], "room: type at most 80 characters"),
    ([*ADD, "9999-12-31T09:00"], "31/12/9999 is more than 5 years ahead"),
    ([*ADD, "31/12/2027 09:00"], "YYYY-MM-DDTHH:MM"),
    (["sessions", "--from", "31/02/2027"], "YYYY-MM-DD or DD/MM/YYYY"),
    (["sessions", "--bogus"], "unrecognized"),
    (["certificates", "--expiring-before", "99999-01-01"], "YYYY-MM-DD or DD/MM/YYYY"),
]


def test_every_refusal_is_one_plain_line_and_books_nothing(cli_env: dict[str, str]) -> None:
    before = sessions(cli_env, "--all")
    future = next(s for s in before if s["start"][:10] > today_london().isoformat() and s["free"])
    for args, says in REFUSALS:
        out = rft(*[a.format(sid=future["id"]) for a in args], env=cli_env)
        assert out.returncode in (1, 2) and out.stdout == "", args
        [line] = out.stderr.splitlines()
        assert line.startswith("rft: ") and says in line, line
        assert not [w for w in LIBRARY_WORDING if w.lower() in line.lower()], line
    assert sessions(cli_env, "--all") == before


def test_a_start_in_year_9999_is_refused_in_one_line(sqlite_db: Database) -> None:
    add_trainer(sqlite_db)
    out = rft_here(
        "session", "add", "--course", "efaw", "--venue", "leeds", "--start", "9999-12-31T09:00"
    )
    assert out.returncode == 1 and out.stdout == ""
    [line] = out.stderr.splitlines()
    assert line.startswith("rft: 31/12/9999 is more than 5 years ahead")


def next_saturday() -> str:
    day = today_london() + timedelta(days=14)
    return (day + timedelta(days=(5 - day.weekday()) % 7)).isoformat()


def test_a_saturday_start_stays_on_saturday(sqlite_db: Database) -> None:
    saturday = next_saturday()
    for course, venue in (("efaw", "leeds"), ("faw", "york")):  # three days from a Saturday
        out = rft_here(
            "session",
            "add",
            "--course",
            course,
            "--venue",
            venue,
            "--start",
            f"{saturday}T09:00",
            "--json",
        )
        assert out.returncode == 0, out.stderr
        made = json.loads(out.stdout)
        assert made["start"].startswith(f"{saturday}T09:00")
        assert made["days"][0]["start"].startswith(saturday)
    first = today_london() + timedelta(days=14)
    assert [d["start"][:10] for d in made["days"]] == [
        (first + timedelta(days=(5 - first.weekday()) % 7 + n)).isoformat() for n in range(3)
    ]


def rft_here(*args: str) -> subprocess.CompletedProcess[str]:
    """``rft`` on the test's own database (``sqlite_db`` sets the environment)."""
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_certificates_on_a_terminal_show_a_screenful_and_say_how_many_more(
    sqlite_db: Database,
) -> None:
    sarah = trainer(sqlite_db)
    for _ in range(2):
        _sid, people = booked_session(sqlite_db, sarah, people=12)
        mark(sqlite_db, sarah, [o for p in people for o in full_marks(p)])
    env = dict(os.environ, LINES="14", COLUMNS="200")

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "certificates"],
        cwd=ROOT,
        env=env,
        stdout=follower,
        stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed when the command ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    shown = b"".join(chunks).decode().splitlines()

    assert len(shown) == 2 + 10 + 1  # heading, rule, a screenful, the "more" line
    assert shown[-1].startswith("… and 14 more certificates: add --all")
    piped = rft_here("certificates")
    assert len(piped.stdout.splitlines()) == 2 + 24  # into a file or a pipe: all of them
    assert len(rft_here("certificates", "--json").stdout) > 0


def test_the_readme_documents_every_json_field(cli_env: dict[str, str]) -> None:
    readme = (ROOT / "README.md").read_text()
    documented = readme[readme.index("### Stable JSON output") : readme.index("## Configuration")]
    catalogue = json.loads(rft("catalogue", "--json", env=cli_env).stdout)
    keys = set(sessions(cli_env)[0]) | set(catalogue["courses"][0]) | set(catalogue["venues"][0])
    from core.certificates.issuing import CertificateView

    keys |= {f.name for f in CertificateView.__dataclass_fields__.values()}
    assert {"colour", "cancel_reason"} <= keys
    assert keys - set(re.findall(r"\w+", documented)) == set()
