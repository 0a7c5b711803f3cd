"""Reports as text: CSV (UTF-8, ISO dates, pounds with two decimals) and an aligned table."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from core.infra.clock import uk_date
from core.infra.money import gbp, pounds
from core.reports.dimensions import month_label
from core.reports.model import Column, Report


def machine_value(column: Column, value: Any) -> str:
    """A cell for CSV: pounds ``1234.50``, percentages ``75.0``, ISO dates."""
    if value is None:
        return ""
    if column.kind == "money":
        return pounds(int(value))
    if column.kind in ("pct", "days"):
        return f"{float(value):.1f}"
    return str(value)


def display_value(column: Column, value: Any) -> str:
    """A cell for people: ``£1,234.50``, ``75.0%``, ``Tue 3 Mar 2026``, ``Mar 2026``."""
    if value is None or value == "":
        return "" if value == "" else "-"
    if column.kind == "money":
        return gbp(int(value))
    if column.kind == "pct":
        return f"{float(value):.1f}%"
    if column.kind == "days":
        return f"{float(value):.1f}"
    if column.kind == "date" and len(str(value)) == 10:
        return uk_date(date.fromisoformat(str(value)))
    if column.kind == "month" and len(str(value)) == 7:
        return month_label(str(value))
    if column.kind == "int":
        return f"{int(value):,}"
    return str(value)


def csv_columns(report: Report) -> list[Column]:
    """CSV adds the group's id next to its label so rows can be matched by machine."""
    if report.columns[0].key != "group":
        return report.columns
    return [report.columns[0], Column("group_id", "group_id", "text"), *report.columns[1:]]


def to_csv(report: Report) -> str:
    """One header row of column keys, then the rows; no totals row (sum it yourself)."""
    columns = csv_columns(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    for row in report.rows:
        writer.writerow([machine_value(c, row.get(c.key)) for c in columns])
    return out.getvalue()


def display_rows(report: Report, with_totals: bool = True) -> list[list[str]]:
    rows = [[display_value(c, r.get(c.key)) for c in report.columns] for r in report.rows]
    if with_totals and report.totals:
        first = report.columns[0].key
        totals = {**report.totals, first: "Total"}
        rows.append([display_value(c, totals.get(c.key, "")) for c in report.columns])
    return rows


def filter_summary(report: Report) -> str:
    f = report.filters
    parts = []
    if f.get("date_from") and f.get("date_to"):
        parts.append(
            f"{uk_date(date.fromisoformat(f['date_from']))} to "
            f"{uk_date(date.fromisoformat(f['date_to']))}"
        )
    if f.get("venue"):
        parts.append(f"venue {f['venue']}")
    if f.get("course"):
        parts.append(f"course {f['course']}")
    return ", ".join(parts) or "all data"


def to_table(report: Report) -> str:
    headers = [c.label for c in report.columns]
    rows = display_rows(report)
    widths = [max(len(x) for x in col) for col in zip(headers, *rows, strict=False)]
    numeric = [c.kind in ("int", "pct", "money", "days") for c in report.columns]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(w) if num else cell.ljust(w)
            for cell, w, num in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    out = [f"{report.title} ({filter_summary(report)})", "", line(headers)]
    out.append("  ".join("-" * w for w in widths))
    out += [line(r) for r in rows] if rows else ["(no data in this range)"]
    out += ["", *(f"Note: {n}" for n in report.notes)]
    return "\n".join(out)
