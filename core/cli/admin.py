"""``rft trainers``, ``rft session add|cancel`` and ``rft audit``: scheduling from scripts."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from core.cli.context import DATE_FORMS, database, date_arg, emit_json, positive_int, table
from core.infra.actor import CLI
from core.infra.clock import uk_datetime
from core.journal import audit
from core.scheduling import SessionInput, create_session
from core.scheduling.cancel import cancel_session
from core.seats.availability import get_session
from core.staff import trainers

LONDON = ZoneInfo("Europe/London")


def local_minute(text: str) -> datetime:
    """``YYYY-MM-DDTHH:MM`` in London time; a time the clocks skip in spring is refused."""
    try:
        wall = datetime.strptime(text, "%Y-%m-%dT%H:%M")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a start in the form YYYY-MM-DDTHH:MM"
        ) from None
    there = wall.replace(tzinfo=LONDON).astimezone(UTC).astimezone(LONDON)
    if there.replace(tzinfo=None) != wall:
        raise argparse.ArgumentTypeError(
            f"{text!r} does not happen in London (the clocks go forward); choose another time"
        )
    return wall


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    t = sub.add_parser("trainers", help="trainers, their courses and qualifications")
    t.add_argument("--json", action="store_true", help="machine-readable output")
    t.set_defaults(func=_trainers)

    s = sub.add_parser("session", help="schedule or cancel a session")
    actions = s.add_subparsers(dest="session_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="schedule a session (teaching rules are checked)")
    add.add_argument("--course", required=True, metavar="ID", help="course id, e.g. faw")
    add.add_argument("--venue", required=True, metavar="ID", help="venue id, e.g. leeds")
    add.add_argument(
        "--start",
        required=True,
        type=local_minute,
        metavar="YYYY-MM-DDTHH:MM",
        help="first day's start, London time, any day of the week; a course starting on a "
        "weekday has its further days on the following weekdays",
    )
    add.add_argument(
        "--trainer",
        action="append",
        default=[],
        metavar="EMAIL",
        help="trainer's email; repeat for a second trainer",
    )
    add.add_argument("--room", help="room at the venue (default: its first room)")
    add.add_argument(
        "--capacity",
        type=positive_int,
        default=12,
        metavar="N",
        help="seats, at most 12 (default 12)",
    )
    add.add_argument(
        "--price-pence",
        type=positive_int,
        metavar="PENCE",
        help="price per attendee for this session (default: the course price)",
    )
    add.add_argument(
        "--override",
        metavar="REASON",
        help="go ahead despite broken teaching rules, for this written reason",
    )
    add.add_argument("--json", action="store_true", help="print the session as JSON")
    add.set_defaults(func=_add)
    cancel = actions.add_parser("cancel", help="cancel a session; attendees are emailed")
    cancel.add_argument("session_id", type=positive_int, metavar="ID")
    cancel.add_argument("--reason", required=True, help="why; attendees are told")
    cancel.set_defaults(func=_cancel)

    a = sub.add_parser("audit", help="the audit log of administrative actions")
    a.add_argument("--action", help="action prefix, e.g. session or staff.add")
    a.add_argument("--actor", help="words in the name of who did it")
    a.add_argument(
        "--from", dest="date_from", type=date_arg, metavar="DATE", help=f"first date, {DATE_FORMS}"
    )
    a.add_argument("--to", dest="date_to", type=date_arg, metavar="DATE", help="last date")
    a.add_argument("--csv", type=Path, metavar="FILE", help="write CSV to FILE ('-' for stdout)")
    a.add_argument("--json", action="store_true", help="machine-readable output")
    a.set_defaults(func=_audit)


def _trainers(args: argparse.Namespace) -> int:
    db = database()
    with db.read() as tx:
        found = trainers.list_trainers(tx)
    if args.json:
        emit_json([t.to_json() for t in found])
        return 0
    print(
        table(
            [
                [t.email, t.name, _courses_text(t.courses), "; ".join(t.warnings) or "ok"]
                for t in found
            ],
            ["EMAIL", "NAME", "COURSES", "QUALIFICATION"],
        )
    )
    return 0


def _courses_text(courses: list[str]) -> str:
    return ", ".join(courses) if len(courses) <= 4 else f"{len(courses)} courses"


def _add(args: argparse.Namespace) -> int:
    given = SessionInput(
        course=args.course,
        venue=args.venue,
        room=args.room,
        trainers=args.trainer,
        start=args.start,
        capacity=args.capacity,
        price_pence=args.price_pence,
    )
    db = database()
    with db.write() as tx:
        made = create_session(tx, CLI, given, override=args.override)
        view = get_session(tx, made.id)
    if args.json:
        emit_json(view.to_json())
    else:
        print(
            f"Scheduled session {view.id}: {view.course_name} at {view.venue_name}"
            f"{f' ({view.room})' if view.room else ''}, {uk_datetime(view.start)}"
            f"{f', {view.trainer}' if view.trainer else ''}, {view.capacity} seats."
        )
    return 0


def _cancel(args: argparse.Namespace) -> int:
    db = database()
    with db.write() as tx:
        done = cancel_session(tx, CLI, args.session_id, args.reason)
        told = done.booked
    print(
        f"Cancelled session {args.session_id}"
        + (f"; {told} booked attendee{'s' if told != 1 else ''} will be emailed." if told else ".")
    )
    return 0


def _audit(args: argparse.Namespace) -> int:
    db = database()
    flt = audit.AuditFilter(
        actor=args.actor,
        action=args.action,
        date_from=args.date_from,
        date_to=args.date_to,
        limit=100_000 if args.csv else 500,
    )
    with db.read() as tx:
        found = audit.entries(tx, flt)
        if args.csv:
            text = audit.export_csv(found)
            if str(args.csv) == "-":
                sys.stdout.write(text)
            else:
                args.csv.write_text(text, encoding="utf-8", newline="")
                print(f"Wrote {len(found)} audit entries to {args.csv}.")
            return 0
        rows = [audit.to_json(e) for e in found]
    if args.json:
        emit_json(rows)
        return 0
    print(
        table(
            [
                [
                    r["when"],
                    r["actor"],
                    r["action"],
                    f"{r['entity']} {r['entity_id']}",
                    r["reason"] or "",
                ]
                for r in rows
            ],
            ["WHEN", "WHO", "ACTION", "WHAT", "REASON"],
        )
    )
    return 0
