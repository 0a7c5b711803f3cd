"""The numbers behind a report's chart, shaped for any renderer (PDF here, QtCharts on desk)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.reports.dimensions import WEEKDAYS, month_label
from core.reports.model import Report

HEAT_DAYS = (*WEEKDAYS[1:], WEEKDAYS[0])  # Monday first


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | None]  # None: nothing to show there (not zero)


@dataclass(frozen=True)
class ChartData:
    kind: str  # bar | line
    categories: list[str]
    series: list[Series]
    x_label: str
    y_label: str
    money: bool


@dataclass(frozen=True)
class HeatGrid:
    days: list[str]
    times: list[str]
    values: list[list[float | None]]  # [day][time]
    label: str


def _category(report: Report, key: str, value: object) -> str:
    kind = next((c.kind for c in report.columns if c.key == key), "text")
    text = str(value)
    if kind == "month" or (report.by == "month" and key == "group"):
        return month_label(text)
    if kind == "date" or (report.by == "week" and key == "group"):
        day = date.fromisoformat(text)
        return f"{day.day} {day:%b}"
    return text


def chart_data(report: Report) -> ChartData:
    """Categories along x and one value list per series (pence shown as pounds)."""
    chart = report.chart
    x = chart["x"]
    money = chart.get("kind") == "money"
    labels = {c.key: c.label for c in report.columns}
    categories: list[str] = []  # only what has something to show
    sums: dict[str, dict[str, float]] = {s: {} for s in chart["series"]}
    for row in report.rows:
        cat = _category(report, x, row[x])
        if cat not in categories:
            categories.append(cat)
        for s in chart["series"]:
            if row.get(s) is None:
                continue
            value = float(row[s]) / (100 if money else 1)
            sums[s][cat] = sums[s].get(cat, 0.0) + value
    return ChartData(
        kind="line" if chart["type"] == "line" else "bar",
        categories=categories,
        series=[Series(labels.get(s, s), [sums[s].get(c) for c in categories]) for s in sums],
        x_label=chart.get("x_label", ""),
        y_label=chart.get("y_label", ""),
        money=money,
    )


def heat_grid(report: Report) -> HeatGrid:
    """Weekday rows (Monday first) by start-time columns, one value per cell or None."""
    value_key = report.chart["value"]
    times = sorted({r["start_time"] for r in report.rows})
    days = [d for d in HEAT_DAYS if any(r["weekday"] == d for r in report.rows)] or list(
        HEAT_DAYS[:5]
    )
    cells: dict[tuple[str, str], float] = {
        (r["weekday"], r["start_time"]): float(r[value_key])
        for r in report.rows
        if r.get(value_key) is not None
    }
    label = next((c.label for c in report.columns if c.key == value_key), value_key)
    return HeatGrid(
        days=days,
        times=times,
        values=[[cells.get((d, t)) for t in times] for d in days],
        label=label,
    )
