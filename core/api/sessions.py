"""``sessions.list``, ``sessions.get``, ``sessions.month``: what is on and how full it is."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, RootModel

from core.api import public
from core.api.params import Params
from core.api.public import STAFF_OR_WEBSITE
from core.api.registry import Call, method
from core.api.results.sessions import Month, Session
from core.seats import availability


class ListParams(Params):
    course: str | None = None
    venue: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    teaching_on: date | None = None
    search: str | None = Field(default=None, max_length=200)


class GetParams(Params):
    id: int = Field(ge=1)


class MonthParams(Params):
    year: int = Field(ge=2000, le=2100)
    month: int = Field(ge=1, le=12)
    course: str | None = None
    venue: str | None = None
    search: str | None = Field(default=None, max_length=200)


def _shown(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    return public.session(data) if public.is_website(call.actor) else data


@method("sessions.list", roles=STAFF_OR_WEBSITE, params=ListParams, result=RootModel[list[Session]])
def list_(call: Call, params: ListParams) -> list[dict[str, Any]]:
    flt = availability.SessionFilter(
        course=params.course,
        venue=params.venue,
        date_from=params.date_from,
        date_to=params.date_to,
        teaching_on=params.teaching_on,
        search=params.search,
    )
    with call.db.read() as tx:
        return [_shown(call, s.to_json()) for s in availability.list_sessions(tx, flt)]


@method("sessions.get", roles=STAFF_OR_WEBSITE, params=GetParams, result=Session)
def get(call: Call, params: GetParams) -> dict[str, Any]:
    with call.db.read() as tx:
        return _shown(call, availability.get_session(tx, params.id).to_json())


@method("sessions.month", roles=STAFF_OR_WEBSITE, params=MonthParams, result=Month)
def month(call: Call, params: MonthParams) -> dict[str, Any]:
    flt = availability.SessionFilter(course=params.course, venue=params.venue, search=params.search)
    with call.db.glance() as tx:
        return availability.month(tx, params.year, params.month, flt)
