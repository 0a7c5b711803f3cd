"""The CLI's output and the protocol's frames, byte for byte as recorded (issue 14 item 7).

Each test builds its own fresh database under a frozen clock with seeded ids and tokens,
runs a fixed script, and compares what came back with ``tests/recorded/``. A change to a
field name, an order, a number format or an error text fails with a diff; when the change is
meant, ``RFT_RECORD=1 pytest tests/test_recorded_responses.py`` rewrites the recordings.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from core.api import Call, dispatch
from core.cli import main
from core.demo.stripe_double import StripeDouble
from core.infra.actor import Actor
from core.infra.config import load_settings
from core.infra.db import Database, open_database
from server.app import SyncServer
from server.connection import Limits
from server.http import PUBLIC_PATH, WS_PATH
from tests.conftest import sqlite_url
from tests.recording import FrozenClock, Transcript, seed_randomness
from tests.server_support import PASSWORD, TIMEOUT, add_api_key, add_staff, running_server

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
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, double: StripeDouble) -> FrozenClock:
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


def mark_first_week() -> None:
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
    rft(
        "user",
        "add",
        "sarah.holt@rft-training.co.uk",
        "--role",
        "trainer",
        "--password-stdin",
        stdin="correct horse battery\n",
    )
    rft("user", "list", "--json")
    rft("catalogue", "--json")
    rft("trainers", "--json")
    rft(
        "session",
        "add",
        "--course",
        "efaw",
        "--venue",
        "leeds",
        "--start",
        "2031-03-03T09:00",
        "--trainer",
        "sarah.holt@rft-training.co.uk",
    )
    rft(
        "session",
        "add",
        "--course",
        "efaw",
        "--venue",
        "leeds",
        "--start",
        "2031-03-03T09:00",
        "--trainer",
        "sarah.holt@rft-training.co.uk",
        "--override",
        "qualified in 2030",
        "--json",
    )
    rft(
        "session",
        "add",
        "--course",
        "faw",
        "--venue",
        "york",
        "--start",
        "2031-03-04T09:00",
        "--json",
    )
    rft(
        "session",
        "add",
        "--course",
        "efaw",
        "--venue",
        "york",
        "--start",
        "2031-03-10T09:00",
        "--capacity",
        "2",
        "--json",
    )
    rft(
        "session",
        "add",
        "--course",
        "efaw",
        "--venue",
        "leeds",
        "--start",
        "2031-03-17T09:00",
        "--override",
        "trainer agreed by phone",
    )
    rft(
        "book",
        "1",
        "--attendee",
        "Ann Archer <ann@example.com> 1990-05-17",
        "--attendee",
        "Bob Baker <bob@example.com> 1988-02-29",
        "--json",
    )
    rft("book", "2", "--attendee", "Cat Cole <cat@example.com> 1970-12-01")
    rft(
        "book",
        "3",
        "--attendee",
        "Dan Dale <dan@example.com> 1995-07-04",
        "--attendee",
        "Eve Eden <eve@example.com> 2001-01-01",
        "--json",
    )
    rft("book", "3", "--attendee", "Late Comer <late@example.com> 1990-01-01", "--json")
    rft(
        "waitlist",
        "add",
        "3",
        "--seats",
        "1",
        "--contact",
        "Gail Wait <gail@example.com>",
        "--json",
    )
    rft("waitlist", "list", "3", "--json")
    rft("alternatives", "3", "--seats", "1", "--json")
    rft(
        "org",
        "add",
        "Acme Ltd",
        "--contact",
        "Dee Boss <dee@acme.example>",
        "--po-required",
        "--terms-days",
        "30",
        "--json",
    )
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
    mark_first_week()
    rft("certificates", "--json")
    rft("certificates", "--all")
    rft("org", "compliance", "1", "--json")
    for name in REPORTS:
        rft("report", name, "--from", "2031-02-01", "--to", "2031-04-30", "--format", "json")
    rft(
        "report",
        "utilisation",
        "--from",
        "2031-02-01",
        "--to",
        "2031-04-30",
        "--by",
        "course",
        "--format",
        "csv",
    )
    rft("audit", "--json")
    rft("outbox", "list", "--json")
    rft("payments", "check")
    rft("privacy", "export", "ann@example.com")
    rft.transcript.check()


class Wire:
    """One WebSocket connection: each reply's raw text, and notifications kept apart."""

    def __init__(self, ws: ClientConnection, who: str, transcript: Transcript) -> None:
        self.ws, self.who, self.transcript = ws, who, transcript
        self.ids = itertools.count(1)
        self.notes: list[dict[str, Any]] = []

    async def __call__(self, method: str, params: dict[str, Any] | None = None) -> Any:
        rid = next(self.ids)
        request = {"jsonrpc": "2.0", "id": rid, "method": method, "params": params or {}}
        await self.ws.send(json.dumps(request))
        while True:
            frame = str(await asyncio.wait_for(self.ws.recv(), TIMEOUT))
            message = json.loads(frame)
            if message.get("id") == rid:
                break
            self.notes.append(message)
        self.transcript.add(f"{self.who}> {json.dumps(request)}", frame)
        return message.get("result")

    async def pushed_changes(self) -> list[str]:
        """Every change pushed so far, up to the last one ``changes.since`` shows this caller,
        encoded as the server encodes a frame (how the feed batches changes into frames
        depends on timing; the changes do not)."""
        last = 0
        while page := await self("changes.since", {"after_seq": last}):
            last = page["last_seq"]
            if not page["more"]:
                break
        changes: list[dict[str, Any]] = []
        while not changes or changes[-1]["seq"] < last:
            if self.notes:
                note = self.notes.pop(0)
            else:
                note = json.loads(await asyncio.wait_for(self.ws.recv(), TIMEOUT))
            if note["method"] == "changes.push":
                changes += note["params"]["changes"]
        return [json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in changes]


