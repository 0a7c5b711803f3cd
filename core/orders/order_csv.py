"""The rows of a bulk order, from a CSV file or the desk's table: session, name, email, date of
birth, and optionally phone and special requirements. The first bad row is named by its row
number (the header is row 1) and its field."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from core.booking.attendees import AttendeeInput
from core.infra.errors import ValidationFailed

COLUMNS = ("session", "name", "email", "date_of_birth")
OPTIONAL = ("phone", "special_requirements")
MAX_ROWS = 200
MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class OrderRow:
    row: int
    session_id: int
    person: AttendeeInput

    def to_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "session": self.session_id,
            "name": self.person.name,
            "email": str(self.person.email),
            "date_of_birth": self.person.date_of_birth.isoformat(),
            "phone": self.person.phone,
            "special_requirements": self.person.special_requirements,
        }


def _fail(row: int, field: str, problem: str) -> ValidationFailed:
    return ValidationFailed(f"Row {row}, field {field}: {problem}. Nothing was booked.", row=row)


def _session_id(row: int, raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or int(text) < 1:
        raise _fail(row, "session", f"{text!r} is not a session number")
    return int(text)


def parse_row(row: int, values: dict[str, Any]) -> OrderRow:
    """One row; ``values`` has the column names as keys."""
    session_id = _session_id(row, str(values.get("session") or ""))
    fields = {k: values.get(k) or None for k in (*COLUMNS[1:], *OPTIONAL)}
    try:
        person = AttendeeInput.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "details"
        msg = str(first["msg"]).removeprefix("Value error, ")
        shown = values.get(field)
        problem = f"{shown!r} is not valid ({msg})" if shown else "is missing"
        raise _fail(row, field, problem) from None
    return OrderRow(row, session_id, person)


def check_people(rows: list[OrderRow]) -> None:
    """The same person twice on one session is a mistake in the order, not two seats."""
    seen: dict[tuple[int, str], int] = {}
    for r in rows:
        key = (r.session_id, str(r.person.email).casefold())
        if key in seen:
            raise _fail(
                r.row,
                "email",
                f"{r.person.email} is already on session {r.session_id} in row {seen[key]}",
            )
        seen[key] = r.row


def parse_rows(items: list[dict[str, Any]]) -> list[OrderRow]:
    """Rows from the desk's table (numbered from 2, as if a header were row 1)."""
    if not items:
        raise ValidationFailed("The order has no people in it.")
    if len(items) > MAX_ROWS:
        raise ValidationFailed(f"An order can have at most {MAX_ROWS} rows; split it in two.")
    taken = (*COLUMNS, *OPTIONAL)
    for number, item in enumerate(items, start=2):
        unknown = next((k for k in item if k not in taken), None)
        if unknown is not None:  # a detail an order cannot keep is refused, never dropped
            raise _fail(
                number,
                str(unknown),
                f"an order row takes only {', '.join(taken[:-1])} and {taken[-1]}; leave it out",
            )
    rows = [parse_row(i + 2, item) for i, item in enumerate(items)]
    check_people(rows)
    return rows


def parse_csv(text: str) -> list[OrderRow]:
    """Rows from CSV text with a header naming at least the four columns."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ValidationFailed(f"The CSV file is over {MAX_BYTES // 1024} KB; split the order.")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise ValidationFailed(f"The CSV file cannot be read: {exc}.") from None
    if not lines:
        raise ValidationFailed("The CSV file is empty.")
    header = [h.strip().casefold().replace(" ", "_") for h in lines[0]]
    header = ["date_of_birth" if h in ("dob", "date_of_birth") else h for h in header]
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise ValidationFailed(
            f"Row 1 (the header) names the column {twice[0]} twice; keep one of them."
        )
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValidationFailed(
            f"Row 1 (the header) lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; it needs {', '.join(COLUMNS)}."
        )
    items = []
    for number, line in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in line):
            continue
        if len(line) > len(header):
            raise _fail(
                number, header[-1], f"the row has {len(line)} cells, the header {len(header)}"
            )
        items.append((number, dict(zip(header, line, strict=False))))
    if not items:
        raise ValidationFailed("The CSV file has a header but no people.")
    if len(items) > MAX_ROWS:
        raise ValidationFailed(f"An order can have at most {MAX_ROWS} rows; split it in two.")
    rows = [parse_row(n, values) for n, values in items]
    check_people(rows)
    return rows
