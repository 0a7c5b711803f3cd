"""``rft book`` and ``rft cancel``."""

from __future__ import annotations

import argparse

from core.booking import bookings
from core.booking.attendees import parse_attendee_spec
from core.cli import book_options
from core.cli.context import database, emit_json, positive_int
from core.infra.actor import CLI
from core.infra.errors import NotEnoughSeats
from core.infra.money import gbp


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("book", help="book attendees onto a session")
    p.add_argument("session_id", type=positive_int, metavar="SESSION_ID")
    p.add_argument(
        "--attendee",
        action="append",
        required=True,
        metavar='"First Last <email> YYYY-MM-DD"',
        help="one per person; repeat for a group",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    book_options.add_arguments(p)
    p.set_defaults(func=_book)
    c = sub.add_parser("cancel", help="cancel a booking and free its seats")
    c.add_argument("reference", metavar="REFERENCE")
    c.add_argument("--reason", help="why, for the record")
    c.set_defaults(func=_cancel)


def _book(args: argparse.Namespace) -> int:
    people = [parse_attendee_spec(spec) for spec in args.attendee]
    claims = book_options.claims(args)
    db = database()
    try:
        with db.write() as tx:
            booking = bookings.book_now(tx, args.session_id, people, CLI, claims=claims)
            view = bookings.view_of(tx, booking)
    except NotEnoughSeats as exc:
        return book_options.refuse_with_alternatives(exc, len(people))
    if args.json:
        emit_json(
            {
                "reference": view.reference,
                "status": view.status,
                "session_id": view.session.id,
                "total_pence": view.total_pence,
                "discount_pence": view.discount_pence,
                "subtotal_pence": view.subtotal_pence,
                "unit_price_pence": view.unit_price_pence,
                "attendees": [{"name": a["name"], "email": a["email"]} for a in view.attendees],
            }
        )
    else:
        print(
            f"Booked {view.reference}: {len(view.attendees)} on {view.session.course_name}, "
            f"total {gbp(view.total_pence)}"
            + (f" (group discount {gbp(view.discount_pence)})" if view.discount_pence else "")
        )
    return 0


def _cancel(args: argparse.Namespace) -> int:
    db = database()
    with db.write() as tx:
        booking = bookings.cancel(tx, args.reference, CLI, args.reason)
        ref, seats = booking.reference, booking.seats
    print(f"Cancelled {ref}; {seats} seat{'s' if seats != 1 else ''} released.")
    return 0
