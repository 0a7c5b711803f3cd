"""What every command needs: the configured database, argument types, JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from typing import Any

from core.infra.db import Database, migrate, open_database
from core.models.base import LARGEST


def database(*, migrated: bool = True) -> Database:
    """Open the configured database, bringing its schema up to date first."""
    db = open_database()
    if migrated:
        migrate(db)
    return db


DATE_FORMS = "YYYY-MM-DD or DD/MM/YYYY"
FIRST_YEAR, LAST_YEAR = 1900, 2999
"""Dates outside these years are typing mistakes (and 9999-12-31 has no day after it)."""


def shown(text: str, limit: int = 60) -> str:
    """What was typed, quoted for an error line: a very long entry is cut short."""
    return repr(text if len(text) <= limit else f"{text[:limit]}...")


def date_arg(text: str) -> date:
    """A date as a script writes it (2026-09-09) or as the desk shows it (09/09/2026)."""
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise argparse.ArgumentTypeError(
                f"{shown(text)} is outside the years {FIRST_YEAR} to {LAST_YEAR}"
            )
        return day
    raise argparse.ArgumentTypeError(f"{shown(text)} is not a date; type it as {DATE_FORMS}")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    if value > LARGEST:  # no id or count in the database goes further
        raise argparse.ArgumentTypeError(f"{shown(text)} must be at most {LARGEST}")
    return value


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)