@asynccontextmanager
async def wire(url: str, who: str, transcript: Transcript) -> AsyncIterator[Wire]:
    async with connect(url, open_timeout=TIMEOUT) as ws:
        yield Wire(ws, who, transcript)


def person_params(n: int, first: str, born: str = "1990-05-17") -> dict[str, str]:
    return {
        "name": f"{first} Person",
        "email": f"{first.lower()}@example.com",
        "date_of_birth": born,
    } | ({"phone": f"0113 496 00{n:02d}"} if n else {})


async def conversation(server: SyncServer, key: str, clock: FrozenClock, t: Transcript) -> None:
    url = server.url
    public = url.replace(WS_PATH, PUBLIC_PATH)
    async with (
        wire(url, "watcher", t) as watcher,
        wire(url, "admin", t) as admin,
        wire(url, "manager", t) as manager,
        wire(url, "reception", t) as desk,
        wire(url, "trainer", t) as trainer,
        wire(url, "website", t) as web,
        wire(public, "visitor", t) as visitor,
        wire(url, "anonymous", t) as anonymous,
    ):
        await anonymous("sessions.list")
        await anonymous("auth.login", {"email": "admin@example.org", "password": "wrong"})
        signed = {}
        for role, peer_ in (
            ("manager", watcher),
            ("admin", admin),
            ("manager", manager),
            ("reception", desk),
            ("trainer", trainer),
        ):
            signed[role] = await peer_(
                "auth.login", {"email": f"{role}@example.org", "password": PASSWORD}
            )
        await watcher("changes.subscribe", {"after_seq": 0})
        await web("auth.authenticate", {"api_key": key})
        await anonymous("auth.authenticate", {"access_token": signed["reception"]["access_token"]})
        own = await anonymous(
            "auth.login", {"email": "reception@example.org", "password": PASSWORD}
        )
        refreshed = await anonymous("auth.refresh", {"refresh_token": own["refresh_token"]})
        await anonymous("auth.logout", {"refresh_token": refreshed["refresh_token"]})

        # the office: staff, trainers, catalogue, schedule
        await admin("staff.list")
        await admin(
            "staff.add",
            {
                "email": "temp@example.org",
                "name": "Temp Desk",
                "role": "reception",
                "password": PASSWORD,
            },
        )
        await admin("staff.set_role", {"email": "temp@example.org", "role": "manager"})
        await admin(
            "staff.reset_password", {"email": "temp@example.org", "password": PASSWORD + "!"}
        )
        await admin("staff.reset_mfa", {"email": "temp@example.org"})
        await admin("staff.disable", {"email": "temp@example.org"})
        await admin("staff.enable", {"email": "temp@example.org"})
        await admin("catalogue.update_course", {"id": "efaw", "changes": {"price_pence": 8000}})
        await admin("catalogue.update_venue", {"id": "york", "changes": {"name": "York Centre"}})
        await manager("catalogue.get")
        await manager(
            "trainers.set_courses", {"email": "trainer@example.org", "courses": ["efaw", "faw"]}
        )
        qualified = await manager(
            "trainers.add_qualification",
            {
                "email": "trainer@example.org",
                "title": "Trainer award",
                "courses": ["efaw", "faw"],
                "expires_on": "2032-01-31",
            },
        )
        await manager(
            "trainers.add_unavailable",
            {"email": "trainer@example.org", "first": "2031-03-20", "reason": "leave"},
        )
        await manager(
            "trainers.remove_unavailable", {"email": "trainer@example.org", "day": "2031-03-20"}
        )
        await manager("trainers.list")
        plan = {
            "course": "efaw",
            "venue": "leeds",
            "trainers": ["trainer@example.org"],
            "start": "2031-03-03T09:00:00",
        }
        await manager("schedule.check", plan)
        await manager("schedule.create", plan)
        await manager(
            "schedule.create",
            {"course": "faw", "venue": "york", "start": "2031-03-04T09:00:00", "capacity": 4},
        )
        await manager(
            "schedule.repeat",
            {
                "course": "efaw",
                "venue": "york",
                "capacity": 2,
                "start": "2031-03-10T09:00:00",
                "every_weeks": 1,
                "count": 3,
            },
        )
        await manager("schedule.edit", {"id": 2, "version": 1, "changes": {"capacity": 6}})
        await manager("schedule.overrides", {"id": 1})
        await manager("schedule.offers", {"id": 3})
        await manager("schedule.cancel", {"id": 4, "reason": "venue flooded"})
        await manager("trainers.remove_qualification", {"id": qualified["qualifications"][0]["id"]})

        # the desk and the website: browse, hold, book, pay
        for peer_ in (desk, web, visitor, trainer):
            await peer_("sessions.list")
        await web("sessions.get", {"id": 1})
        await web("sessions.month", {"year": 2031, "month": 3})
        await web("sessions.alternatives", {"session_id": 3, "seats": 1})
        await web(
            "eligibility.check",
            {"session_id": 1, "attendees": [{"name": "Ann Person", "email": "ann@example.com"}]},
        )
        hold = await desk("holds.create", {"session_id": 1, "seats": 2})
        token = {"hold_id": hold["id"], "hold_token": hold["hold_token"]}
        await desk("holds.get", token)
        await desk("holds.extend", token | {"seats": 3})
        await desk("holds.extend", token | {"seats": 2})
        cash = await desk(
            "bookings.create",
            token
            | {
                "attendees": [person_params(1, "Ann"), person_params(2, "Bob")],
                "payment": "cash",
                "customer": {"name": "Ann Person", "email": "ann@example.com"},
            },
        )
        await desk("payments.methods")
        await desk("payments.cash", {"reference": cash["reference"], "amount_pence": 16000})
        gone = await desk("holds.create", {"session_id": 2, "seats": 1})
        await desk("holds.release", {"hold_id": gone["id"], "hold_token": gone["hold_token"]})
        later = {}
        for payment, session, first in (
            ("pay_later", 2, "Cal"),
            ("link", 2, "Dot"),
            ("card", 2, "Eli"),
            ("invoice", 1, "Fay"),
        ):
            held = await desk("holds.create", {"session_id": session, "seats": 1})
            later[payment] = await desk(
                "bookings.create",
                {
                    "hold_id": held["id"],
                    "hold_token": held["hold_token"],
                    "payment": payment,
                    "attendees": [person_params(0, first, "1980-01-01")],
                },
            )
        await desk("payments.pay_later", {"reference": later["pay_later"]["reference"]})
        await desk("payments.link", {"reference": later["link"]["reference"]})
        await desk(
            "payments.extend_deadline", {"reference": later["link"]["reference"], "minutes": 30}
        )
        terminal = await desk(
            "payments.terminal.start",
            {"reference": later["card"]["reference"], "reader_id": "tmr_desk_1"},
        )
        await desk("payments.terminal.status", {"payment_id": terminal["payment_id"]})
        await desk("payments.terminal.cancel", {"payment_id": terminal["payment_id"]})
        await desk(
            "payments.invoice",
            {
                "reference": later["invoice"]["reference"],
                "company": "Fay Co",
                "email": "fay@example.com",
                "billing_address": "1 Road, Leeds",
            },
        )
        web_hold = await web("holds.create", {"session_id": 2, "seats": 1})
        web_token = {"hold_id": web_hold["id"], "hold_token": web_hold["hold_token"]}
        await web("holds.get", web_token)
        online = await web(
            "bookings.create", web_token | {"attendees": [person_params(0, "Gus", "1985-06-06")]}
        )
        await web(
            "bookings.status",
            {"reference": online["reference"], "hold_token": web_hold["hold_token"]},
        )
        await web(
            "payments.link",
            {"reference": online["reference"], "hold_token": web_hold["hold_token"]},
        )
        await visitor("holds.create", {"session_id": 2, "seats": 1})
        await visitor("bookings.get", {"reference": cash["reference"]})
        await desk("bookings.get", {"reference": cash["reference"]})
        await desk("bookings.search", {"text": "ann@example.com"})
        await desk("bookings.timeline", {"reference": cash["reference"]})
        await desk("bookings.resend_confirmation", {"reference": cash["reference"]})
        await desk("customers.get", {"email": "ann@example.com"})
        await desk(
            "bookings.transfer", {"reference": later["invoice"]["reference"], "to_session_id": 5}
        )
        await desk("desk.terms")
        await desk("desk.today", {"day": "2031-03-03"})

        # a full session's waiting list
        full = await desk("holds.create", {"session_id": 3, "seats": 2})
        taken = await desk(
            "bookings.create",
            {
                "hold_id": full["id"],
                "hold_token": full["hold_token"],
                "payment": "cash",
                "attendees": [person_params(0, "Hal"), person_params(0, "Ida")],
            },
        )
        for first in ("Jo", "Kit"):
            await desk(
                "waitlist.add",
                {
                    "session_id": 3,
                    "seats": 1,
                    "contact": {"name": f"{first} Wait", "email": f"{first.lower()}@example.com"},
                },
            )
        await desk("bookings.cancel", {"reference": taken["reference"], "reason": "ill"})
        await desk("waitlist.list", {"session_id": 3})
        await desk("waitlist.accept", {"id": 1})
        await desk("waitlist.decline", {"id": 2})
        await trainer("waitlist.list", {"session_id": 3})
        await desk("payments.refund", {"reference": taken["reference"], "reason": "ill"})

        # an employer
        org = await desk(
            "organisations.add",
            {
                "name": "Acme Ltd",
                "po_required": True,
                "terms_days": 30,
                "contacts": [{"name": "Dee Boss", "email": "dee@acme.example"}],
            },
        )
        await desk(
            "organisations.add_contact",
            {
                "id": org["id"],
                "contact": {
                    "name": "Lee Ledger",
                    "email": "lee@acme.example",
                    "roles": ["invoice"],
                },
            },
        )
        await desk("organisations.list")
        order = await desk(
            "organisations.order.start",
            {
                "organisation_id": org["id"],
                "po": "PO-77",
                "csv": ORDER_CSV,
            },
        )
        await desk("organisations.order.get", {"id": order["id"]})
        await desk("organisations.order.extend", {"id": order["id"]})
        await desk("organisations.order.confirm", {"id": order["id"]})
        dropped = await desk(
            "organisations.order.start",
            {
                "organisation_id": org["id"],
                "po": "PO-78",
                "rows": [
                    {
                        "session": 1,
                        "name": "Gil Staff",
                        "email": "gil@acme.example",
                        "date_of_birth": "1979-11-30",
                    }
                ],
            },
        )
        await desk("organisations.order.release", {"id": dropped["id"]})
        await desk("organisations.get", {"id": org["id"]})
        await desk("invoices.list", {"organisation_id": org["id"]})
        await desk("invoices.get", {"number": "INV-2031-0001"})
        await desk(
            "invoices.pay",
            {"number": "INV-2031-0001", "amount_pence": 1000, "reference": "BACS 1234"},
        )
        await desk("invoices.link", {"number": "INV-2031-0001"})

        # after the first week: the register, certificates, reports, the audit log
        clock.at = AFTER_FIRST_WEEK  # every access token has expired: sign in again
        for role, peer_ in (
            ("manager", watcher),
            ("admin", admin),
            ("manager", manager),
            ("reception", desk),
            ("trainer", trainer),
        ):
            signed[role] = await peer_(
                "auth.login", {"email": f"{role}@example.org", "password": PASSWORD}
            )
        await trainer("attendance.my_sessions")
        roster = await trainer("attendance.roster", {"session_id": 1})
        stamp = f"{int(AFTER_FIRST_WEEK.timestamp() * 1000):013d}-0000"
        await trainer(
            "attendance.mark",
            {
                "ops": [
                    {
                        "op_id": f"op-{row['id']}-{field}",
                        "device_id": "tablet-1",
                        "hlc": stamp,
                        "attendee_id": row["id"],
                        "day_index": 0,
                        "field": field,
                        "value": value,
                    }
                    for row in roster["attendees"]
                    for field, value in (("attendance", "present"), ("outcome", "competent"))
                ]
            },
        )
        issued = await manager("certificates.list")
        await manager("certificates.pdf", {"number": issued[0]["number"]})
        await desk("invoices.pdf", {"number": "INV-2031-0001"})
        await desk("organisations.compliance_export", {"id": org["id"], "format": "pdf"})
        await desk("organisations.compliance", {"id": org["id"]})
        await desk("organisations.compliance_export", {"id": org["id"], "format": "csv"})
        await manager("reports.list")
        for name in REPORTS:
            await manager(
                "reports.run", {"name": name, "date_from": "2031-02-01", "date_to": "2031-04-30"}
            )
        await admin("audit.list", {"limit": 5})
        await admin("audit.export_csv", {"action": "staff"})
        await desk("sessions.delete_everything")
        await desk("sessions.get", {"id": "seven"})
        await desk("sessions.get", {"id": 999})
        await trainer("bookings.search", {"text": "ann"})
        await desk("changes.since", {"after_seq": 0, "limit": 3})
        await watcher("changes.head")
        for change in await watcher.pushed_changes():
            t.add("watcher< changes.push", change)
        await desk("auth.logout", {"refresh_token": signed["reception"]["refresh_token"]})
        await desk("sessions.list")


def test_the_protocol_answers_what_it_answered_before(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, double: StripeDouble
) -> None:
    seed_randomness(monkeypatch, 14)
    clock = FrozenClock(monkeypatch, MONDAY)
    sqlite_db.settings = sqlite_db.settings.with_overrides(
        stripe_secret_key="sk_test_recorded",
        stripe_api_base=double.url,
        public_url="https://book.example",
    )
    for role in ("admin", "manager", "reception", "trainer"):
        add_staff(sqlite_db, role)
    key = add_api_key(sqlite_db)
    t = Transcript("protocol.txt")
    t.volatile(double.url, "<stripe-double>")

    async def run() -> None:
        # no hold sweeps on the server's own timer: when the clock jumps, expired holds go
        # back when a request looks, at the same point of the script every run
        options = {"limits": Limits(burst=10_000), "sweep_interval": 3600.0}
        async with running_server(sqlite_db, **options) as server:
            t.volatile(f"127.0.0.1:{server.port}", "<server>")
            await conversation(server, key, clock, t)

    asyncio.run(run())
    t.check()
