"""``rft waitlist add|list|accept|decline`` and ``rft alternatives``."""

from __future__ import annotations

import argparse

from core.booking.alternatives import alternatives
from core.booking.attendees import parse_attendee_spec
from core.booking.waitlist import entries
from core.cli.context import database, date_arg, emit_json, positive_int, table
from core.infra.actor import CLI
from core.infra.clock import uk_datetime
from core.infra.errors import ValidationFailed


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    w = sub.add_parser("waitlist", help="a full session's waiting list")
    wsub = w.add_subparsers(dest="waitlist_command", metavar="ACTION", required=True)
    add = wsub.add_parser("add", help="put a person or group on a session's waiting list")
    add.add_argument("session_id", type=positive_int, metavar="SESSION_ID")
    add.add_argument("--seats", type=positive_int, required=True, help="seats wanted (1-12)")
    add.add_argument("--contact", required=True, metavar='"Name <email>"', help="who to offer")
    add.add_argument(
        "--before",
        type=date_arg,
        metavar="DATE",
        help="flexible: any session of this course (at --venue) starting before DATE",
    )
    add.add_argument(
        "--venue",
        action="append",
        default=[],
        metavar="VENUE_ID",
        help="with --before: a venue the sessions may be at (repeat; default the session's)",
    )
    add.add_argument(
        "--auto-enrol",
        action="store_true",
        help="they agreed to pay by link: book them automatically (one --attendee per seat)",
    )
    add.add_argument(
        "--attendee",
        action="append",
        default=[],
        metavar='"First Last <email> YYYY-MM-DD"',
        help="with --auto-enrol: who to book; repeat for each seat",
    )
    add.add_argument("--json", action="store_true", help="machine-readable output")
    add.set_defaults(func=_add)
    ls = wsub.add_parser("list", help="who is waiting for a session, in order")
    ls.add_argument("session_id", type=positive_int, metavar="SESSION_ID")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(func=_list)
    for name, handler, text in (
        ("accept", _accept, "take up an offer (the seats stay held for the booking)"),
        ("decline", _decline, "turn an offer down or leave the list"),
    ):
        p = wsub.add_parser(name, help=text)
        p.add_argument("entry_id", type=positive_int, metavar="ID")
        p.set_defaults(func=handler)
    a = sub.add_parser("alternatives", help="other dates and nearby venues with free seats")
    a.add_argument("session_id", type=positive_int, metavar="SESSION_ID")
    a.add_argument("--seats", type=positive_int, required=True, help="seats wanted (1-12)")
    a.add_argument("--before", type=date_arg, help="only sessions starting before this date")
    a.add_argument("--json", action="store_true", help="machine-readable output")
    a.set_defaults(func=_alternatives)


def _add(args: argparse.Namespace) -> int:
    contact = entries.Contact.parse(args.contact)
    if args.attendee and not args.auto_enrol:
        raise ValidationFailed("--attendee is for --auto-enrol; add --auto-enrol or leave it out.")
    db = database()
    if args.auto_enrol:
        entries.check_links(db.settings)
    people = [parse_attendee_spec(a) for a in args.attendee] if args.auto_enrol else None
    wish = entries.Wish(before=args.before, venues=args.venue, enrol=people)
    with db.write() as tx:
        entry = entries.add(tx, args.session_id, args.seats, contact, CLI, wish)
    if args.json:
        emit_json({"id": entry.id, "position": entry.position, "status": entry.status})
    elif entry.status == "offered":
        print(f"Waiting-list entry {entry.id}: seats were free and have been offered at once.")
    else:
        print(
            f"Waiting-list entry {entry.id}: position {entry.position}"
            + (f", any session before {entry.before:%d/%m/%Y}" if entry.before else "")
            + ("; booked automatically, paid by link" if entry.auto_enrol else "")
            + "."
        )
    return 0


def _list(args: argparse.Namespace) -> int:
    with database().read() as tx:
        found = entries.list_entries(tx, args.session_id)
    if args.json:
        emit_json([e.to_json() for e in found])
        return 0
    print(
        table(
            [
                [
                    str(e.id),
                    str(e.seats),
                    str(e.position or "-"),
                    e.status,
                    uk_datetime(e.offer_expires) if e.offer_expires else "-",
                    e.contact_name,
                ]
                for e in found
            ],
            ["ID", "SEATS", "POSITION", "STATUS", "OFFER EXPIRES", "CONTACT"],
        )
    )
    return 0


def _accept(args: argparse.Namespace) -> int:
    with database().write() as tx:
        entry = entries.accept(tx, args.entry_id, CLI)
    print(
        f"Offer {entry.id} accepted: {entry.seats} seat{'s' if entry.seats != 1 else ''} held "
        f"until {uk_datetime(entry.offer_expires) if entry.offer_expires else '-'} "
        f"(hold {entry.hold_id}); book them with that hold."
    )
    return 0


def _decline(args: argparse.Namespace) -> int:
    with database().write() as tx:
        entry = entries.decline(tx, args.entry_id, CLI)
    print(f"Waiting-list entry {entry.id} declined; any held seats went to the next in line.")
    return 0


def _alternatives(args: argparse.Namespace) -> int:
    with database().read() as tx:
        found = alternatives(tx, args.session_id, args.seats, args.before)
    if args.json:
        emit_json([a.to_json() for a in found])
        return 0
    if not found:
        print("No other session of this course has room for that many seats.")
        return 0
    print(
        table(
            [
                [str(a.id), a.venue_name, uk_datetime(a.start), str(a.free), f"{a.distance_km:g}"]
                for a in found
            ],
            ["ID", "VENUE", "START", "FREE", "KM"],
        )
    )
    return 0
