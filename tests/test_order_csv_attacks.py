"""An outside tester's attacks on reading a bulk order's CSV (``rft org book``,
``organisations.order.start`` with ``csv``, the desk's paste): every one failed before its
fix. Bad input is named by row and field and holds nothing; nothing typed is dropped
without a word."""

from __future__ import annotations

import pytest

from core.infra.db import Database
from core.infra.errors import ValidationFailed
from core.orders.order_csv import parse_csv
from desktop.organisations.bulk_order_dialog import rows_from_text
from tests.factories import make_session
from tests.test_organisations import acme, call, seats

PERSON = "Sam Patel,sam@acme.example,1990-02-03"


@pytest.mark.parametrize("cell", ["\u00b2", "9" * 30, "2147483648", "9" * 5000])
def test_a_session_cell_no_session_can_have_is_named_by_row_and_field(
    any_db: Database, cell: str
) -> None:
    """'²' passes str.isdigit() but not int(); a number past the id column's range reached
    the database (SQLite OverflowError, PostgreSQL DataError)."""
    org = acme(any_db)
    sid = make_session(any_db, "efaw")
    text = (
        f"session,name,email,dob\n{sid},Alex Nowak,alex@acme.example,1985-11-30\n{cell},{PERSON}\n"
    )
    with pytest.raises(ValidationFailed) as caught:
        call(any_db, "organisations.order.start", {"organisation_id": org, "csv": text})
    assert "Row 3, field session" in caught.value.message
    assert seats(any_db, sid) == {"booked": 0, "held": 0}


@pytest.mark.parametrize("heading", ["*", "---", "_", "#", "?"])
def test_a_cell_under_a_heading_of_only_punctuation_is_refused_not_dropped(heading: str) -> None:
    text = f"session,name,email,dob,{heading}\n7,{PERSON},Wheelchair\n"
    with pytest.raises(ValidationFailed, match="Row 2, field \\(a column with no name\\)"):
        parse_csv(text)
    with pytest.raises(ValidationFailed, match="Row 2, field \\(a column with no name\\)"):
        rows_from_text(text)


@pytest.mark.parametrize(
    "heading",
    ["Mobile number", "Telephone number", "Mobile phone", "Tel", "Phone no", "Work phone"],
)
def test_a_phone_under_a_common_heading_is_read(heading: str) -> None:
    (row,), not_read = parse_csv(f"session,name,email,dob,{heading}\n7,{PERSON},07700 900123\n")
    assert (row.person.phone, not_read) == ("07700 900123", [])


@pytest.mark.parametrize(
    "heading",
    [
        "Notes",
        "Comments",
        "Medical conditions",
        "Allergies",
        "Disability",
        "Special reqs",
        "Reasonable adjustments",
        "Accessibility",
    ],
)
def test_a_heading_that_may_hold_a_persons_needs_is_refused_not_dropped(heading: str) -> None:
    if heading == "Special reqs":  # read as special_requirements
        (row,), _ = parse_csv(f"session,name,email,dob,{heading}\n7,{PERSON},Deaf\n")
        assert row.person.special_requirements == "Deaf"
        return
    with pytest.raises(ValidationFailed, match=f"the column '{heading}' would not be kept"):
        parse_csv(f"session,name,email,dob,{heading}\n7,{PERSON},Deaf\n")


def test_an_emergency_contacts_phone_is_not_taken_for_the_persons_own() -> None:
    (row,), not_read = parse_csv(
        f"session,name,email,dob,Emergency contact phone\n7,{PERSON},07700 900999\n"
    )
    assert (row.person.phone, not_read) == (None, ["Emergency contact phone"])


def test_columns_an_order_does_not_keep_are_named_in_its_review(any_db: Database) -> None:
    org = acme(any_db)
    sid = make_session(any_db, "efaw")
    text = (
        "session,name,email,dob,Employee no,Ειδικές ανάγκες,Department\n"
        f"{sid},{PERSON},E-114,Αναπηρικό αμαξίδιο,\n"
    )
    review = call(any_db, "organisations.order.start", {"organisation_id": org, "csv": text})
    assert review["not_read"] == ["Employee no", "Ειδικές ανάγκες"]  # Department is empty
    assert rows_from_text(text)[1] == ["Employee no", "Ειδικές ανάγκες"]


def test_a_full_width_heading_is_read_as_its_plain_letters() -> None:
    (row,), _ = parse_csv(
        f"session,name,email,dob,Ｓｐｅｃｉａｌ ｒｅｑｕｉｒｅｍｅｎｔｓ\n7,{PERSON},Deaf\n"
    )
    assert row.person.special_requirements == "Deaf"


def test_the_separator_is_chosen_by_the_header_not_by_a_blank_line_above_it() -> None:
    (row,), _ = parse_csv(f";;;;;;\nSession,Name,Email,DOB,Phone\n7,{PERSON},07700 900123\n")
    assert (row.row, row.person.phone) == (3, "07700 900123")


def test_the_desk_skips_a_line_of_bare_separators_above_the_header_as_rft_org_book_does() -> None:
    """Excel writes an empty first row as ';;;;'; the desk loaded the header as a person."""
    text = (
        ";;;;\nSession;Name;Email;DOB;Phone\n7;Sam Patel;sam@acme.example;1990-02-03;07700 900123\n"
    )
    assert [r.person.phone for r in parse_csv(text)[0]] == ["07700 900123"]
    for pasted in (text, "\ufeff\n\n" + text):
        assert rows_from_text(pasted)[0] == [
            {
                "session": "7",
                "name": "Sam Patel",
                "email": "sam@acme.example",
                "date_of_birth": "1990-02-03",
                "phone": "07700 900123",
            }
        ]


def test_a_header_line_over_128_kb_gets_a_plain_message() -> None:
    text = "session,name,email,dob," + "x" * 131_100 + f"\n7,{PERSON},\n"
    with pytest.raises(ValidationFailed, match="a cell over 128 KB"):
        parse_csv(text)
    with pytest.raises(ValidationFailed, match="a cell over 128 KB"):
        rows_from_text(text)


def test_a_header_of_sixty_thousand_columns_is_refused_with_its_reason() -> None:
    """The check for a heading named twice was quadratic: this header took 70 s."""
    text = "session,name,email,dob" + ",x" * 60_000 + f"\n7,{PERSON}\n"
    with pytest.raises(ValidationFailed, match="names the column x twice"):
        parse_csv(text)


def test_a_tab_paste_whose_needs_hold_commas_is_split_by_its_tabs() -> None:
    """Header-less, 4 tabs and 4 commas tie; the commas won and the row was cut up."""
    ((row,), _) = rows_from_text(
        "7\tSam Patel\tsam@acme.example\t1990-02-03\tAllergic to latex, nuts, eggs, plasters\n"
    )
    assert row["name"] == "Sam Patel"
    assert row["special_requirements"] == "Allergic to latex, nuts, eggs, plasters"


def test_a_pasted_header_is_known_by_two_of_its_headings_not_only_an_email_one() -> None:
    rows, not_read = rows_from_text(f"Session,Name,Contact,DOB\n7,{PERSON}\n")
    assert rows == [{"session": "7", "name": "Sam Patel", "date_of_birth": "1990-02-03"}]
    assert not_read == ["Contact"]  # shown, so reception types the email into its column
