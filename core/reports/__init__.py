"""Management reports: utilisation, revenue, cancellations, lead time, conversion,
under-filled sessions and the requalification forecast.

Every figure is aggregated in the database (GROUP BY in SQL); Python only labels the
handful of grouped rows. ``run`` is the one entry point for the CLI, the API and the desktop.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from core.infra.clock import now
from core.infra.errors import ValidationFailed
from core.reports.cancellations import cancellations
from core.reports.conversion import conversion
from core.reports.forecast import forecast
from core.reports.lead_time import lead_time
from core.reports.model import Column, Report, ReportFilter, filters_json, stamp
from core.reports.revenue import revenue
from core.reports.underfilled import underfilled
from core.reports.utilisation import utilisation

Builder = Callable[[Session, ReportFilter, str | None], Report]
REPORTS: dict[str, Builder] = {
    "utilisation": utilisation,
    "revenue": revenue,
    "cancellations": cancellations,
    "lead-time": lead_time,
    "conversion": conversion,
    "underfilled": underfilled,
    "forecast": forecast,
}
REPORT_NAMES = tuple(REPORTS)
UNGROUPED = {"conversion": "channel", "underfilled": "", "forecast": ""}


def run(tx: Session, name: str, flt: ReportFilter | None = None, by: str | None = None) -> Report:
    """Build report ``name``; unknown names, ids and backwards ranges raise ValidationFailed."""
    builder = REPORTS.get(name)
    if builder is None:
        raise ValidationFailed(
            f"There is no report called {name!r}; choose one of {', '.join(REPORT_NAMES)}."
        )
    if by and name in UNGROUPED and by != UNGROUPED[name]:
        raise ValidationFailed(f"The {name} report cannot be grouped (leave out --by).")
    flt = flt or ReportFilter()
    flt.check(tx)
    if name != "forecast":
        flt = flt.resolved()
    report = builder(tx, flt, by)
    report.filters = filters_json(flt) | report.filters
    report.generated_at = stamp(now())
    return report


__all__ = ["REPORTS", "REPORT_NAMES", "Column", "Report", "ReportFilter", "run"]
