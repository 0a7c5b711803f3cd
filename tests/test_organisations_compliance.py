"""An employer's compliance view and its expiry emails, and subject access for its contacts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

import psycopg
from sqlalchemy import select, update

from core.api import Call, dispatch
from core.certificates import compliance
from core.customers.privacy import erase_person, export_person
from core.infra.actor import Actor
from core.infra.clock import today_london
from core.infra.db import Database
from core.models import Booking
from core.models.attendance import Certificate
from tests.attendance_helpers import booked_session, booking_of, full_marks, trainer
from tests.conftest import _admin_dsn
from tests.server_support import ROOT
from tests.test_organisations import acme, call, outbox


def certified_staff(db: Database) -> tuple[int, Certificate]:
    """Acme with two staff who passed EFAW three days ago; (organisation id, a certificate)."""
    org = acme(db)
    sarah = trainer(db)
    _, (first, second) = booked_session(db, sarah, course="efaw")
    ops = full_marks(first) + full_marks(second)
    dispatch(Call(db, sarah), "attendance.mark", {"ops": ops})
    with db.write() as tx:
        tx.execute(
            update(Booking).where(Booking.id == booking_of(db, first)).values(organisation_id=org)
        )
        cert = tx.scalars(select(Certificate).order_by(Certificate.id)).first()
    assert cert is not None and cert.expires_on is not None
    return org, cert


def test_compliance_shows_each_employee_status_and_what_to_book_next(any_db: Database) -> None:
    org, cert = certified_staff(any_db)
    assert cert.expires_on is not None
    rows = call(any_db, "organisations.compliance", {"id": org})
    assert [(r["attendee"], r["course"], r["status"]) for r in rows] == [
        ("Test Person1", "Emergency First Aid at Work", "valid"),
        ("Test Person2", "Emergency First Aid at Work", "valid"),
    ]
    assert rows[0]["expires"] == cert.expires_on.isoformat()
    with any_db.read() as tx:
        soon = compliance.holdings(tx, org, cert.expires_on - timedelta(days=90))
        gone = compliance.holdings(tx, org, cert.expires_on)
    assert {h.status for h in soon} == {"expiring"} and soon[0].next == "EFAW Requalification"
    assert {h.status for h in gone} == {"expired"}
    assert gone[0].next == "Emergency First Aid at Work"  # full course once expired
    text = call(any_db, "organisations.compliance_export", {"id": org, "format": "csv"})["csv"]
    assert text.splitlines()[0] == "attendee,course,certificate,expires,status,next"
    assert "Test Person2,Emergency First Aid at Work" in text


def test_the_expiry_contact_gets_one_email_at_90_and_at_30_days_listing_all_staff(
    any_db: Database,
) -> None:
    org, cert = certified_staff(any_db)
    assert cert.expires_on is not None
    with any_db.write() as tx:
        assert compliance.send_organisation_reminders(tx, cert.expires_on - timedelta(91)) == 0
        assert compliance.send_organisation_reminders(tx, cert.expires_on - timedelta(90)) == 1
        assert compliance.send_organisation_reminders(tx, cert.expires_on - timedelta(89)) == 0
        assert compliance.send_organisation_reminders(tx, cert.expires_on - timedelta(30)) == 1
        assert compliance.send_organisation_reminders(tx, cert.expires_on - timedelta(5)) == 0
    sent = outbox(any_db, "organisation_expiry_reminder")
    assert [m.recipient for m in sent] == ["hs@acme.example"] * 2
    body = " ".join(sent[0].body_text.split())
    assert "Test Person1" in body and "Test Person2" in body and "book EFAW Requalification" in body


def _waiting_for_a_lock(db: Database) -> int:
    """Connections to this database blocked behind another transaction's lock."""
    with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            (db.engine.url.database,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_rft_certificate_remind_beside_the_servers_loop_emails_the_employer_once(
    pg_db: Database,
) -> None:
    """Two processes (the server's reminder loop, and `rft certificate remind` run by hand, or
    two servers) queue the employers' expiry emails at once: one email, and neither fails."""
    certified_staff(pg_db)
    with pg_db.write() as tx:
        tx.execute(update(Certificate).values(expires_on=today_london() + timedelta(days=60)))
    with pg_db.write() as tx:  # the server's loop, between queuing and committing
        assert compliance.send_organisation_reminders(tx) == 1
        by_hand = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "certificate", "remind"],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while by_hand.poll() is None and not _waiting_for_a_lock(pg_db):
            assert time.monotonic() < deadline, "rft certificate remind neither ran nor waited"
            time.sleep(0.05)
    out, err = by_hand.communicate(timeout=120)
    assert (by_hand.returncode, err) == (0, "")
    assert out.startswith("Queued ")
    sent = outbox(pg_db, "organisation_expiry_reminder")
    assert [m.recipient for m in sent] == ["hs@acme.example"]


