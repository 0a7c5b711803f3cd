"""``rft sessions``: what is on, with seats."""

from __future__ import annotations

import argparse

from core.availability import SessionFilter, list_sessions
from core.cli.context import database, emit_json, date_arg, table
from core.clock import uk_datetime
from core.money import gbp


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("sessions", help="list scheduled sessions with free seats")
    p.add_argument("--course", help="course id, e.g. faw")
    p.add_argument("--venue", help="venue id, e.g. leeds")
    p.add_argument("--from", dest="date_from", type=date_arg, help="first date (YYYY-MM-DD or DD/MM/YYYY)")
    p.add_argument("--to", dest="date_to", type=date_arg, help="last date (YYYY-MM-DD or DD/MM/YYYY)")
    p.add_argument("--search", help="words to find in course, venue, room or trainer")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    db = database()
    flt = SessionFilter(
        course=args.course,
        venue=args.venue,
        date_from=args.date_from,
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
