"""The CLI's output and the protocol's frames, byte for byte as recorded (issue 14 item 7).

Each test builds its own fresh database under a frozen clock with seeded ids and tokens,
runs a fixed script, and compares what came back with ``tests/recorded/``. A change to a
field name, an order, a number format or an error text fails with a diff; when the change is
meant, ``RFT_RECORD=1 pytest tests/test_recorded_responses.py`` rewrites the recordings.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.actor import Actor
from core.api import Call, dispatch
from core.cli import main
from core.db import open_database
from core.config import load_settings
from core.payments.stripe_double import StripeDouble
from tests.conftest import sqlite_url
from tests.recording import FrozenClock, Transcript, seed_randomness

MONDAY = datetime(2031, 2, 24, 9, 0, tzinfo=UTC)  # a week before the first session
AFTER_FIRST_WEEK = datetime(2031, 3, 7, 17, 0, tzinfo=UTC)  # the first week's courses are over
ORDER_CSV = (
    "session,name,email,date_of_birth\n"
    "1,Erin Staff,erin@acme.example,1985-01-02\n"
    "2,Finn Staff,finn@acme.example,1979-11-30\n"
)
REPORTS = (
    "utilisation",
    "revenue",
    "cancellations",
    "lead-time",
    "conversion",
    "underfilled",
    "forecast",
)


@pytest.fixture
def cli_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, double: StripeDouble
) -> FrozenClock:
    monkeypatch.setenv("DATABASE_URL", sqlite_url(tmp_path))
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_recorded")
    monkeypatch.setenv("STRIPE_API_BASE", double.url)
    seed_randomness(monkeypatch, 14)
    return FrozenClock(monkeypatch, MONDAY)


class Cli:
    """``rft`` in this process: each command's stdout (and exit status if not 0)."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.transcript = Transcript("cli.txt")

    def __call__(self, *args: str, stdin: str = "") -> str:
        self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        try:
            status = main(list(args))
        except SystemExit as exit_:  # argument mistakes: one line and status 2
            status = int(exit_.code or 0)
        out, err = self.capsys.readouterr()
        prompt = "$ rft " + " ".join(args)
        self.transcript.add(prompt, out + (f"[exit {status}] {err}" if status else ""))
        return out


def mark_first_week(tmp_path: Path) -> None:
    """The trainer's register for session 1: both present and competent (certificates)."""
    db = open_database(load_settings())
    trainer = Actor("Office Manager", "manager", "desk", None)
    roster = dispatch(Call(db, trainer), "attendance.roster", {"session_id": 1})
    ops = []
    for n, row in enumerate(roster["attendees"]):
        for field, value in (("attendance", "present"), ("outcome", "competent")):
            ops.append(
                {
                    "op_id": f"op-{n}-{field}",
                    "device_id": "tablet-1",
                    "hlc": f"{int(AFTER_FIRST_WEEK.timestamp() * 1000):013d}-0000",
                    "attendee_id": row["id"],
                    "day_index": 0,
                    "field": field,
                    "value": value,
                }
            )
    dispatch(Call(db, trainer), "attendance.mark", {"ops": ops})
    db.dispose()


def test_the_cli_prints_what_it_printed_before(
    cli_env: FrozenClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    double: StripeDouble,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    rft = Cli(capsys, monkeypatch)
    rft.transcript.volatile(double.url, "<stripe-double>")
    rft("db", "upgrade")
    rft("user", "add", "sarah.holt@rft-training.co.uk", "--role", "trainer", "--password-stdin",
        stdin="correct horse battery\n")
    rft("user", "list", "--json")
    rft("catalogue", "--json")
    rft("trainers", "--json")
    rft("session", "add", "--course", "efaw", "--venue", "leeds", "--start", "2031-03-03T09:00",
        "--trainer", "sarah.holt@rft-training.co.uk")
    rft("session", "add", "--course", "efaw", "--venue", "leeds", "--start", "2031-03-03T09:00",
        "--trainer", "sarah.holt@rft-training.co.uk", "--override", "qualified in 2030",
        "--json")
    rft("session", "add", "--course", "faw", "--venue", "york", "--start", "2031-03-04T09:00",
        "--json")
    rft("session", "add", "--course", "efaw", "--venue", "york", "--start", "2031-03-10T09:00",
        "--capacity", "2", "--json")
    rft("session", "add", "--course", "efaw", "--venue", "leeds", "--start", "2031-03-17T09:00",
        "--override", "trainer agreed by phone")
    rft("book", "1", "--attendee", "Ann Archer <ann@example.com> 1990-05-17",
        "--attendee", "Bob Baker <bob@example.com> 1988-02-29", "--json")
    rft("book", "2", "--attendee", "Cat Cole <cat@example.com> 1970-12-01")
    rft("book", "3", "--attendee", "Dan Dale <dan@example.com> 1995-07-04",
        "--attendee", "Eve Eden <eve@example.com> 2001-01-01", "--json")
    rft("book", "3", "--attendee", "Late Comer <late@example.com> 1990-01-01", "--json")
    rft("waitlist", "add", "3", "--seats", "1", "--contact", "Gail Wait <gail@example.com>",
        "--json")
    rft("waitlist", "list", "3", "--json")
    rft("alternatives", "3", "--seats", "1", "--json")
    rft("org", "add", "Acme Ltd", "--contact", "Dee Boss <dee@acme.example>", "--po-required",
        "--terms-days", "30", "--json")
    rft("org", "list", "--json")
    Path("order.csv").write_text(ORDER_CSV)
    rft("org", "book", "1", "--csv", "order.csv", "--po", "PO-77", "--json")
    rft("invoice", "list", "--json")
    number = "INV-2031-0001"
    rft("invoice", "pay", number, "--amount", "10.00", "--reference", "BACS 1234")
    rft("invoice", "link", number, "--json")
    rft("invoice", "list", "--org", "1", "--json")
    rft("cancel", "RFT-NOPE")
    rft("cancel", "RFT-2031-0003", "--reason", "ill")
    rft("waitlist", "list", "3", "--json")
    rft("sessions", "--json")
    rft("sessions", "--course", "efaw", "--json")
    rft("sessions", "--search", "york", "--json")
    rft("sessions")
    rft("session", "cancel", "4", "--reason", "venue flooded")
    rft("payments", "extend", "NOPE", "--minutes", "30")
    cli_env.at = AFTER_FIRST_WEEK
    mark_first_week(tmp_path)
    rft("certificates", "--json")
    rft("certificates", "--all")
    rft("org", "compliance", "1", "--json")
    for name in REPORTS:
        rft("report", name, "--from", "2031-02-01", "--to", "2031-04-30", "--format", "json")
    rft("report", "utilisation", "--from", "2031-02-01", "--to", "2031-04-30", "--by", "course",
        "--format", "csv")
    rft("audit", "--json")
    rft("outbox", "list", "--json")
    rft("payments", "check")
    rft("privacy", "export", "ann@example.com")
    rft.transcript.check()
