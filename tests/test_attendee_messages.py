"""Attendee mistakes in words a person can act on: every message of the attendee checks (the
service's, the desk's) says what to type and carries no validation library's wording; the desk
marks the wrong cell, and says nothing before the person has typed."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from core.booking.attendees import HOW_TO_TYPE, AgeLimit, attendee_problems, parse_attendees
from core.infra.clock import LONDON
from core.infra.db import Database
from core.infra.errors import ValidationFailed
from core.seats.availability import get_session
from desktop.wizard import BookingWizard
from desktop.wizard.attendees import FIELDS, row_problems
from desktop.wizard.wizard import ATTENDEES
from tests.desktop_support import DeskFactory, make_desk
from tests.factories import make_session
from tests.test_cli_first_day import LIBRARY_WORDING

__all__ = ["make_desk"]
GOOD = {"name": "Amelia Barker", "email": "amelia@example.co.uk", "date_of_birth": "1990-05-17"}
BAD_VALUES: dict[str, list[object]] = {
    "name": ["", "   ", "1234", "A" * 121, None, 7, ["Amelia"]],
    "email": ["", "amelia", "amelia@", "@example.co.uk", "a b@example.co.uk", None, 3],
    "date_of_birth": [
        "",
        0,
        631152000,
        "631152000",
        "1990-02-30",
        "17/05/1990",
        "2990-01-01",
        "1850-01-01",
        None,
        1.5,
        "tomorrow",
    ],
    "phone": ["abc", "12", "0" * 30, 7700900123],
    "emergency_phone": ["call me", "+"],
    "special_requirements": ["x" * 1001, 5, "Needs\x07help", "wheel\u202echair", "a\u200bb"],
}


def library_words(text: str) -> list[str]:
    return [w for w in LIBRARY_WORDING if w.lower() in text.lower()]


@pytest.mark.parametrize("field", list(BAD_VALUES))
def test_every_attendee_message_says_what_to_type_in_plain_words(field: str) -> None:
    for value in BAD_VALUES[field]:
        problems = attendee_problems({**GOOD, field: value})
        assert list(problems) == [field], (field, value, problems)
        message = problems[field]
        assert HOW_TO_TYPE[field][1:] in message  # what to type, every time
        assert not library_words(message), message
        with pytest.raises(ValidationFailed) as refused:
            parse_attendees([{**GOOD, field: value}])
        assert refused.value.message.startswith(f"Attendee 1: {field.replace('_', ' ')}")
        assert not library_words(refused.value.message)


def test_a_date_of_birth_must_be_written_as_a_date() -> None:
    for number in (0, 631152000, "0", "631152000"):
        assert "date_of_birth" in attendee_problems({**GOOD, "date_of_birth": number})
    assert attendee_problems({**GOOD, "date_of_birth": "1990-01-01"}) == {}
    assert attendee_problems({**GOOD, "date_of_birth": date(1990, 1, 1)}) == {}


@pytest.mark.parametrize(
    "name",
    ["Ann \u0007Lee", "Ann\u202eeeL", "Ann\u200bLee", "Ann\u2066Lee", "Ann\x7fLee", "Ann\ufeffLee"],
)
def test_a_name_with_invisible_or_control_characters_is_refused(name: str) -> None:
    """Found by the attack: a bell or a right-to-left override in a name was stored and
    went on to certificates, emails and the desk (the override reversing what follows)."""
    problems = attendee_problems({**GOOD, "name": name})
    assert list(problems) == ["name"], problems
    assert problems["name"].startswith("The name has a character that cannot be seen")
    assert HOW_TO_TYPE["name"] in problems["name"]


@pytest.mark.parametrize(
    "name", ["Zoë O'Brien-Smith", "Fa\u0304tima Khan", "\u0645\u0647\u200c\u0633\u0627", "Ann\tLee"]
)
def test_names_in_any_script_are_still_taken(name: str) -> None:
    assert attendee_problems({**GOOD, "name": name}) == {}


def test_an_unknown_detail_is_named_plainly() -> None:
    assert attendee_problems({**GOOD, "shoe_size": "9"}) == {
        "shoe_size": "'shoe_size' is not an attendee detail; leave it out."
    }


def test_every_desk_cell_message_is_plain() -> None:
    typed = {
        "name": "Amelia Barker",
        "email": "amelia@example.co.uk",
        "date_of_birth": "17/05/1990",
    }
    efaw = AgeLimit("Emergency First Aid at Work", 16, date(2027, 1, 1))
    assert row_problems(typed, efaw) == {}
    for field in FIELDS:
        for value in ["", "???", "0", "631152000", "x" * 1200, "31/02/1990", "01/01/2999"]:
            problems = row_problems({**typed, field: value}, efaw)
            for message in problems.values():
                assert message and not library_words(message), message
    young = row_problems({**typed, "date_of_birth": "01/01/2015"}, efaw)
    assert young == {
        "date_of_birth": "Will be 12 on the course date; "
        "Emergency First Aid at Work is for people aged 16 or over."
    }


def marked(wizard: BookingWizard, row: int, field: str) -> bool:
    model = wizard.attendees_step.model
    index = model.index(row, FIELDS.index(field))
    return model.data(index, Qt.ItemDataRole.BackgroundRole) is not None


def test_the_desk_marks_the_wrong_cell_only_once_typed_in(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    make_session(sqlite_db, course="efaw", days_ahead=10)
    wizard = BookingWizard(make_desk(), None)
    wizard.show()
    step = wizard.attendees_step
    qtbot.waitUntil(lambda: wizard.session_step.proxy.rowCount() == 1, timeout=10_000)
    wizard.session_step.table.selectRow(0)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.step == ATTENDEES and not wizard._busy, timeout=10_000)

    assert step.problem.text() == "" and wizard.message.text() == ""  # nothing typed yet
    assert not any(marked(wizard, 0, f) for f in FIELDS)

    model = step.model
    model.setData(model.index(0, FIELDS.index("email")), "amelia@")
    assert marked(wizard, 0, "email") and not marked(wizard, 0, "name")
    assert step.problem.text() == (
        "Row 1 (attendee 1), Email: Type an email address such as amelia@example.co.uk."
    )
    tip = model.data(model.index(0, FIELDS.index("email")), Qt.ItemDataRole.ToolTipRole)
    assert tip == "Type an email address such as amelia@example.co.uk."

    wizard.next()  # pressing Next shows every problem
    assert wizard.step == ATTENDEES
    assert marked(wizard, 0, "name") and marked(wizard, 0, "date_of_birth")
    assert step.problem.text().startswith("Row 1 (attendee 1), Name: Type the person's")
    assert step.table.currentIndex().column() == FIELDS.index("name")  # taken to the cell
    for field in FIELDS:
        tip = model.data(model.index(0, FIELDS.index(field)), Qt.ItemDataRole.ToolTipRole)
        assert not library_words(tip or "")
    model.setData(model.index(0, FIELDS.index("name")), "Amelia Barker")
    model.setData(model.index(0, FIELDS.index("email")), "amelia@example.co.uk")
    model.setData(model.index(0, FIELDS.index("date_of_birth")), "17/05/1990")
    assert step.problem.text() == "" and not any(marked(wizard, 0, f) for f in FIELDS)
    wizard.confirm_stop = lambda: True  # type: ignore[method-assign]
    wizard.reject()


def test_the_desk_tells_the_courses_own_age_rule_as_the_service_would(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    """CPR and AED is for 14 and over: a 15-year-old is fine, a 13-year-old is told so in
    the service's words (the desk once assumed 16 for every course, in its own words)."""
    session = make_session(sqlite_db, course="cpr-aed", days_ahead=10)
    with sqlite_db.read() as tx:
        day = get_session(tx, session).start.astimezone(LONDON).date()
    wizard = BookingWizard(make_desk(), None)
    wizard.show()
    qtbot.waitUntil(lambda: wizard.session_step.proxy.rowCount() == 1, timeout=10_000)
    wizard.session_step.table.selectRow(0)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.step == ATTENDEES and not wizard._busy, timeout=10_000)
    model, dob = wizard.attendees_step.model, FIELDS.index("date_of_birth")
    fifteen = date(day.year - 15, day.month, 1)
    model.setData(model.index(0, dob), fifteen.strftime("%d/%m/%Y"))
    assert not marked(wizard, 0, "date_of_birth")
    thirteen = date(day.year - 13, day.month, 1)
    model.setData(model.index(0, dob), thirteen.strftime("%d/%m/%Y"))
    tip = model.data(model.index(0, dob), Qt.ItemDataRole.ToolTipRole)
    assert tip == "Will be 13 on the course date; CPR and AED is for people aged 14 or over."
    wizard.confirm_stop = lambda: True  # type: ignore[method-assign]
    wizard.reject()


@pytest.mark.parametrize(
    "method, params",
    [
        ("sessions.list", {"date_from": "tomorrow"}),
        ("sessions.list", {"course": "x" * 500}),
        ("holds.create", {"session_id": "one", "seats": 1}),
        ("holds.create", {"session_id": 1, "seats": 0}),
        ("holds.create", {"session_id": 1}),
        ("holds.create", {"session_id": 1, "seats": 1, "colour": "red"}),
        ("bookings.create", {"hold_id": "h", "attendees": []}),
        ("bookings.create", {"hold_id": "h", "attendees": [GOOD], "payment": "gold"}),
        ("bookings.search", {"text": "a"}),
    ],
)
def test_service_parameter_mistakes_are_told_plainly(
    sqlite_db: Database, method: str, params: dict[str, object]
) -> None:
    from core.api import Call, dispatch
    from core.infra.actor import Actor

    with pytest.raises(ValidationFailed) as refused:
        dispatch(Call(sqlite_db, Actor("desk", "reception")), method, params)
    assert not library_words(refused.value.message), refused.value.message
