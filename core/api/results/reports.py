"""Results of running reports."""

from __future__ import annotations

from core.api.results.base import Instant, JsonObject, Result


class ReportColumn(Result):
    """``reports.run.columns[]``."""

    key: str
    label: str
    kind: str


class Report(Result):
    """``reports.run``."""

    name: str
    title: str
    by: str | None
    columns: list[ReportColumn]
    rows: list[JsonObject]
    chart: JsonObject
    filters: JsonObject
    totals: JsonObject | None
    notes: list[str]
    generated_at: Instant
