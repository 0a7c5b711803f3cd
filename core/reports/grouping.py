"""Running a grouped aggregate: one SQL statement, its rows labelled by their dimension."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import Label

from core.reports.dimensions import Dimension

Source = Callable[[Select[Any]], Select[Any]]


def grouped(
    tx: Session, dim: Dimension, measures: Sequence[Label[Any]], source: Source
) -> list[dict[str, Any]]:
    """``SELECT keys, measures FROM source GROUP BY keys``; every measure is a whole number.

    ``source`` adds the FROM clause, joins and WHERE conditions. Each row comes back as a
    dict of the measure labels plus ``group_id``, ``group`` and the dimension's extras.
    """
    keys = dim.keys()
    stmt = dim.join(source(select(*keys, *measures)))
    stmt = stmt.group_by(*keys)
    out = []
    for row in tx.execute(stmt):
        values = tuple(row)
        key_values = values[: len(keys)]
        group_id, group = dim.describe(key_values)
        item: dict[str, Any] = {"group_id": group_id, "group": group, **dim.extra(key_values)}
        for label, value in zip(measures, values[len(keys) :], strict=True):
            item[label.name] = int(value or 0)
        out.append(item)
    return sorted(out, key=dim.order)  # the same order on every engine (collations differ)


def summed(rows: list[dict[str, Any]], keys: Sequence[str]) -> dict[str, Any]:
    """Totals of already aggregated group rows (a handful of numbers, not raw data)."""
    return {"group_id": "", "group": "Total", **{k: sum(r[k] for r in rows) for k in keys}}