def test_subject_access_and_erasure_cover_employer_contacts(sqlite_db: Database) -> None:
    acme(sqlite_db)
    with sqlite_db.read() as tx:
        found = export_person(tx, "accounts@acme.example")
    assert found["organisation_contacts"] == [
        {
            "organisation": "Acme Logistics Ltd",
            "name": "Accounts",
            "email": "accounts@acme.example",
            "roles": "invoice",
        }
    ]
    with sqlite_db.write() as tx:
        assert erase_person(tx, "accounts@acme.example", Actor("admin", "admin")) == 1
    (org,) = call(sqlite_db, "organisations.list")
    assert [c["name"] for c in org["contacts"]] == ["Priya Shah", "(erased)", "Health Safety"]


def test_a_name_that_looks_like_a_formula_stays_text_in_the_csv() -> None:
    hostile = compliance.Holding(
        attendee='=HYPERLINK("http://x.example","Sam")',
        email="sam@acme.example",
        course="Emergency First Aid at Work",
        certificate="RFT-C2026-000001",
        expires="2029-01-01",
        status="valid",
        next="EFAW Requalification",
        days_left=900,
        certificate_id=1,
    )
    line = compliance.to_csv([hostile]).splitlines()[1]
    assert line.startswith("\"'=HYPERLINK(")


def test_an_order_keeps_its_people_only_while_seats_are_held_and_erasure_releases_it(
    sqlite_db: Database,
) -> None:
    from sqlalchemy import select as sql_select

    from core.models.organisations import BulkOrder
    from tests.factories import make_session
    from tests.test_organisations import row, seats

    org = acme(sqlite_db)
    sid = make_session(sqlite_db, "efaw")
    kept = call(
        sqlite_db, "organisations.order.start", {"organisation_id": org, "rows": [row(sid, 1)]}
    )
    call(sqlite_db, "organisations.order.confirm", {"id": kept["id"]})
    pending = call(
        sqlite_db,
        "organisations.order.start",
        {"organisation_id": org, "rows": [row(sid, 2), row(sid, 3)]},
    )
    with sqlite_db.read() as tx:
        (held,) = export_person(tx, "staff2@acme.example")["pending_orders"]
    assert (held["order"], held["name"], held["session"]) == (pending["id"], "Staff Member2", sid)
    with sqlite_db.write() as tx:
        erase_person(tx, "staff2@acme.example", Actor("admin", "admin"))
    with sqlite_db.read() as tx:
        stored = {o.id: (o.status, o.rows) for o in tx.scalars(sql_select(BulkOrder))}
    assert stored == {kept["id"]: ("CONFIRMED", "[]"), pending["id"]: ("RELEASED", "[]")}
    assert seats(sqlite_db, sid) == {"booked": 1, "held": 0}
    shown = call(sqlite_db, "organisations.order.get", {"id": kept["id"]})
    assert [p["name"] for p in shown["sessions"][0]["people"]] == ["Staff Member1"]
    assert shown["gross_pence"] == 7500 and shown["references"]
