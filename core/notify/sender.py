"""Deliver the outbox over SMTP: retry with exponential backoff, each message at most once.

A message is claimed (pending → sending), rendered if it was queued unrendered
(``core.notify.outbox.enqueue_unrendered``), and committed before the SMTP conversation starts,
and marked sent as soon as the server accepts it. A failure before the message text was
handed over puts it back to pending with a later attempt time; a failure while handing it
over (the server may or may not have it) marks it ``unconfirmed`` and it is never resent
automatically. A claim left behind by a killed sender becomes ``unconfirmed`` too.

Entry points: ``flush`` (one delivery pass), ``run_once`` (reminders, then one pass: what
the desktop calls on a timer and ``rft outbox flush`` runs) and ``run_sender_forever`` (a
loop for a thread inside ``rft server``).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from sqlalchemy import delete, select, update

from core.infra.clock import now
from core.infra.config import Settings
from core.infra.db import Database
from core.infra.errors import ConfigError
from core.infra.secrets import read_secret
from core.models import OutboxMessage
from core.notify.booking_emails import render_queued
from core.notify.outbox import decode_attachments
from core.notify.reminders import enqueue_due_reminders

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(minutes=30)
GIVE_UP_AFTER = timedelta(days=3)
STALE_CLAIM = timedelta(minutes=15)
KEEP_SENT = timedelta(days=30)
LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str | None
    password: str | None = field(repr=False)
    mail_from: str
    timeout_s: float = 30.0


def check_smtp(settings: Settings) -> SmtpConfig:
    """Validate the SMTP settings at start-up; the error names the variable to fix."""
    host = (settings.smtp_host or "").strip()
    if not host:
        raise ConfigError(
            "SMTP_HOST is not set, so no email can be sent. Set SMTP_HOST (and SMTP_PORT, "
            "SMTP_USER, SMTP_PASS) to your mail provider's SMTP server."
        )
    if any(c.isspace() for c in host) or "/" in host or ":" in host:
        raise ConfigError(f"SMTP_HOST must be a host name such as smtp.example.com, not {host!r}.")
    password = settings.smtp_pass or read_secret("SMTP_PASS")
    if settings.smtp_user and not password:
        raise ConfigError(
            f"SMTP_PASS is not set (neither in the environment nor in the keyring), but "
            f"SMTP_USER is {settings.smtp_user!r}. Set SMTP_PASS or store it in the keyring."
        )
    if password and not settings.smtp_user:
        raise ConfigError("SMTP_USER is not set, but SMTP_PASS is. Set both, or neither.")
    if "@" not in parseaddr(settings.mail_from)[1]:
        raise ConfigError(f"MAIL_FROM must be an email address, not {settings.mail_from!r}.")
    return SmtpConfig(host, settings.smtp_port, settings.smtp_user, password, settings.mail_from)


def verify_smtp(config: SmtpConfig) -> None:
    """Connect and sign in once, so a wrong host or password is reported at start-up."""
    try:
        with _connect(config):
            return
    except smtplib.SMTPAuthenticationError:
        raise ConfigError(
            f"The mail server {config.host} rejected SMTP_USER {config.user!r} with this "
            "SMTP_PASS. Check both."
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise ConfigError(
            f"Cannot reach the mail server at SMTP_HOST={config.host} SMTP_PORT={config.port}: "
            f"{exc}."
        ) from None


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    context = ssl.create_default_context()
    conn: smtplib.SMTP
    if config.port == 465:
        conn = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout_s, context=context)
    else:
        conn = smtplib.SMTP(config.host, config.port, timeout=config.timeout_s)
    try:
        conn.ehlo()
        if config.port != 465 and conn.has_extn("starttls"):
            conn.starttls(context=context)
            conn.ehlo()
        elif config.port != 465 and config.user and config.host not in LOOPBACK:
            raise smtplib.SMTPNotSupportedError(
                f"{config.host} does not offer STARTTLS, so SMTP_PASS would travel unencrypted; "
                "use port 465 or a server that supports STARTTLS."
            )
        if config.user:
            conn.login(config.user, config.password or "")
    except BaseException:
        conn.close()
        raise
    return conn


def build_message(row: OutboxMessage, mail_from: str, at: datetime) -> EmailMessage:
    """The MIME message: text and HTML alternatives, then any attachments."""
    msg = EmailMessage()
    msg["From"] = mail_from
    msg["To"] = row.recipient
    msg["Subject"] = row.subject
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = row.message_id
    msg.set_content(row.body_text)
    msg.add_alternative(row.body_html, subtype="html")
    for item in decode_attachments(row.attachments):
        maintype, _, subtype = item.content_type.partition(";")[0].strip().partition("/")
        msg.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=item.filename)
    return msg


class _Uncertain(Exception):
    """The connection failed while the message was being handed over."""


def _deliver(conn: smtplib.SMTP, msg: EmailMessage, sender: str, recipient: str) -> None:
    code, reply = conn.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = conn.rcpt(recipient)
    if code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    try:
        code, reply = conn.data(msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
    except smtplib.SMTPDataError:
        raise  # the server answered "no": definitely not sent
    except OSError as exc:  # includes a disconnect while the message was going over
        raise _Uncertain(str(exc)) from exc
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


def _permanent(exc: Exception) -> bool:
    """A 5xx refusal for this message (not the server being unwell) will never succeed."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return 500 <= exc.smtp_code < 600
    return False


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16 minutes, then every 30 minutes."""
    delay: timedelta = FIRST_RETRY * 2 ** max(0, attempts - 1)
    return min(delay, MAX_RETRY)


@dataclass
class FlushReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    unconfirmed: int = 0
    errors: list[str] = field(default_factory=list)


def _mark_stale_claims(db: Database, at: datetime) -> int:
    with db.write() as tx:
        result = tx.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "sending", OutboxMessage.claimed_at < at - STALE_CLAIM)
            .values(
                status="unconfirmed",
                last_error="The sender stopped while handing this message over; it may or "
                "may not have been delivered, so it is not resent automatically.",
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _claim(db: Database, message_id: int, at: datetime) -> OutboxMessage | None:
    with db.write() as tx:
        claimed = tx.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending")
            .values(status="sending", claimed_at=at, attempts=OutboxMessage.attempts + 1)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None  # another sender took it
        row = tx.get_one(OutboxMessage, message_id)
        if row.render_booking_id is None:
            return row
        try:
            with tx.begin_nested():
                render_queued(tx, row)
        except Exception as exc:  # one that cannot be rendered must not hold up the rest
            log.exception("outbox message %d could not be rendered", message_id)
            row.status, row.last_error = "failed", f"could not be rendered: {exc}"[:2000]
            return None
        return row


def _finish(db: Database, message_id: int, **values: object) -> None:
    with db.write() as tx:
        tx.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))


def flush(
    db: Database, config: SmtpConfig | None = None, *, at: datetime | None = None, limit: int = 100
) -> FlushReport:
    """One delivery pass over messages that are due. Stops early if the server is unreachable."""
    config = config or check_smtp(db.settings)
    at = at or now()
    report = FlushReport(unconfirmed=_mark_stale_claims(db, at))
    with db.read() as tx:
        due = list(
            tx.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= at)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
            )
        )
    conn: smtplib.SMTP | None = None
    try:
        for message_id in due:
            row = _claim(db, message_id, at)
            if row is None:
                continue
            reached = conn is not None
            try:
                if conn is None:
                    conn = _connect(config)
                    reached = True
                _deliver(
                    conn,
                    build_message(row, config.mail_from, at),
                    config.mail_from,
                    parseaddr(row.recipient)[1],
                )
            except _Uncertain as exc:
                if conn is not None:
                    conn.close()
                conn = None
                report.unconfirmed += 1
                _finish(db, row.id, status="unconfirmed", last_error=f"outcome unknown: {exc}")
            except OSError as exc:  # smtplib's errors are OSErrors too
                if conn is not None:
                    _close(conn)
                conn = None
                report.errors.append(f"{row.id}: {exc}")
                if _permanent(exc) or at - row.created_at > GIVE_UP_AFTER:
                    report.failed += 1
                    _finish(db, row.id, status="failed", last_error=str(exc)[:2000])
                    continue
                report.retrying += 1
                _finish(
                    db,
                    row.id,
                    status="pending",
                    last_error=str(exc)[:2000],
                    next_attempt_at=at + backoff(row.attempts),
                )
                if not reached:
                    break  # server unreachable or refusing us: the rest wait for the next pass
            else:
                report.sent += 1
                _finish(db, row.id, status="sent", sent_at=now(), last_error=None)
    finally:
        if conn is not None:
            _close(conn)
    return report


def _close(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except (OSError, smtplib.SMTPException):
        conn.close()


def run_once(
    db: Database, config: SmtpConfig | None = None, *, at: datetime | None = None
) -> FlushReport:
    """Queue due 48-hour reminders, then deliver: the desktop's timer and ``rft outbox flush``."""
    enqueue_due_reminders(db, at=at)
    report = flush(db, config, at=at)
    prune_sent(db, at=at)
    return report


