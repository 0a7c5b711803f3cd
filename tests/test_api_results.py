"""Every API method declares a typed result, and each answer fits it byte for byte: a client
reading ``Model.model_validate(answer)`` and writing ``model_dump(mode="json")`` gets the same
JSON, key for key and in order (the protocol is recorded byte-for-byte elsewhere)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel, RootModel

from core.api import METHODS, Call, dispatch
from core.api.results.base import Result
from core.api.results.sessions import Month
from core.infra.actor import Actor
from core.infra.db import Database
from tests.factories import person
from tests.test_sessions_month import RECORDED, fill_march_2031

ADMIN = Actor("Office Admin", "admin", "desk", None)

CONVERSATION = Path(__file__).with_name("recorded") / "protocol.txt"


def same_json(model: type[BaseModel], answer: Any) -> bool:
    typed = model.model_validate(answer)
    return json.dumps(typed.model_dump(mode="json")) == json.dumps(answer)


def test_every_method_declares_a_typed_result() -> None:
    for name, found in METHODS.items():
        result = found.result
        if issubclass(result, RootModel):
            (shape,) = get_args(result.model_fields["root"].annotation)
            assert shape is str or issubclass(shape, Result), name
        else:
            assert issubclass(result, Result), name


def test_the_recorded_month_fits_its_model_byte_for_byte() -> None:
    for line in RECORDED.read_text().splitlines():
        assert json.dumps(Month.model_validate_json(line).model_dump(mode="json")) == line


def test_the_desks_answers_fit_their_models(sqlite_db: Database) -> None:
    fill_march_2031(sqlite_db)
    call = Call(sqlite_db, ADMIN)
    hold = dispatch(call, "holds.create", {"session_id": 1, "seats": 1})
    owner = {"hold_id": hold["id"], "hold_token": hold["hold_token"]}
    booking = dispatch(call, "bookings.create", owner | {"attendees": [person(9)]})
    asked: list[tuple[str, dict[str, Any]]] = [
        ("sessions.list", {}),
        ("sessions.get", {"id": 4}),
        ("sessions.month", {"year": 2031, "month": 3}),
        ("catalogue.get", {}),
        ("desk.today", {"day": "2031-03-03"}),
        ("desk.terms", {}),
        ("bookings.get", {"reference": booking["reference"]}),
        ("bookings.search", {"text": "Person"}),
        ("bookings.timeline", {"reference": booking["reference"]}),
        ("customers.get", {"email": person(9)["email"]}),
        ("payments.methods", {}),
        ("waitlist.list", {"session_id": 4}),
        ("reports.list", {}),
        ("staff.list", {}),
        ("trainers.list", {}),
        ("audit.list", {}),
        ("organisations.list", {}),
    ]
    assert same_json(METHODS["holds.create"].result, hold)
    assert same_json(METHODS["bookings.create"].result, booking)
    for name, params in asked:
        assert same_json(METHODS[name].result, dispatch(call, name, params)), name


@pytest.mark.skipif(not CONVERSATION.exists(), reason="no recorded conversation here")
def test_every_recorded_staff_answer_fits_its_model() -> None:
    """The recorded protocol conversation: every method, by staff callers."""
    asked: dict[str, str] = {}
    checked = set()
    for line in CONVERSATION.read_text().splitlines():
        request = re.match(r"^(\w+)> (\{.*)$", line)
        if request:
            caller, sent = request.groups()
            if caller not in ("website", "visitor"):
                asked[caller] = json.loads(sent)["method"]
            continue
        reply = json.loads(line) if line.startswith("{") else {}
        name = next(iter(asked.values()), None) if "result" in reply else None
        if name in METHODS:
            assert same_json(METHODS[name].result, reply["result"]), name
            checked.add(name)
        asked.clear()
    assert checked
