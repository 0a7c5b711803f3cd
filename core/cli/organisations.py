"""``rft org add|list|book|compliance`` and ``rft invoice list|pdf|pay``: employers from the
command line (see README.md for the stable JSON keys)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from core.certificates import compliance
from core.cli.context import database, date_arg, emit_json, positive_int, table
from core.infra.actor import CLI
from core.infra.errors import ValidationFailed
from core.infra.money import gbp
from core.invoicing import invoices
from core.orders import bulk
from core.orders.order_csv import parse_csv
from core.organisations import directory
from core.payments import invoice_links
from core.payments.gateway import gateway_for

AMOUNT = re.compile(r"^\d{1,7}(\.\d{1,2})?$")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    org = sub.add_parser("org", help="employers: add, list, bulk-book, compliance")
    actions = org.add_subparsers(dest="org_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add an organisation (employer)")
    add.add_argument("name", metavar="NAME")
    add.add_argument(
        "--contact",
        action="append",
        default=[],
        metavar='"Name <email>"',
        help="books, receives invoices and expiry emails; repeat for more contacts",
    )
    add.add_argument("--po-required", action="store_true", help="every order needs a PO number")
    add.add_argument("--terms-days", type=int, default=30, metavar="N", help="payment terms")
    add.add_argument("--address", default="", help="billing address (lines separated by |)")
    add.add_argument("--vat-number", help="the customer's VAT number")
    add.add_argument("--json", action="store_true", help="machine-readable output")
    add.set_defaults(func=_add)
    lst = actions.add_parser("list", help="organisations with contacts and bookings")
    lst.add_argument("--json", action="store_true", help="machine-readable output")
    lst.set_defaults(func=_list)
    book = actions.add_parser("book", help="book staff from a CSV file, all or nothing")
    book.add_argument("org_id", type=positive_int, metavar="ORG_ID")
    book.add_argument(
        "--csv",
        required=True,
        type=Path,
        metavar="FILE",
        help="columns session, name, email, date_of_birth (header row first)",
    )
    book.add_argument("--po", metavar="TEXT", help="the customer's purchase order number")
    book.add_argument("--json", action="store_true", help="machine-readable output")
    book.set_defaults(func=_book)
    comp = actions.add_parser("compliance", help="who holds which certificate until when")
    comp.add_argument("org_id", type=positive_int, metavar="ORG_ID")
    comp.add_argument("--csv", type=Path, metavar="FILE", help="also write it as CSV")
    comp.add_argument("--json", action="store_true", help="machine-readable output")
    comp.set_defaults(func=_compliance)

    inv = sub.add_parser("invoice", help="invoices and credit notes: list, PDF, record payment")
    inv_actions = inv.add_subparsers(dest="invoice_command", metavar="ACTION", required=True)
    ilist = inv_actions.add_parser("list", help="invoices and credit notes, newest first")
    ilist.add_argument("--org", type=positive_int, metavar="ID", help="one organisation's")
    ilist.add_argument("--overdue", action="store_true", help="only unpaid ones past due")
    ilist.add_argument("--json", action="store_true", help="machine-readable output")
    ilist.set_defaults(func=_invoice_list)
    pdf = inv_actions.add_parser("pdf", help="write an invoice or credit note as PDF")
    pdf.add_argument("number", metavar="NUMBER")
    pdf.add_argument("--out", required=True, type=Path, metavar="FILE")
    pdf.set_defaults(func=_invoice_pdf)
    pay = inv_actions.add_parser("pay", help="record money received against an invoice")
    pay.add_argument("number", metavar="NUMBER")
    pay.add_argument("--amount", required=True, metavar="POUNDS", help="e.g. 540.00")
    pay.add_argument("--reference", required=True, help="the bank or link reference")
    pay.add_argument("--method", default="bank_transfer", choices=invoices.PAYMENT_METHODS)
    pay.add_argument(
        "--received", type=date_arg, metavar="DATE", help="today or earlier; default today"
    )
    pay.set_defaults(func=_invoice_pay)
    link = inv_actions.add_parser(
        "link", help="a card payment link for what is owed, emailed to the invoice contact"
    )
    link.add_argument("number", metavar="NUMBER")
    link.add_argument("--json", action="store_true", help="machine-readable output")
    link.set_defaults(func=_invoice_link)


def _add(args: argparse.Namespace) -> int:
    contacts = [directory.parse_contact(spec) for spec in args.contact]
    data = directory.validate(
        {
            "name": args.name,
            "billing_address": "\n".join(p.strip() for p in args.address.split("|") if p.strip()),
            "po_required": args.po_required,
            "terms_days": args.terms_days,
            "vat_number": args.vat_number,
            "contacts": [c.model_dump() for c in contacts],
        }
    )
    db = database()
    with db.write() as tx:
        view = directory.org_json(directory.add_organisation(tx, data, CLI))
    if args.json:
        emit_json(view)
    else:
        print(f"Added organisation {view['id']}: {view['name']}.")
    return 0


def _list(args: argparse.Namespace) -> int:
    db = database()
    with db.read() as tx:
        found = directory.list_organisations(tx)
    if args.json:
        emit_json(found)
        return 0
    if not found:
        print("No organisations yet.")
        return 0
    rows = [
        [
            str(o["id"]),
            o["name"],
            ", ".join(c["name"] for c in o["contacts"]) or "-",
            "yes" if o["po_required"] else "no",
            f"{o['terms_days']} days",
            str(o["bookings"]),
        ]
        for o in found
    ]
    print(table(rows, ["Id", "Name", "Contacts", "PO needed", "Terms", "Bookings"]))
    return 0


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValidationFailed(f"Cannot read {path}: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise ValidationFailed(f"{path} is not a UTF-8 text (CSV) file.") from None


def _book(args: argparse.Namespace) -> int:
    rows, not_read = parse_csv(_read_text(args.csv))
    db = database()
    with db.write() as tx:
        order = bulk.start_order(tx, db.settings, args.org_id, rows, args.po, CLI)
        booked, invoice = bulk.confirm_order(tx, db.settings, order.id, CLI)
        references = [b.reference for b in booked]
        result: dict[str, object] = {
            "order": order.id,
            "references": references,
            "invoice": invoice.number,
            "seats": sum(b.seats for b in booked),
            "gross_pence": invoice.gross_pence,
            "vat_pence": invoice.vat_pence,
            "net_pence": invoice.net_pence,
            "not_read": not_read,
        }
    if args.json:
        emit_json(result)
    else:
        print(
            f"Booked {result['seats']} places in {len(booked)} booking"
            f"{'s' if len(booked) != 1 else ''}: {', '.join(references)}."
        )
        print(f"Invoice {invoice.number}: {gbp(invoice.gross_pence)}.")
        if not_read:
            print(f"Not read (a booking has no place for them): {', '.join(not_read)}.")
    return 0


def _compliance(args: argparse.Namespace) -> int:
    db = database()
    with db.read() as tx:
        found = compliance.holdings(tx, args.org_id)
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        args.csv.write_text(compliance.to_csv(found), encoding="utf-8")
    if args.json:
        emit_json([h.to_json() for h in found])
        return 0
    if not found:
        print("No certificates held yet.")
        return 0
    rows = [[h.attendee, h.course, h.expires or "none", h.status, h.next] for h in found]
    print(table(rows, ["Attendee", "Course", "Expires", "Status", "Book next"]))
    return 0


def _invoice_list(args: argparse.Namespace) -> int:
    db = database()
    with db.read() as tx:
        found = invoices.list_invoices(tx, args.org, args.overdue)
    if args.json:
        emit_json(found)
        return 0
    if not found:
        print("No invoices found.")
        return 0
    rows = [
        [
            i["number"],
            i["org"],
            i["issued"],
            i["due"],
            gbp(i["gross_pence"]),
            gbp(i["paid_pence"]),
            i["status"],
        ]
        for i in found
    ]
    print(table(rows, ["Number", "Organisation", "Issued", "Due", "Gross", "Paid", "Status"]))
    return 0


def _invoice_pdf(args: argparse.Namespace) -> int:
    db = database()
    with db.read() as tx:
        data = invoices.pdf_for(tx, invoices.find(tx, args.number))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"Wrote {args.out} ({len(data) // 1024 + 1} KB).")
    return 0


def pence(text: str) -> int:
    """``540``, ``540.5`` or ``540.50`` pounds as pence; anything else is refused."""
    cleaned = text.strip().removeprefix("£")
    if not AMOUNT.match(cleaned) or not cleaned.strip("0."):
        raise ValidationFailed(
            f"{text!r} is not an amount in pounds and pence (e.g. 540.00); it must be "
            "more than 0 with at most two decimals."
        )
    whole, _, frac = cleaned.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def _invoice_pay(args: argparse.Namespace) -> int:
    amount = pence(args.amount)
    db = database()
    with db.write() as tx:
        found = invoices.record_payment(
            tx,
            args.number,
            amount,
            CLI,
            method=args.method,
            reference=args.reference,
            received_on=args.received,
        )
        view = invoices.invoice_json(tx, found)
    print(f"Recorded {gbp(amount)} on {view['number']}; now {view['status']}.")
    return 0


def _invoice_link(args: argparse.Namespace) -> int:
    db = database()
    found = invoice_links.create(db, gateway_for(db.settings), args.number, CLI)
    if args.json:
        emit_json(found)
        return 0
    if found["status"] == "paid":
        print(
            f"The link for {found['number']} has been paid; {gbp(found['outstanding_pence'])} "
            "still owed."
        )
        return 0
    print(f"Pay {gbp(found['amount_pence'])} on {found['number']} at {found['url']}")
    print(f"(emailed to the invoice contact; open until {found['expires_at']})")
    return 0