def prune_sent(db: Database, *, at: datetime | None = None) -> int:
    """Delete delivered messages after 30 days: they hold personal data we no longer need.

    Rows with a ``dedupe_key`` are kept (they are what stops a reminder going twice)."""
    at = at or now()
    with db.read() as tx:
        old = tx.scalar(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == "sent",
                OutboxMessage.sent_at < at - KEEP_SENT,
                OutboxMessage.dedupe_key.is_(None),
            )
            .limit(1)
        )
    if old is None:
        return 0
    with db.write() as tx:
        result = tx.execute(
            delete(OutboxMessage).where(
                OutboxMessage.status == "sent",
                OutboxMessage.sent_at < at - KEEP_SENT,
                OutboxMessage.dedupe_key.is_(None),
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def run_sender_forever(
    db: Database,
    stop_event: threading.Event,
    *,
    interval_s: float = 15.0,
    config: SmtpConfig | None = None,
) -> None:
    """Deliver until ``stop_event`` is set (run it in a thread; errors are logged, not fatal)."""
    config = config or check_smtp(db.settings)
    while not stop_event.is_set():
        try:
            report = run_once(db, config)
            if report.errors:
                log.warning("email: %d waiting to retry: %s", report.retrying, report.errors[0])
        except Exception:
            log.exception("email sender pass failed; trying again in %.0f s", interval_s)
        stop_event.wait(interval_s)
