"""``reports.run``: any management report, for managers and admins only."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, RootModel

from core import reports
from core.api.registry import Call, method
from core.api.results.reports import Report
from core.staff.roles import OFFICE


class RunParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    by: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    venue: str | None = None
    course: str | None = None


@method("reports.run", roles=OFFICE, params=RunParams, result=Report)
def run(call: Call, params: RunParams) -> dict[str, Any]:
    """The report's columns, rows (money in pence), totals, notes and chart hints."""
    flt = reports.ReportFilter(params.date_from, params.date_to, params.venue, params.course)
    with call.db.read() as tx:
        return reports.run(tx, params.name, flt, params.by).to_json()


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


@method("reports.list", roles=OFFICE, params=NoParams, result=RootModel[list[str]])
def list_reports(call: Call, params: NoParams) -> list[str]:
    """The report names ``reports.run`` accepts."""
    return list(reports.REPORT_NAMES)
