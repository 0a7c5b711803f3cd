"""``rft email preview``, ``rft outbox flush|list|retry``, ``rft payments poll|check|extend``."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update

from core.cli.context import database, emit_json, positive_int, table
from core.infra.actor import CLI
from core.infra.clock import now, uk_datetime
from core.infra.config import load_settings
from core.infra.errors import ConfigError, NotFound, ValidationFailed
from core.models import OutboxMessage
from core.models.statuses import SessionStatus
from core.notify.invites import session_invite
from core.notify.outbox import Attachment, encode_attachments
from core.notify.render import render, template_names
from core.notify.samples import sample_context
from core.notify.sender import build_message, check_smtp, run_once, verify_smtp
from core.payments.deadline import extend
from core.payments.gateway import check_stripe, gateway_for
from core.payments.jobs import STEPS, run_payments_once, step_states
from core.seats.availability import SessionView

STEP_UNITS = {
    "events": "Stripe events applied",
    "recovery": "open payments checked",
    "refunds": "refunds sent",
    "links": "links past expiry closed",
    "deadlines": "unpaid bookings released",
    "invoice_links": "invoice links past expiry checked",
    "waitlist_links": "automatic waiting-list bookings sent a payment link",
}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    email = sub.add_parser("email", help="email templates").add_subparsers(
        dest="email_command", metavar="ACTION", required=True
    )
    p = email.add_parser("preview", help="render a template with sample data")
    p.add_argument("template", metavar="TEMPLATE", help=", ".join(template_names()))
    p.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="FILE",
        help="where to write: .html, .txt, or .eml for the whole message with attachments",
    )
    p.set_defaults(func=_preview)
    c = email.add_parser("check", help="check the SMTP settings and sign in once")
    c.set_defaults(func=_check_smtp)

    outbox = sub.add_parser("outbox", help="outgoing email").add_subparsers(
        dest="outbox_command", metavar="ACTION", required=True
    )
    f = outbox.add_parser("flush", help="queue due reminders and send what is due, once")
    f.set_defaults(func=_flush)
    ls = outbox.add_parser("list", help="recent outgoing email and its status")
    ls.add_argument("--status", choices=("pending", "sending", "sent", "failed", "unconfirmed"))
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(func=_list)
    r = outbox.add_parser("retry", help="send a failed or unconfirmed message again")
    r.add_argument("message_id", type=positive_int, metavar="ID")
    r.set_defaults(func=_retry)

    pay = sub.add_parser("payments", help="Stripe payments").add_subparsers(
        dest="payments_command", metavar="ACTION", required=True
    )
    poll = pay.add_parser("poll", help="apply Stripe events, finish sagas, expire links, once")
    poll.set_defaults(func=_poll)
    chk = pay.add_parser(
        "check", help="check the Stripe settings against Stripe and each step of the last pass"
    )
    chk.set_defaults(func=_check_stripe)
    ext = pay.add_parser("extend", help="give an unpaid booking more time to pay")
    ext.add_argument("reference", metavar="REFERENCE")
    ext.add_argument(
        "--minutes", type=positive_int, required=True, metavar="N", help="how much more time"
    )
    ext.set_defaults(func=_extend)


def _sample_invite() -> Attachment:
    ctx = sample_context("booking_confirmation")
    days = [(d["start"], d["end"]) for d in ctx["days"]]
    view = SessionView(
        id=42,
        course="faw",
        course_name=ctx["course_name"],
        venue="leeds",
        venue_name=ctx["venue_name"],
        room=ctx["room"],
        trainer=None,
        trainer_email=None,
        start=days[0][0],
        end=days[-1][1],
        days=days,
        capacity=12,
        booked=3,
        held=0,
        status=SessionStatus.SCHEDULED,
        price_pence=19500,
        colour="#b3122e",
        version=1,
    )
    data = session_invite(view, reference=ctx["reference"], location=ctx["venue_address"])
    return Attachment(f"{ctx['reference']}.ics", "text/calendar; charset=utf-8", data)


def _preview(args: argparse.Namespace) -> int:
    if args.template not in template_names():
        raise ValidationFailed(
            f"There is no email template called {args.template!r}; "
            f"choose from {', '.join(template_names())}."
        )
    rendered = render(args.template, sample_context(args.template))
    out: Path = args.out
    suffix = out.suffix.lower()
    if suffix in (".html", ".htm"):
        out.write_text(rendered.html, encoding="utf-8")
    elif suffix == ".txt":
        out.write_text(f"Subject: {rendered.subject}\n\n{rendered.text}", encoding="utf-8")
    elif suffix == ".eml":
        attachments = [_sample_invite()] if args.template == "booking_confirmation" else []
        row = OutboxMessage(
            recipient="Jo Bloggs <jo.bloggs@example.com>",
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
            attachments=encode_attachments(attachments),
            message_id="<preview@rft-training.co.uk>",
        )
        out.write_bytes(build_message(row, load_settings().mail_from, now()).as_bytes())
    else:
        raise ValidationFailed("--out must end in .html, .txt or .eml.")
    print(f"Wrote {args.template} ({rendered.subject!r}) to {out}")
    return 0


def _check_smtp(args: argparse.Namespace) -> int:
    config = check_smtp(load_settings())
    verify_smtp(config)
    print(f"SMTP is fine: signed in to {config.host}:{config.port}.")
    return 0


def _flush(args: argparse.Namespace) -> int:
    report = run_once(database())
    print(
        f"Sent {report.sent}; {report.retrying} waiting to retry; {report.failed} failed; "
        f"{report.unconfirmed} unconfirmed."
    )
    for error in report.errors[:5]:
        print(f"  {error}")
    return 0 if not report.failed else 1


def _list(args: argparse.Namespace) -> int:
    db = database()
    with db.read() as tx:
        stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(50)
        if args.status:
            stmt = stmt.where(OutboxMessage.status == args.status)
        rows = [
            {
                "id": m.id,
                "template": m.template,
                "to": m.recipient,
                "status": m.status,
                "attempts": m.attempts,
                "created_at": m.created_at.isoformat(),
                "sent_at": m.sent_at.isoformat() if m.sent_at else None,
                "last_error": m.last_error,
            }
            for m in tx.scalars(stmt)
        ]
    if args.json:
        emit_json(rows)
        return 0
    print(
        table(
            [
                [
                    str(m["id"]),
                    str(m["template"]),
                    str(m["to"]),
                    str(m["status"]),
                    str(m["attempts"]),
                    uk_datetime(datetime.fromisoformat(str(m["created_at"]))),
                ]
                for m in rows
            ],
            ["ID", "TEMPLATE", "TO", "STATUS", "TRIES", "QUEUED"],
        )
    )
    return 0


def _retry(args: argparse.Namespace) -> int:
    db = database()
    with db.write() as tx:
        done = tx.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == args.message_id,
                OutboxMessage.status.in_(("failed", "unconfirmed")),
            )
            .values(status="pending", next_attempt_at=now(), last_error=None)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFound(f"No failed or unconfirmed message number {args.message_id}.")
    print(f"Message {args.message_id} will be sent on the next flush.")
    return 0


def _poll(args: argparse.Namespace) -> int:
    db = database()
    result = run_payments_once(db, gateway_for(db.settings))
    for name in STEPS:
        if name in result.errors:
            print(f"{name}: FAILED: {result.errors[name]}")
        else:
            print(f"{name}: {result.counts[name]} {STEP_UNITS[name]}")
    return 0 if result.ok else 1


def _check_stripe(args: argparse.Namespace) -> int:
    db = database()
    problems = []
    try:
        check_stripe(db.settings, verify=True)
        print("Stripe settings are fine.")
    except ConfigError as exc:
        problems.append(exc.message)
        print(f"Stripe settings: {exc.message}")
    states = step_states(db)
    for name in STEPS:
        state = states.get(name)
        if state is None:
            print(f"{name}: has not run yet")
        elif state["ok"]:
            print(f"{name}: ok (last run {state['at']})")
        else:
            problems.append(name)
            print(f"{name}: FAILING since its last run {state['at']}: {state['error']}")
    return 1 if problems else 0


def _extend(args: argparse.Namespace) -> int:
    result = extend(database(), args.reference, args.minutes, CLI)
    print(f"{result['reference']} may now be paid until {result['pay_by']} (UTC).")
    return 0
