"""Names, emails, phones, birth dates and special requirements never reach the disk in clear."""

from __future__ import annotations

from pathlib import Path

import psycopg
from alembic import command
from sqlalchemy import select, text

from core.booking import bookings
from core.customers import privacy
from core.infra.actor import CLI, Actor
from core.infra.db import Database, alembic_config, migrate
from core.models import OutboxMessage
from core.notify import booking_emails, outbox, sender
from core.notify.samples import sample_context
from tests.factories import make_session, person
from tests.mailbox import Mailbox, parts

SECRET_NAME = "Philippa Quixley-Ormerod"
SECRET_EMAIL = "philippa.quixley@example.org"
SECRET_NEEDS = "Allergic to latex gloves"
ATTENDEE = {
    "name": SECRET_NAME,
    "email": SECRET_EMAIL,
    "date_of_birth": "1987-03-14",
    "phone": "07700 900461",
    "special_requirements": SECRET_NEEDS,
}


def _book(db: Database) -> str:
    sid = make_session(db)
    with db.write() as tx:
        return bookings.book_now(tx, sid, [ATTENDEE], Actor("desk", "reception")).reference


def test_raw_sqlite_file_holds_no_personal_data(sqlite_db: Database, tmp_path: Path) -> None:
    reference = _book(sqlite_db)
    with sqlite_db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
    sqlite_db.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("rft.sqlite3*"))
    assert reference.encode() in raw  # the file really holds the booking
    for secret in (SECRET_NAME, SECRET_EMAIL, SECRET_NEEDS, "07700 900461", "1987-03-14"):
        assert secret.encode() not in raw
        assert secret.lower().encode() not in raw.lower()


def test_postgres_tables_hold_no_personal_data(pg_db: Database) -> None:
    reference = _book(pg_db)
    dsn = pg_db.settings.database_url.replace("postgresql+psycopg://", "postgresql://")
    dump = []
    with psycopg.connect(dsn) as conn:
        tables = [
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                dump.append(" ".join(str(v) for v in row))
    everything = "\n".join(dump).lower()
    assert reference.lower() in everything
    for secret in (SECRET_NAME, SECRET_EMAIL, SECRET_NEEDS, "07700 900461", "1987-03-14"):
        assert secret.lower() not in everything


def test_booking_reads_back_in_clear_through_core(any_db: Database) -> None:
    reference = _book(any_db)
    with any_db.read() as tx:
        found = bookings.search(tx, SECRET_EMAIL.upper())
        assert [b.reference for b in found] == [reference]
        attendee = found[0].attendees[0]
        assert (attendee.name, attendee.special_requirements) == (SECRET_NAME, SECRET_NEEDS)
        stored = tx.execute(text("SELECT email FROM attendees")).scalar_one()
    assert stored.startswith("v1:") and SECRET_EMAIL not in stored


def _everything_stored(db: Database) -> str:
    """Every byte the database keeps: SQLite's files (log included), or every PostgreSQL row."""
    if db.dialect == "sqlite":
        path = Path(db.settings.database_url.removeprefix("sqlite:///"))
        files = sorted(path.parent.glob(path.name + "*"))
        return b"".join(p.read_bytes() for p in files).decode("latin-1")
    dsn = db.settings.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        tables = [
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        return "\n".join(
            " ".join(str(v) for v in row)
            for table in tables
            for row in conn.execute(f'SELECT * FROM "{table}"')
        )


def test_an_smtp_refusal_is_kept_for_staff_without_the_address_in_clear(
    any_db: Database, mailbox: Mailbox
) -> None:
    refused = "zq.refused@example.org"
    mailbox.refuse.add(refused)
    with any_db.write() as tx:
        outbox.enqueue(tx, template="payment_link_expired", to=refused, context=sample_context("x"))
    report = sender.flush(any_db, mailbox.config())
    assert report.failed == 1
    with any_db.read() as tx:
        (message,) = tx.scalars(select(OutboxMessage))
        assert message.last_error is not None and "550" in message.last_error  # staff see why
        assert refused in message.last_error
    assert refused not in _everything_stored(any_db)


def test_erasing_an_attendee_takes_their_name_out_of_the_payers_email(
    any_db: Database, mailbox: Mailbox
) -> None:
    sid = make_session(any_db)
    payer = person(1, name="Paula Payer")
    other = person(2, name="Zebedee Quarrington", email="zebedee.q@example.org")
    with any_db.write() as tx:  # the confirmation waits to be rendered; the resend is rendered
        booking = bookings.book_now(tx, sid, [payer, other], Actor("desk", "reception"))
        booking_emails.send_confirmation(tx, booking, resend=True)
    with any_db.read() as tx:
        (rendered,) = [m for m in tx.scalars(select(OutboxMessage)) if m.body_text]
        assert "Zebedee Quarrington" in rendered.body_text  # the confirmation lists everyone

    assert privacy.erase(any_db, "zebedee.q@example.org", CLI) == 1

    with any_db.read() as tx:
        for kept in tx.scalars(select(OutboxMessage)):
            assert kept.recipient == "person1@example.com"
            for part in (kept.subject, kept.body_text, kept.body_html):
                assert "Zebedee" not in part and "zebedee.q@example.org" not in part
    assert sender.flush(any_db, mailbox.config()).sent == 2
    for message in mailbox.messages:
        text = parts(message)["text"]
        assert "Zebedee" not in text and "zebedee.q@example.org" not in text
        assert "Paula Payer" in text and privacy.ERASED in text


def test_erasure_on_sqlite_leaves_no_old_copy_in_the_log_or_free_pages(
    sqlite_db: Database,
) -> None:
    _book(sqlite_db)
    with sqlite_db.read() as tx:  # the start of each ciphertext: random, so unique
        sealed = [
            *tx.execute(
                text("SELECT name, email, phone, special_requirements FROM attendees")
            ).one(),
            *tx.execute(text("SELECT body_text, body_html FROM outbox")).one(),
        ]
    starts = [token[:40] for token in sealed]
    stored = _everything_stored(sqlite_db)
    assert all(start in stored for start in starts)  # the ciphertext really is on disk

    privacy.erase(sqlite_db, SECRET_EMAIL, CLI)

    stored = _everything_stored(sqlite_db)
    assert [start for start in starts if start in stored] == []


def test_migrating_seals_delivery_errors_written_in_clear(sqlite_db: Database) -> None:
    refusal = "{'old@example.org': (550, b'5.1.1 No such user here')}"
    with sqlite_db.write() as tx:
        outbox.enqueue(
            tx, template="payment_link_expired", to="old@example.org", context=sample_context("x")
        )
        tx.scalars(select(OutboxMessage)).one().last_error = refusal
    raw = text("SELECT last_error FROM outbox")
    command.downgrade(alembic_config(sqlite_db), "0009")
    with sqlite_db.read() as tx:
        assert tx.execute(raw).scalar_one() == refusal  # as a database before 0011 held it

    migrate(sqlite_db)

    with sqlite_db.read() as tx:
        assert tx.execute(raw).scalar_one().startswith("v1:")
        assert tx.scalars(select(OutboxMessage)).one().last_error == refusal
