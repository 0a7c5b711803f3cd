"""``rft certificates`` (list, e.g. those expiring soon) and ``rft certificate pdf|remind``."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from core.certificates import issuing as certificates
from core.certificates.pdf import pdf_for
from core.cli.context import database, date_arg, emit_json, table
from core.infra.clock import uk_date


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("certificates", help="list issued certificates")
    p.add_argument(
        "--expiring-before", type=date_arg, metavar="DATE", help="only those expiring before DATE"
    )
    p.add_argument(
        "--all", action="store_true", help="on a terminal, list every one (default: a screenful)"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_list)
    one = sub.add_parser("certificate", help="one certificate: its PDF; renewal reminders")
    actions = one.add_subparsers(dest="certificate_command", metavar="ACTION", required=True)
    pdf = actions.add_parser("pdf", help="write a certificate's PDF to a file")
    pdf.add_argument("number", metavar="NUMBER")
    pdf.add_argument("--out", required=True, type=Path, metavar="FILE")
    pdf.set_defaults(func=_pdf)
    remind = actions.add_parser("remind", help="send renewal reminders now due (90 and 30 days)")
    remind.set_defaults(func=_remind)


def _list(args: argparse.Namespace) -> int:
    db = database()
    with db.read() as tx:
        found = certificates.list_certificates(tx, args.expiring_before)
    if args.json:
        emit_json([c.to_json() for c in found])
        return 0
    if not found:
        print("No certificates found.")
        return 0
    rows = [
        [
            c.number,
            c.attendee,
            c.course,
            c.venue,
            uk_date(c.issued),
            uk_date(c.expires) if c.expires else "no expiry",
        ]
        for c in found
    ]
    shown = rows if args.all or not sys.stdout.isatty() else rows[: screenful()]
    print(table(shown, ["Number", "Attendee", "Course", "Venue", "Issued", "Expires"]))
    if len(shown) < len(rows):
        more = len(rows) - len(shown)
        print(
            f"… and {more} more certificate{'s' if more != 1 else ''}: "
            "add --all to list them all, or --expiring-before DATE to narrow the list."
        )
    return 0


def screenful() -> int:
    """Table rows that fit the terminal beside the heading and the "more" line."""
    return max(10, shutil.get_terminal_size().lines - 4)


def _pdf(args: argparse.Namespace) -> int:
    db = database()
    with db.read() as tx:
        data = pdf_for(tx, certificates.find(tx, args.number))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"Wrote {args.out} ({len(data) // 1024 + 1} KB).")
    return 0


def _remind(args: argparse.Namespace) -> int:
    from core.certificates.compliance import send_organisation_reminders
    from core.certificates.mail import send_due_reminders

    db = database()
    with db.write() as tx:
        sent = send_due_reminders(tx)
        employers = send_organisation_reminders(tx)
    print(f"Queued {sent} renewal reminder{'s' if sent != 1 else ''}", end="")
    print(f" and {employers} to employers." if employers else ".")
    return 0
