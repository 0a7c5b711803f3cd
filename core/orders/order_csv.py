"""The rows of a bulk order, from a CSV file or the desk's table: session, name, email, date of
birth, and optionally phone and special requirements. The first bad row is named by its row
number (the header is row 1, after any blank lines) and its field. ``read_csv`` reads a
file's cells by column, for ``parse_csv`` and for the desk's table (which shows a file's
rows to edit before they are checked)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from core.booking.attendees import HOW_TO_TYPE, AttendeeInput
from core.infra.errors import ValidationFailed

COLUMNS = ("session", "name", "email", "date_of_birth")
OPTIONAL = ("phone", "special_requirements")
MAX_ROWS = 200
MAX_BYTES = 256 * 1024
SEPARATORS = (",", "\t", ";")
# Headings as people write them, letters and digits only, and the column each one names.
HEADINGS = {
    "session": "session",
    "sessionid": "session",
    "sessionnumber": "session",
    "name": "name",
    "fullname": "name",
    "email": "email",
    "emailaddress": "email",
    "dob": "date_of_birth",
    "dateofbirth": "date_of_birth",
    "birthdate": "date_of_birth",
    "phone": "phone",
    "phonenumber": "phone",
    "telephone": "phone",
    "mobile": "phone",
    "specialrequirements": "special_requirements",
}


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


SHOWN = 60
"""At most this much of a refused value is quoted back (a whole page pasted into one cell
would otherwise fill the message)."""


def _fail(
    row: int, field: str, problem: str, then: str = "Nothing was booked."
) -> ValidationFailed:
    return ValidationFailed(f"Row {row}, field {field}: {problem}. {then}".rstrip(), row=row)


def _quoted(value: Any) -> str:
    """``value`` as the message quotes it: control characters written out, a long text cut."""
    if isinstance(value, str) and len(value) > SHOWN:
        return f"{value[:SHOWN]!r}... ({len(value):,} characters)"
    return repr(value)


def _session_id(row: int, raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or int(text) < 1:
        raise _fail(row, "session", f"{_quoted(text)} is not a session number")
    return int(text)


def _reason(field: str, err: Any) -> str:
    """Our own check's reason (``it is not a date``), else what to type, as a booking says it
    (never the validation library's words: ``String should have at most 1000 characters``)."""
    why = (err.get("ctx") or {}).get("error")
    if err["type"] == "value_error" and field != "email" and why:
        return str(why)
    return HOW_TO_TYPE.get(field, "check what was typed")


def parse_row(row: int, values: dict[str, Any]) -> OrderRow:
    """One row; ``values`` has the column names as keys."""
    session_id = _session_id(row, str(values.get("session") or ""))
    fields = {k: values.get(k) or None for k in (*COLUMNS[1:], *OPTIONAL)}
    try:
        person = AttendeeInput.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "details"
        shown = values.get(field)
        problem = (
            f"{_quoted(shown)} is not valid ({_reason(field, first)})" if shown else "is missing"
        )
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


def read_csv(
    text: str,
    *,
    delimiter: str = ",",
    columns: Sequence[str] | None = None,
    needs: Sequence[str] = COLUMNS,
    then: str = "Nothing was booked.",
) -> list[tuple[int, dict[str, str]]]:
    """CSV text as (row number, cells by column name), the cells not yet checked: the first
    row that is not blank names the columns (``column_of``; its separator is ``separator``'s),
    or with ``columns`` there is no header and the cells are in that order. Refused: text
    over 256 KB, a header without the ``needs`` columns or naming one twice, a row with more
    cells than columns, over 200 rows. Blank rows are skipped; ``then`` ends a row's refusal
    (what was not done)."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ValidationFailed(f"The CSV file is over {MAX_BYTES // 1024} KB; split the order.")
    text = text.lstrip("\ufeff")
    if columns is None:
        delimiter = separator(next((ln for ln in text.splitlines() if ln.strip()), ""), delimiter)
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter, strict=True)
    try:
        lines = list(reader)
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise ValidationFailed(
                f"The CSV file has a cell over {csv.field_size_limit() // 1024} KB; shorten it."
            ) from None
        if "end of data" in str(exc):  # a quote opened and never closed took the rows after it
            raise ValidationFailed(
                'The CSV file cannot be read: a quote (") is opened and never closed, so every '
                "row after it would be read as one cell; close the quote."
            ) from None
        raise ValidationFailed(
            f"The CSV file cannot be read near row {reader.line_num}: {exc}."
        ) from None
    if columns is None:
        top = next((n for n, line in enumerate(lines, 1) if any(c.strip() for c in line)), 0)
        if not top:
            raise ValidationFailed("The CSV file is empty.")
        header = _header(lines[top - 1], needs, top)
        first = top + 1
    else:
        header, first = list(columns), 1
    items = []
    for number, line in enumerate(lines[first - 1 :], start=first):
        if not any(cell.strip() for cell in line):
            continue
        if len(line) > len(header):
            raise _fail(
                number,
                header[-1],
                f"the row has {len(line)} cells, the {'table' if columns else 'header'} "
                f"{len(header)}",
                then,
            )
        unnamed = next((c for h, c in zip(header, line, strict=False) if not h and c.strip()), None)
        if unnamed is not None:  # a cell no column is named for would be dropped: refuse it
            raise _fail(
                number,
                "(a column with no name)",
                f"{_quoted(unnamed)} is under a column the header does not name; name it or "
                "take it out",
                then,
            )
        items.append((number, dict(zip(header, line, strict=False))))
    if len(items) > MAX_ROWS:
        raise ValidationFailed(f"An order can have at most {MAX_ROWS} rows; split it in two.")
    return items


def separator(header: str, usual: str = ",") -> str:
    """What separates the cells of a header row: of commas, tabs (a spreadsheet's copy) and
    semicolons (a CSV saved where decimals are written with commas), the one that splits it
    into the most cells, quotes respected; ``usual`` when none splits it more."""

    def cells(candidate: str) -> int:
        return len(next(csv.reader([header], delimiter=candidate), []))

    return max((usual, *SEPARATORS), key=cells)


def column_of(heading: str) -> str:
    """The column a header cell names: ``E-mail``, ``DateOfBirth``, ``DOB``, ``Special
    requirements`` and ``Phone number`` are ``email``, ``date_of_birth``, ``date_of_birth``,
    ``special_requirements`` and ``phone``; any other heading, lower-cased with its spaces,
    hyphens and underscores made one underscore."""
    plain = heading.strip().casefold()
    return HEADINGS.get(re.sub(r"[^0-9a-z]", "", plain), re.sub(r"[\s_-]+", "_", plain))


def _header(cells: list[str], needs: Sequence[str], number: int) -> list[str]:
    """The columns the header row (row ``number``) names, refused when one would be lost,
    named twice or missing."""
    header = [column_of(h) for h in cells]
    near = next(
        (
            cells[i].strip()
            for i, h in enumerate(header)
            if h not in (*COLUMNS, *OPTIONAL) and ("requirement" in h or "need" in h)
        ),
        None,
    )
    if near is not None:  # a person's needs in a column that would not be read: never lost
        raise ValidationFailed(
            f"Row {number} (the header): the column {near!r} would not be kept with the bookings; "
            "name it special_requirements, or take it out."
        )
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise ValidationFailed(
            f"Row {number} (the header) names the column {twice[0]} twice; keep one of them."
        )
    missing = [c for c in needs if c not in header]
    if missing:
        raise ValidationFailed(
            f"Row {number} (the header) lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; it needs {', '.join(needs)}."
        )
    return header


def parse_csv(text: str) -> list[OrderRow]:
    """Rows from CSV text with a header naming at least the four columns."""
    items = read_csv(text)
    if not items:
        raise ValidationFailed("The CSV file has a header but no people.")
    rows = [parse_row(n, values) for n, values in items]
    check_people(rows)
    return rows
