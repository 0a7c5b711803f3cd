"""``rft sessions``: what is on, with seats."""

from __future__ import annotations

import argparse
from datetime import date

from core.cli.context import DATE_FORMS, database, date_arg, emit_json, table
from core.infra.clock import today_london, uk_datetime
from core.infra.money import gbp
from core.seats.availability import SessionFilter, list_sessions


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("sessions", help="list scheduled sessions with free seats")
    p.add_argument("--course", help="course id, e.g. faw")
    p.add_argument("--venue", help="venue id, e.g. leeds")
    p.add_argument(
        "--from",
        dest="date_from",
        type=date_arg,
        metavar="DATE",
        help=f"first date, {DATE_FORMS} (default: today)",
    )
    p.add_argument("--to", dest="date_to", type=date_arg, metavar="DATE", help="last date")
    p.add_argument("--all", action="store_true", help="every session, past ones too")
    p.add_argument("--search", help="words to find in course, venue, room or trainer")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_run)


def _first_day(args: argparse.Namespace) -> date | None:
    """``--from``, else today: what is on from now (``--all`` or an earlier ``--to``: no limit)."""
    if args.date_from is not None or args.all:
        return args.date_from  # type: ignore[no-any-return]
    today = today_london()
    return None if args.date_to is not None and args.date_to < today else today


def _run(args: argparse.Namespace) -> int:
    db = database()
    flt = SessionFilter(
        course=args.course,
        venue=args.venue,
        date_from=_first_day(args),
        date_to=args.date_to,
        search=args.search,
    )
    with db.read() as tx:
        found = list_sessions(tx, flt)
    if args.json:
        emit_json([s.to_json() for s in found])
        return 0
    print(
        table(
            [
                [
                    str(s.id),
                    uk_datetime(s.start),
                    s.course_name,
                    s.venue_name,
                    s.trainer or "-",
                    gbp(s.price_pence),
                    f"{s.free}/{s.capacity}",
                    s.status,
                ]
                for s in found
            ],
            ["ID", "START", "COURSE", "VENUE", "TRAINER", "PRICE", "FREE", "STATUS"],
        )
    )
    return 0
