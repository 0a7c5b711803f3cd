"""Found by an outside tester: employers', their contacts' and staff members' names took
control characters, right-to-left overrides and zero-width spaces, which attendees' names
refuse. Every name a person types is now held to one rule (``core.infra.names``)."""

from __future__ import annotations

from typing import Any

import pytest

from core.api import Call, dispatch
from core.infra.actor import Actor
from core.infra.db import Database
from core.infra.errors import ValidationFailed
from core.organisations import directory

ADMIN = Actor("An admin", "admin", "desk", None)
UNSEEN = ["Acme\u202edtL", "Acme\u200bLtd", "Acme \x07Ltd", "Acme\u2066Ltd", "Acme\ufeffLtd"]
CONTACT = {"name": "Priya Shah", "email": "priya@acme.example"}


def call(db: Database, name: str, params: dict[str, Any]) -> Any:
    return dispatch(Call(db, ADMIN), name, params)


def names(db: Database, method: str) -> list[str]:
    return [o["name"] for o in call(db, method, {})]


@pytest.mark.parametrize("name", UNSEEN)
def test_an_organisation_name_with_an_unseen_character_is_refused(
    sqlite_db: Database, name: str
) -> None:
    with pytest.raises(ValidationFailed, match="cannot be seen"):
        call(sqlite_db, "organisations.add", {"name": name, "contacts": [CONTACT]})
    assert names(sqlite_db, "organisations.list") == []


@pytest.mark.parametrize("name", UNSEEN)
def test_a_contact_name_with_an_unseen_character_is_refused(sqlite_db: Database, name: str) -> None:
    org = call(sqlite_db, "organisations.add", {"name": "Acme Ltd", "contacts": [CONTACT]})
    contact = {"name": name.replace("Acme", "Ann"), "email": "ann@acme.example"}
    with pytest.raises(ValidationFailed, match="cannot be seen"):
        call(sqlite_db, "organisations.add_contact", {"id": org["id"], "contact": contact})
    with pytest.raises(ValidationFailed, match="cannot be seen"):
        directory.parse_contact(f"{contact['name']} <{contact['email']}>")
    kept = call(sqlite_db, "organisations.get", {"id": org["id"]})["contacts"]
    assert [c["name"] for c in kept] == ["Priya Shah"]


def test_company_names_of_digits_are_kept_and_spaces_made_single(sqlite_db: Database) -> None:
    """A company may be a number ("247"), so digits alone will do; a contact is a person."""
    for name in ["3M", "247", "  Leeds \n Joinery  Ltd "]:
        call(sqlite_db, "organisations.add", {"name": name, "contacts": [CONTACT]})
    assert names(sqlite_db, "organisations.list") == ["247", "3M", "Leeds Joinery Ltd"]
    with pytest.raises(ValidationFailed, match="must contain letters"):
        call(
            sqlite_db, "organisations.add", {"name": "Ops", "contacts": [{**CONTACT, "name": "42"}]}
        )


@pytest.mark.parametrize("name", UNSEEN)
def test_a_staff_or_trainer_name_with_an_unseen_character_is_refused(
    sqlite_db: Database, name: str
) -> None:
    staff = {"email": "tina@rft.test", "role": "trainer", "password": "correct horse battery"}
    with pytest.raises(ValidationFailed, match="cannot be seen"):
        call(sqlite_db, "staff.add", staff | {"name": name.replace("Acme", "Tina")})
    call(sqlite_db, "staff.add", staff | {"name": "Tina  Trainer"})
    assert names(sqlite_db, "staff.list") == ["Tina Trainer"]


def test_a_name_in_a_script_that_needs_a_joiner_is_kept(sqlite_db: Database) -> None:
    persian = "\u0645\u06cc\u200c\u0631\u0636\u0627"
    org = call(
        sqlite_db,
        "organisations.add",
        {"name": persian, "contacts": [{**CONTACT, "name": persian}]},
    )
    assert (org["name"], org["contacts"][0]["name"]) == (persian, persian)


BLANK_LETTERS = ["\u3164\u3164", "Ann\u3164Lee", "Ann\u115fLee", "Ann\uffa0Lee", "Ann\u034fLee"]
BLANK_LETTERS += ["Ann\u17b4Lee", "Ann\u2800Lee"]
"""Hangul fillers, the combining grapheme joiner, Khmer's inherent vowels and the blank
Braille cell count as letters or marks, not format characters, yet are drawn as nothing:
"\u3164\u3164" alone passed as a contact's and a waiting list's name, which showed as blank."""


@pytest.mark.parametrize("name", BLANK_LETTERS)
def test_a_name_with_a_letter_drawn_as_nothing_is_refused(sqlite_db: Database, name: str) -> None:
    from tests.factories import make_session

    session_id = make_session(sqlite_db)
    org = call(sqlite_db, "organisations.add", {"name": "Acme Ltd", "contacts": [CONTACT]})
    contact = {"name": name, "email": "ann@acme.example"}
    refusals = [
        ("organisations.add", {"name": name, "contacts": [CONTACT]}),
        ("organisations.add_contact", {"id": org["id"], "contact": contact}),
        (
            "staff.add",
            {"email": "t@rft.test", "role": "trainer", "password": "x" * 12, "name": name},
        ),
        ("waitlist.add", {"session_id": session_id, "seats": 1, "contact": contact}),
    ]
    for method, params in refusals:
        with pytest.raises(ValidationFailed, match="cannot be seen"):
            call(sqlite_db, method, params)
    assert names(sqlite_db, "organisations.list") == ["Acme Ltd"]
    assert [
        c["name"] for c in call(sqlite_db, "organisations.get", {"id": org["id"]})["contacts"]
    ] == ["Priya Shah"]
    assert call(sqlite_db, "waitlist.list", {"session_id": session_id}) == []
    assert "t@rft.test" not in [s["email"] for s in call(sqlite_db, "staff.list", {})]
