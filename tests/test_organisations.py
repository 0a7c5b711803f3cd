"""Employers through the service API on real SQLite and PostgreSQL: organisations, a bulk
order held then confirmed all or nothing, VAT invoices, credit notes, payments, compliance."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from core.api import Call, dispatch
from core.booking import bookings
from core.booking.eligibility import NotEligible
from core.infra.actor import Actor
from core.infra.clock import now, today_london
from core.infra.db import Database
from core.infra.errors import DomainError, Forbidden, HoldExpired, NotEnoughSeats, ValidationFailed
from core.invoicing import vat
from core.models import Booking, SeatHold
from core.models.organisations import Invoice
from core.models.payments import OutboxMessage
from core.notify.outbox import decode_attachments
from tests.factories import make_session

DESK = Actor("Front Desk", "reception", "desk", None)
TRAINER = Actor("Sarah Holt", "trainer", "desk", None)


def call(db: Database, name: str, params: dict[str, Any] | None = None, who: Actor = DESK) -> Any:
    return dispatch(Call(db, who), name, params or {})


def registered(db: Database) -> Database:
    db.settings = db.settings.with_overrides(vat_number="GB 123 4567 89")
    return db


def acme(db: Database, **extra: Any) -> int:
    org = call(
        db,
        "organisations.add",
        {
            "name": "Acme Logistics Ltd",
            "billing_address": "Unit 4, Aire Park\nLeeds LS10 1AB",
            "terms_days": 30,
            "contacts": [
                {"name": "Priya Shah", "email": "priya@acme.example", "roles": ["booking"]},
                {"name": "Accounts", "email": "accounts@acme.example", "roles": ["invoice"]},
                {"name": "Health Safety", "email": "hs@acme.example", "roles": ["expiry"]},
            ],
        }
        | extra,
    )
    return int(org["id"])


def row(session: int, n: int) -> dict[str, Any]:
    return {
        "session": session,
        "name": f"Staff Member{n}",
        "email": f"staff{n}@acme.example",
        "date_of_birth": "1988-03-0" + str(1 + n % 9),
    }


def seats(db: Database, sid: int) -> dict[str, int]:
    found = call(db, "sessions.get", {"id": sid})
    return {"booked": found["booked"], "held": found["held"]}


def outbox(db: Database, template: str) -> list[OutboxMessage]:
    with db.read() as tx:
        return list(tx.scalars(select(OutboxMessage).where(OutboxMessage.template == template)))


def test_bulk_order_holds_every_seat_then_books_all_with_one_vat_invoice(any_db: Database) -> None:
    db = registered(any_db)
    org = acme(db)
    efaw, faw = make_session(db, "efaw"), make_session(db, "faw", days_ahead=21)
    people = [row(efaw, n) for n in range(5)] + [row(faw, n) for n in range(5, 7)]
    order = call(db, "organisations.order.start", {"organisation_id": org, "rows": people})
    assert order["status"] == "HELD" and order["seats"] == 7
    assert seats(db, efaw) == {"booked": 0, "held": 5} and seats(db, faw)["held"] == 2
    by_session = {s["session"]["id"]: s["quote"] for s in order["sessions"]}
    assert by_session[efaw]["discount_pence"] == 3750  # five on one booking: 10% off
    assert by_session[faw]["discount_pence"] == 0
    gross = 5 * 7500 - 3750 + 2 * 22500
    assert order["gross_pence"] == gross and order["vat_pence"] == 13125
    done = call(db, "organisations.order.confirm", {"id": order["id"]})
    assert done["status"] == "CONFIRMED" and len(done["references"]) == 2
    assert seats(db, efaw) == {"booked": 5, "held": 0}
    invoice = call(db, "invoices.get", {"number": done["invoice"]})
    year = today_london().year
    assert invoice["number"] == f"INV-{year}-0001"
    assert invoice["gross_pence"] == gross
    assert invoice["net_pence"] + invoice["vat_pence"] == gross and invoice["vat_pence"] == 13125
    assert invoice["due"] == (today_london() + timedelta(days=30)).isoformat()
    assert invoice["supplier"]["vat_number"] == "GB 123 4567 89"
    assert invoice["customer"]["name"] == "Acme Logistics Ltd"
    assert len(invoice["lines"]) == 7 and invoice["status"] == "open"
    assert {ln["attendee"] for ln in invoice["lines"]} == {f"Staff Member{n}" for n in range(7)}
    assert sum(ln["gross_pence"] for ln in invoice["lines"]) == gross
    (mail,) = outbox(db, "invoice_issued")
    assert mail.recipient == "accounts@acme.example" and invoice["number"] in mail.subject
    (pdf,) = decode_attachments(mail.attachments)
    assert pdf.filename == f"{invoice['number']}.pdf" and pdf.data.startswith(b"%PDF")
    record = call(db, "organisations.get", {"id": org})
    assert {b["reference"] for b in record["booking_list"]} == set(done["references"])
    assert all(b["due_pence"] == 0 for b in record["booking_list"])  # owed on the invoice


def test_a_full_session_in_the_order_books_and_holds_nothing_anywhere(any_db: Database) -> None:
    org = acme(any_db)
    roomy, tight = (
        make_session(any_db, "efaw"),
        make_session(any_db, "efaw", capacity=2, days_ahead=21),
    )
    people = [row(roomy, 1), row(roomy, 2), row(tight, 3), row(tight, 4), row(tight, 5)]
    with pytest.raises(NotEnoughSeats) as caught:
        call(any_db, "organisations.order.start", {"organisation_id": org, "rows": people})
    assert "Rows 4, 5, 6" in caught.value.message and "Nothing was booked" in caught.value.message
    assert seats(any_db, roomy) == {"booked": 0, "held": 0}
    assert seats(any_db, tight) == {"booked": 0, "held": 0}


def test_seats_lost_while_the_order_was_reviewed_book_nothing(any_db: Database) -> None:
    org = acme(any_db)
    first, second = (
        make_session(any_db, "efaw"),
        make_session(any_db, "efaw", capacity=2, days_ahead=21),
    )
    people = [row(first, 1), row(second, 2), row(second, 3)]
    order = call(any_db, "organisations.order.start", {"organisation_id": org, "rows": people})
    with any_db.write() as tx:  # the review took longer than the hold
        hold_id = order["sessions"][1]["hold_id"]
        tx.execute(update(SeatHold).where(SeatHold.id == hold_id).values(expires_at=now()))
    with any_db.write() as tx:
        walk_ins = [
            {"name": "Walk In", "email": "walk@in.example", "date_of_birth": "1990-01-01"},
            {"name": "Walk Two", "email": "walk2@in.example", "date_of_birth": "1990-01-01"},
        ]
        bookings.book_now(tx, second, walk_ins, DESK)
    with pytest.raises(HoldExpired) as caught:
        call(any_db, "organisations.order.confirm", {"id": order["id"]})
    assert "Rows 3, 4 (session" in caught.value.message
    assert seats(any_db, first) == {"booked": 0, "held": 1}  # still held, nothing booked
    with any_db.read() as tx:
        assert tx.scalar(select(func.count()).select_from(Invoice)) == 0
        assert tx.scalar(select(func.count()).where(Booking.organisation_id.is_not(None))) == 0
    released = call(any_db, "organisations.order.release", {"id": order["id"]})
    assert released["status"] == "RELEASED" and seats(any_db, first)["held"] == 0


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ({"email": "not-an-email"}, "Row 3, field email"),
        ({"date_of_birth": "31/02/1990"}, "Row 3, field date_of_birth"),
        ({"name": ""}, "Row 3, field name: is missing"),
        ({"session": "abc"}, "Row 3, field session: 'abc' is not a session number"),
        ({"session": 999999}, "Row 3, field session: There is no session number 999999"),
        ({"date_of_birth": "2015-01-01"}, "Row 3, field date_of_birth"),
        ({"email": "staff1@acme.example"}, "Row 3, field email: staff1@acme.example is already"),
        (  # a bell in what the trainer will read: refused, in words, the bell written out
            {"special_requirements": "Epilepsy\x07"},
            "Row 3, field special_requirements: 'Epilepsy\\x07' is not valid (it has a control "
            "or invisible character). Nothing was booked.",
        ),
        (  # a page pasted into one cell: quoted in part, said in words (not the library's)
            {"special_requirements": "Asthma. " * 500},
            "Row 3, field special_requirements: 'Asthma. Asthma. Asthma. Asthma. Asthma. Asthma. "
            "Asthma. Asth'... (4,000 characters) is not valid (keep it to plain text "
            "under 1,000 characters). Nothing was booked.",
        ),
        (  # an order does not keep it: refused, not booked without it
            {"phnoe": "07700 900123"},
            "Row 3, field phnoe: an order row takes only session, name, email, "
            "date_of_birth, phone and special_requirements; leave it out",
        ),
    ],
)
def test_a_bad_row_is_named_by_row_and_field_and_nothing_is_held(
    sqlite_db: Database, bad: dict[str, Any], expected: str
) -> None:
    org = acme(sqlite_db)
    sid = make_session(sqlite_db, "efaw")
    people = [row(sid, 1), row(sid, 2) | bad]
    with pytest.raises(ValidationFailed) as caught:
        call(sqlite_db, "organisations.order.start", {"organisation_id": org, "rows": people})
    assert expected in caught.value.message
    assert seats(sqlite_db, sid) == {"booked": 0, "held": 0}


def test_special_requirements_in_an_order_reach_the_booking(sqlite_db: Database) -> None:
    """Found by an outside tester: a CSV column of special requirements (a wheelchair user)
    was dropped without a word, and the trainer never knew."""
    org = acme(sqlite_db)
    sid = make_session(sqlite_db, "efaw")
    csv_text = (
        "session,name,email,date_of_birth,special_requirements,employee_no\n"
        f"{sid},Sam Patel,sam@acme.example,1990-02-03,Uses a wheelchair,E-114\n"
    )
    order = call(sqlite_db, "organisations.order.start", {"organisation_id": org, "csv": csv_text})
    done = call(sqlite_db, "organisations.order.confirm", {"id": order["id"]})
    [reference] = done["references"]
    booking = call(sqlite_db, "bookings.get", {"reference": reference})
    assert [a["special_requirements"] for a in booking["attendees"]] == ["Uses a wheelchair"]
    api_row = row(sid, 7) | {"special_requirements": "Left-handed"}
    order = call(
        sqlite_db, "organisations.order.start", {"organisation_id": org, "rows": [api_row]}
    )
    done = call(sqlite_db, "organisations.order.confirm", {"id": order["id"]})
    booking = call(sqlite_db, "bookings.get", {"reference": done["references"][0]})
    assert [a["special_requirements"] for a in booking["attendees"]] == ["Left-handed"]


def test_a_missing_po_is_refused_where_the_employer_requires_one(sqlite_db: Database) -> None:
    org = acme(sqlite_db, po_required=True)
    sid = make_session(sqlite_db, "efaw")
    with pytest.raises(ValidationFailed, match="requires a purchase order"):
        call(
            sqlite_db, "organisations.order.start", {"organisation_id": org, "rows": [row(sid, 1)]}
        )
    order = call(
        sqlite_db,
        "organisations.order.start",
        {"organisation_id": org, "rows": [row(sid, 1)], "po": "PO-4471"},
    )
    call(sqlite_db, "organisations.order.confirm", {"id": order["id"]})
    assert call(sqlite_db, "invoices.list", {"organisation_id": org})[0]["po"] == "PO-4471"


def _ordered(db: Database, org: int, n: int = 2) -> dict[str, Any]:
    sid = make_session(db, "efaw")
    people = [row(sid, i) for i in range(n)]
    order = call(db, "organisations.order.start", {"organisation_id": org, "rows": people})
    return dict(call(db, "organisations.order.confirm", {"id": order["id"]}))


def test_cancelling_an_invoiced_booking_issues_a_credit_note_and_never_edits_the_invoice(
    any_db: Database,
) -> None:
    db = registered(any_db)
    org = acme(db)
    first, second = _ordered(db, org), _ordered(db, org, 1)
    year = today_london().year
    assert (first["invoice"], second["invoice"]) == (f"INV-{year}-0001", f"INV-{year}-0002")
    before = call(db, "invoices.get", {"number": first["invoice"]})
    call(db, "bookings.cancel", {"reference": first["references"][0], "reason": "staff left"})
    after = call(db, "invoices.get", {"number": first["invoice"]})
    (note,) = [i for i in call(db, "invoices.list", {}) if i["kind"] == "credit_note"]
    assert note["number"] == f"CN-{year}-0001" and note["credits"] == first["invoice"]
    assert note["gross_pence"] == before["gross_pence"] == 15000
    assert note["vat_pence"] == before["vat_pence"] == 2500
    assert {k: after[k] for k in ("gross_pence", "net_pence", "vat_pence", "lines")} == {
        k: before[k] for k in ("gross_pence", "net_pence", "vat_pence", "lines")
    }
    assert after["status"] == "credited" and after["credited_pence"] == 15000
    assert {m.subject.split(" ")[0] for m in outbox(db, "invoice_issued")} == {"Invoice", "Credit"}


def test_payments_settle_an_invoice_and_bad_amounts_change_nothing(sqlite_db: Database) -> None:
    org = acme(sqlite_db)
    number = _ordered(sqlite_db, org)["invoice"]
    for amount in (-500, 0, 15001, 1.5, True):
        with pytest.raises(ValidationFailed):
            call(
                sqlite_db,
                "invoices.pay",
                {"number": number, "amount_pence": amount, "reference": "BACS 1"},
            )
    assert call(sqlite_db, "invoices.get", {"number": number})["paid_pence"] == 0
    paid = call(
        sqlite_db, "invoices.pay", {"number": number, "amount_pence": 10000, "reference": "BACS 1"}
    )
    assert (paid["paid_pence"], paid["status"]) == (10000, "part_paid")
    with pytest.raises(ValidationFailed, match="already recorded"):
        call(
            sqlite_db,
            "invoices.pay",
            {"number": number, "amount_pence": 100, "reference": "BACS 1"},
        )
    paid = call(
        sqlite_db, "invoices.pay", {"number": number, "amount_pence": 5000, "reference": "BACS 2"}
    )
    assert (paid["paid_pence"], paid["status"]) == (15000, "paid")


def test_money_cannot_be_received_tomorrow_but_may_have_come_before_today(
    sqlite_db: Database,
) -> None:
    org = acme(sqlite_db)
    number = _ordered(sqlite_db, org)["invoice"]
    tomorrow = (today_london() + timedelta(days=1)).isoformat()
    with pytest.raises(ValidationFailed, match=f"received on {tomorrow}.*not come yet"):
        call(
            sqlite_db,
            "invoices.pay",
            {"number": number, "amount_pence": 100, "reference": "BACS 9", "received_on": tomorrow},
        )
    assert call(sqlite_db, "invoices.get", {"number": number})["payments"] == []
    yesterday = (today_london() - timedelta(days=1)).isoformat()
    paid = call(
        sqlite_db,
        "invoices.pay",
        {"number": number, "amount_pence": 100, "reference": "BACS 9", "received_on": yesterday},
    )
    assert [p["received"] for p in paid["payments"]] == [yesterday]


def test_staff_without_the_certificate_a_requalification_needs_are_refused_before_seats_are_held(
    sqlite_db: Database,
) -> None:
    """Found by an outside tester: the order was checked and its seats held, and only the
    confirmation refused it, saying to release the order and start again."""
    org = acme(sqlite_db)
    sid = make_session(sqlite_db, course="faw-requal")
    people = [row(sid, 1), row(sid, 2)]
    with pytest.raises(NotEligible) as refused:
        call(sqlite_db, "organisations.order.start", {"organisation_id": org, "rows": people})
    assert refused.value.message.startswith(f"Rows 2, 3 (session {sid}): ")
    assert "no First Aid at Work certificate on record" in refused.value.message
    assert "release the order" not in refused.value.message
    assert seats(sqlite_db, sid) == {"booked": 0, "held": 0}


def test_a_payment_reference_typed_in_another_case_is_the_same_payment(
    sqlite_db: Database,
) -> None:
    """Found by an outside tester: ``BACS 7``, ``bacs 7`` and ``BACS  7`` were three payments."""
    org = acme(sqlite_db)
    number = _ordered(sqlite_db, org)["invoice"]
    call(sqlite_db, "invoices.pay", {"number": number, "amount_pence": 100, "reference": "BACS 7"})
    for typed in ("bacs 7", "BACS  7", "Bacs 7 "):
        with pytest.raises(ValidationFailed, match="already recorded"):
            call(
                sqlite_db,
                "invoices.pay",
                {"number": number, "amount_pence": 100, "reference": typed},
            )
    paid = call(sqlite_db, "invoices.get", {"number": number})["payments"]
    assert [p["reference"] for p in paid] == ["BACS 7"]


def test_a_payment_reference_pasted_with_invisible_or_composed_characters_is_the_same_payment(
    sqlite_db: Database,
) -> None:
    """Found by an outside tester: a reference pasted from a bank statement with a zero-width
    space, decomposed accents or full-width letters looked the same in the list but was
    recorded as a second payment."""
    org = acme(sqlite_db)
    number = _ordered(sqlite_db, org)["invoice"]
    for first, again in (
        ("BACS9", "BACS\u200b9"),
        ("Caf\u00e9 11", "Cafe\u0301 11"),
        ("BACS 10", "\uff22\uff21\uff23\uff33 10"),
    ):
        call(sqlite_db, "invoices.pay", {"number": number, "amount_pence": 100, "reference": first})
        with pytest.raises(ValidationFailed, match="already recorded"):
            call(
                sqlite_db,
                "invoices.pay",
                {"number": number, "amount_pence": 100, "reference": again},
            )
    paid = call(sqlite_db, "invoices.get", {"number": number})
    assert (len(paid["payments"]), paid["paid_pence"]) == (3, 300)


def test_unpaid_invoices_past_their_due_date_are_listed_as_overdue(sqlite_db: Database) -> None:
    org = acme(sqlite_db, terms_days=0)
    number = _ordered(sqlite_db, org)["invoice"]
    assert call(sqlite_db, "invoices.list", {"overdue": True}) == []
    with sqlite_db.write() as tx:
        tx.execute(update(Invoice).values(due_on=today_london() - timedelta(days=1)))
    (late,) = call(sqlite_db, "invoices.list", {"overdue": True})
    assert late["number"] == number and late["status"] == "overdue"


def test_not_vat_registered_invoices_carry_no_vat(sqlite_db: Database) -> None:
    org = acme(sqlite_db)
    number = _ordered(sqlite_db, org)["invoice"]
    found = call(sqlite_db, "invoices.get", {"number": number})
    assert (found["vat_pence"], found["net_pence"], found["gross_pence"]) == (0, 15000, 15000)
    pdf = base64.b64decode(call(sqlite_db, "invoices.pdf", {"number": number})["pdf_base64"])
    assert pdf.startswith(b"%PDF")


def test_vat_is_split_from_the_gross_and_rounded_half_up_to_the_penny() -> None:
    assert vat.split(12000, 2000) == vat.VatSplit(2000, 10000, 2000, 12000)
    assert vat.split(1, 2000).vat_pence == 0  # 0.1667p
    assert vat.split(3, 2000).vat_pence == 1  # 0.5p rounds up
    assert vat.split(9, 2000).vat_pence == 2  # 1.5p rounds up
    assert vat.split(7500, 0) == vat.VatSplit(0, 7500, 0, 7500)
    with pytest.raises(ValueError):
        vat.split(-1, 2000)


def test_trainers_and_the_website_cannot_reach_employers(sqlite_db: Database) -> None:
    website = Actor("website", None, "website", None)
    for who in (TRAINER, website):
        for name in ("organisations.list", "invoices.list"):
            with pytest.raises(Forbidden):
                call(sqlite_db, name, {}, who)


def test_organisation_names_are_unique_and_contacts_validated(sqlite_db: Database) -> None:
    acme(sqlite_db)
    with pytest.raises(ValidationFailed, match="already an organisation"):
        acme(sqlite_db, name="acme logistics ltd")
    with pytest.raises(DomainError):
        call(sqlite_db, "organisations.add", {"name": "Beta", "terms_days": -5})
    with pytest.raises(DomainError):
        call(
            sqlite_db,
            "organisations.add",
            {"name": "Beta", "contacts": [{"name": "X", "email": "nope"}]},
        )


def test_the_invoice_pdf_shows_supplier_customer_po_vat_and_the_rounding_rule(
    sqlite_db: Database,
) -> None:
    from tests.test_certificates import page_text

    db = registered(sqlite_db)
    org = acme(db, po_required=True)
    sid = make_session(db, "efaw")
    order = call(
        db,
        "organisations.order.start",
        {"organisation_id": org, "rows": [row(sid, 1)], "po": "PO-77"},
    )
    number = call(db, "organisations.order.confirm", {"id": order["id"]})["invoice"]
    pdf = base64.b64decode(call(db, "invoices.pdf", {"number": number})["pdf_base64"])
    text = page_text(pdf)
    for expected in (
        number,
        "RFT First Aid Training Ltd",
        "VAT no. GB 123 4567 89",
        "Acme Logistics Ltd",
        "Aire Park",
        "PO-77",
        "Staff Member1",
        "VAT at 20%",
        "12.50",
        "62.50",
        "rounded half-up",
    ):
        assert expected in text, expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "The CSV file is empty"),
        ("session,name,email\n1,A B,a@b.example\n", "lacks the column date_of_birth"),
        ("session,name,email,date_of_birth\n", "has a header but no people"),
        (  # which session would a second "session" column mean? neither, say so
            "session,name,email,date_of_birth,Session\n1,A B,a@b.example,1990-01-01,2\n",
            "Row 1 (the header) names the column session twice",
        ),
        (
            "session,name,email,dob,date_of_birth\n1,A B,a@b.example,1990-01-01,2001-01-01\n",
            "names the column date_of_birth twice",
        ),
        (
            "session,name,email,date_of_birth\n1,A,a@b.example,1990-01-01,extra\n",
            "Row 2, field date_of_birth: the row has 5 cells",
        ),
        (
            "session,name,email,dob\n"
            + "".join(f"1,A B,a{i}@b.example,1990-01-01\n" for i in range(201)),
            "at most 200 rows",
        ),
        ("session,name,email,date_of_birth\n" + "x" * 300_000, "over 256 KB"),
        (
            "session,name,email,date_of_birth\n1,A B,a@b.example,1990-01-01\n"
            + "2,C D,c@d.example,1990-01-01,"
            + "y" * 200_000,
            "a cell over 128 KB",
        ),
        (  # the rows after an unclosed quote would be one person's needs, the others lost
            "session,name,email,date_of_birth,special_requirements\n"
            '1,Dee Ramp,dee@a.example,1990-02-03,"Wheelchair\n'
            "1,Eli Stone,eli@a.example,1985-11-30,Deaf\n",
            'a quote (") is opened and never closed',
        ),
        (  # a cell under a column with no name would be dropped
            "session,name,email,date_of_birth,\n1,A B,a@b.example,1990-01-01,Uses a wheelchair\n",
            "Row 2, field (a column with no name): 'Uses a wheelchair' is under a column",
        ),
        (  # a person's needs under a header that would not be read: refused, never dropped
            "session,name,email,date_of_birth,Special Requirements/Notes\n"
            "1,A B,a@b.example,1990-01-01,ramp\n",
            "the column 'Special Requirements/Notes' would not be kept",
        ),
        (
            "session,name,email,dob,access needs\n1,A B,a@b.example,1990-01-01,ramp\n",
            "name it special_requirements",
        ),
    ],
)
def test_a_csv_that_is_not_an_order_gets_a_plain_message(text: str, expected: str) -> None:
    from core.orders.order_csv import parse_csv

    with pytest.raises(ValidationFailed) as caught:
        parse_csv(text)
    assert expected in caught.value.message


def test_a_csv_header_may_say_dob_and_carry_a_byte_order_mark() -> None:
    from core.orders.order_csv import parse_csv

    rows, _ = parse_csv("\ufeffSession,Name,Email,DOB\n7,Sam Patel,sam@acme.example,1990-02-03\n")
    assert [(r.row, r.session_id, r.person.name) for r in rows] == [(2, 7, "Sam Patel")]


@pytest.mark.parametrize(
    "header",
    [
        "Session,Full name,E-mail,DateOfBirth,Phone number,SpecialRequirements",
        "session_id,name,Email address,Date-of-birth,Telephone,special requirements",
        'Session;Name;"Email";"Date of birth";Mobile;"Special requirements"',
    ],
)
def test_a_csv_header_is_read_however_its_headings_are_written(header: str) -> None:
    from core.orders.order_csv import parse_csv

    sep = ";" if ";" in header else ","
    cells = ["7", "Sam Patel", "sam@acme.example", "1990-02-03", "0113 496 0000", "Deaf"]
    (row,), _ = parse_csv(f"{header}\n{sep.join(cells)}\n")
    assert (row.session_id, row.person.name, str(row.person.email)) == (
        7,
        "Sam Patel",
        "sam@acme.example",
    )
    assert (row.person.phone, row.person.special_requirements) == ("0113 496 0000", "Deaf")


def test_a_semicolon_csv_whose_header_quotes_a_comma_is_read_by_its_semicolons() -> None:
    from core.orders.order_csv import parse_csv

    with pytest.raises(ValidationFailed) as caught:
        parse_csv(
            'session;name;email;date_of_birth;"Special requirements, if any"\n'
            '7;Kim Lee;kim@acme.example;1990-02-03;"Deaf, uses BSL"\n'
        )
    assert "the column 'Special requirements, if any' would not be kept" in caught.value.message


def test_blank_lines_above_the_header_are_skipped_and_rows_keep_their_numbers() -> None:
    from core.orders.order_csv import parse_csv

    rows, _ = parse_csv("\n\nsession,name,email,dob\n7,Sam Patel,sam@acme.example,1990-02-03\n")
    assert [(r.row, r.person.name) for r in rows] == [(4, "Sam Patel")]
    with pytest.raises(ValidationFailed, match="Row 3 \\(the header\\) lacks the column email"):
        parse_csv("\n\nsession,name,dob\n7,Sam Patel,1990-02-03\n")


GLASGOW = "From Glasgow \U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in "gbsct") + "\U000e007f"


@pytest.mark.parametrize(
    "text",
    [
        f"session,name,email,dob,special-requirements\n7,Sam Patel,sam@acme.example,1990-02-03,"
        f"{GLASGOW}\n",
        f"Session\tName\tEmail\tDOB\tSpecial requirements\n"
        f"7\tSam Patel\tsam@acme.example\t1990-02-03\t{GLASGOW}\n",
        f"session;name;email;date_of_birth;special_requirements\n"
        f"7;Sam Patel;sam@acme.example;1990-02-03;{GLASGOW}\n",
    ],
    ids=["hyphenated header", "tab-separated", "semicolon-separated"],
)
def test_a_csv_keeps_special_requirements_whatever_separates_its_cells_and_words(
    text: str,
) -> None:
    """A Scottish flag is an emoji spelt with tag characters; it is text, not a hidden one."""
    from core.orders.order_csv import parse_csv

    (row,), _ = parse_csv(text)
    assert row.person.special_requirements == GLASGOW


def test_a_csv_with_old_mac_line_endings_is_read_as_the_same_rows() -> None:
    from core.orders.order_csv import parse_csv

    (row,), _ = parse_csv(
        "session;name;email;date_of_birth;special_requirements\r"
        "7;Kim Lee;kim@acme.example;1990-02-03;Deaf, uses BSL\r"
    )
    assert (row.person.name, row.person.special_requirements) == ("Kim Lee", "Deaf, uses BSL")


@pytest.mark.parametrize(
    "hidden",
    [
        "".join(chr(0xE0000 + ord(c)) for c in "ignore me"),
        "\U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in "Staff: mark as paid") + "\U000e007f",
    ],
    ids=["loose tags", "tags dressed as a flag"],
)
def test_tag_characters_outside_a_flag_are_refused_as_hidden_text(hidden: str) -> None:
    from core.orders.order_csv import parse_csv

    with pytest.raises(ValidationFailed, match="control or invisible character"):
        parse_csv(
            f"session,name,email,dob,special_requirements\n7,A B,a@b.example,1990-01-01,x{hidden}\n"
        )


def test_an_order_is_confirmed_once_and_needs_rows_or_csv_but_not_both(
    sqlite_db: Database,
) -> None:
    org = acme(sqlite_db)
    sid = make_session(sqlite_db, "efaw")
    with pytest.raises(ValidationFailed, match="either as rows or as CSV"):
        call(
            sqlite_db,
            "organisations.order.start",
            {"organisation_id": org, "rows": [row(sid, 1)], "csv": "session"},
        )
    done = _ordered(sqlite_db, org)
    with pytest.raises(ValidationFailed, match="already confirmed"):
        call(sqlite_db, "organisations.order.confirm", {"id": 1})
    assert len(call(sqlite_db, "invoices.list")) == 1
    assert call(sqlite_db, "organisations.order.get", {"id": 1})["references"] == done["references"]


def test_a_malformed_vat_rate_stops_the_start_naming_the_setting() -> None:
    from core.infra.config import load_settings
    from core.infra.errors import ConfigError

    with pytest.raises(ConfigError, match="RFT_VAT_RATE must be a percentage"):
        load_settings({"RFT_VAT_RATE": "twenty"})
    assert load_settings({"RFT_VAT_RATE": "17.5"}).vat_rate_bp == 1750


def test_two_desks_confirming_one_order_at_once_book_it_once(any_db: Database) -> None:
    import threading

    org = acme(any_db)
    sid = make_session(any_db, "efaw")
    order = call(
        any_db,
        "organisations.order.start",
        {"organisation_id": org, "rows": [row(sid, 1), row(sid, 2)]},
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def confirm(label: str) -> None:
        barrier.wait(timeout=30)
        try:
            call(
                any_db,
                "organisations.order.confirm",
                {"id": order["id"]},
                Actor(label, "reception", "desk", None),
            )
            outcomes.append("booked")
        except DomainError as exc:
            outcomes.append(exc.message)

    desks = [threading.Thread(target=confirm, args=(f"Desk {n}",)) for n in (1, 2)]
    for desk in desks:
        desk.start()
    for desk in desks:
        desk.join(timeout=60)
    assert sorted(outcomes) == [f"Bulk order {order['id']} is already confirmed.", "booked"]
    assert len(call(any_db, "invoices.list")) == 1 and seats(any_db, sid)["booked"] == 2


def test_the_website_feed_carries_nothing_about_employers_or_invoices(
    sqlite_db: Database,
) -> None:
    org = acme(sqlite_db)
    _ordered(sqlite_db, org)
    website = Actor("website", None, "website", None)
    staff_kinds = {c["kind"] for c in call(sqlite_db, "changes.since", {})["changes"]}
    public_kinds = {c["kind"] for c in call(sqlite_db, "changes.since", {}, website)["changes"]}
    assert {"organisation", "invoice"} <= staff_kinds
    assert public_kinds == {"session"}


def test_a_long_review_can_hold_the_seats_longer_but_not_revive_them(sqlite_db: Database) -> None:
    org = acme(sqlite_db)
    sid = make_session(sqlite_db, "efaw")
    order = call(
        sqlite_db, "organisations.order.start", {"organisation_id": org, "rows": [row(sid, 1)]}
    )
    with sqlite_db.write() as tx:  # ten minutes into the review
        tx.execute(update(SeatHold).values(expires_at=now() + timedelta(minutes=5)))
    longer = call(sqlite_db, "organisations.order.extend", {"id": order["id"]})
    assert longer["expires_at"] > order["expires_at"]
    assert longer["sessions"][0]["hold_expires_at"] == longer["expires_at"]
    with sqlite_db.write() as tx:
        tx.execute(update(SeatHold).values(expires_at=now()))
    with pytest.raises(HoldExpired):
        call(sqlite_db, "organisations.order.extend", {"id": order["id"]})
    assert seats(sqlite_db, sid) == {"booked": 0, "held": 0}
