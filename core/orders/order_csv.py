"""The rows of a bulk order, from a CSV file or the desk's table: session, name, email, date of
birth, and optionally phone and special requirements. The first bad row is named by its row
number (the header is row 1, after any blank lines) and its field. ``read_csv`` reads a
file's cells by column, for ``parse_csv`` and for the desk's table (which shows a file's
rows to edit before they are checked)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from core.booking.attendees import HOW_TO_TYPE, AttendeeInput
from core.infra.errors import ValidationFailed
from core.models.base import LARGEST

COLUMNS = ("session", "name", "email", "date_of_birth")
OPTIONAL = ("phone", "special_requirements")
MAX_ROWS = 200
MAX_BYTES = 256 * 1024
SEPARATORS = ("\t", ",", ";")  # a tie goes to the first: tabs, which cells rarely hold
# Headings as people write them, letters and digits only, and the column each one names
# (a heading with "phone" or "mobile" in it names the phone: ``column_of``).
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
    "tel": "phone",
    "telno": "phone",
    "specialrequirements": "special_requirements",
    "specialreqs": "special_requirements",
}
_PHONE = re.compile(r"phone|mobile")  # Work phone, Mobile number, Telephone no...
_SOMEONE_ELSES = re.compile(r"emergency|contact|kin|manager")  # not the person's own phone
_NEEDS = re.compile(
    r"requirement|need|reqs|medical|allerg|disab|access|adjust|condition|dietary|note|comment"
)


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


def session_number(text: str) -> int | None:
    """The session number ``text`` is (ASCII digits, within a database id's range), or None."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 10 and 1 <= int(text) <= LARGEST:
        return int(text)
    return None


def _session_id(row: int, raw: str) -> int:
    number = session_number(raw)
    if number is None:
        raise _fail(row, "session", f"{_quoted(raw.strip())} is not a session number")
    return number


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


@dataclass(frozen=True)
class Table:
    """CSV text read: (row number, cells by column name) for each row that is not blank, the
    cells not yet checked; and the headings of the columns with something in them that an
    order does not keep (an employee number), to be shown, never dropped without a word."""

    items: list[tuple[int, dict[str, str]]]
    not_read: list[str]


def read_csv(
    text: str,
    *,
    delimiter: str = ",",
    columns: Sequence[str] | None = None,
    needs: Sequence[str] = COLUMNS,
    then: str = "Nothing was booked.",
) -> Table:
    """The first row with a letter or digit in it names the columns (``column_of``; its
    separator is ``separator``'s); with ``columns``, unless it names two of ``columns``, it
    is the first person's row and the cells are in ``columns``' order. Refused: text over
    256 KB, a header without the ``needs`` columns or naming one twice, a row with more cells
    than columns, a cell under a column with no name, over 200 rows. ``then`` ends a row's
    refusal (what was not done)."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ValidationFailed(f"The CSV file is over {MAX_BYTES // 1024} KB; split the order.")
    text = text.lstrip("\ufeff")
    delimiter = separator(next((ln for ln in text.splitlines() if _says(ln)), ""), delimiter)
    lines = _records(text, delimiter)
    top = next((n for n, line in enumerate(lines, 1) if any(map(_says, line))), 0)
    if not top:
        if columns is None:
            raise ValidationFailed("The CSV file is empty.")
        return Table([], [])
    headings = [h.strip() for h in lines[top - 1]]
    if columns is None or sum(column_of(h) in columns for h in headings) >= 2:
        header = _header(headings, needs, top)
        first = top + 1
    else:  # no header: the cells in the table's order
        headings, header, first = list(columns), list(columns), top
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
    kept = (*COLUMNS, *OPTIONAL)
    not_read = [
        heading
        for heading, name in zip(headings, header, strict=True)
        if name not in kept and any(cells.get(name, "").strip() for _n, cells in items)
    ]
    return Table(items, not_read)


def _says(text: str) -> bool:
    """Whether ``text`` has a letter or digit in it: a line of bare separators (a
    spreadsheet's empty first row, ``;;;;``) says nothing."""
    return any(ch.isalnum() for ch in text)


def _records(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter, strict=True)
    try:
        return list(reader)
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


def separator(header: str, usual: str = ",") -> str:
    """What separates the cells of a header row: of tabs (a spreadsheet's copy), commas and
    semicolons (a CSV saved where decimals are written with commas), the one that splits it
    into the most cells, quotes respected; on a tie tabs, then ``usual``."""

    def cells(candidate: str) -> int:
        try:
            return len(next(csv.reader([header], delimiter=candidate), []))
        except csv.Error:  # a cell over the size limit: refused with its message when read
            return 0

    return max(dict.fromkeys(("\t", usual, *SEPARATORS)), key=cells)


def column_of(heading: str) -> str:
    """The column a header cell names: ``E-mail``, ``DateOfBirth``, ``DOB``, ``Special
    requirements`` and ``Mobile number`` are ``email``, ``date_of_birth``, ``date_of_birth``,
    ``special_requirements`` and ``phone``; a heading with no letter or digit (``*``) names
    no column; any other, lower-cased, its spaces, hyphens and underscores one underscore."""
    plain = unicodedata.normalize("NFKC", heading).strip().casefold()
    if not _says(plain):
        return ""
    compact = re.sub(r"[^0-9a-z]", "", plain)
    if compact in HEADINGS:
        return HEADINGS[compact]
    if _PHONE.search(compact) and not _SOMEONE_ELSES.search(compact):
        return "phone"
    return re.sub(r"[\s_-]+", "_", plain)


def _header(headings: list[str], needs: Sequence[str], number: int) -> list[str]:
    """The columns the header row (row ``number``) names, refused when a person's needs would
    not be kept, or a column is named twice or missing."""
    header = [column_of(h) for h in headings]
    near = next(
        (
            heading
            for heading, name in zip(headings, header, strict=True)
            if name not in (*COLUMNS, *OPTIONAL) and _NEEDS.search(re.sub(r"[^0-9a-z]", "", name))
        ),
        None,
    )
    if near is not None:  # a person's needs in a column that would not be read: never lost
        raise ValidationFailed(
            f"Row {number} (the header): the column {near!r} would not be kept with the "
            "bookings; name it special_requirements, or take it out."
        )
    named = Counter(h for h in header if h)
    twice = sorted(h for h, n in named.items() if n > 1)
    if twice:
        raise ValidationFailed(
            f"Row {number} (the header) names the column {twice[0]} twice; keep one of them."
        )
    missing = [c for c in needs if c not in named]
    if missing:
        raise ValidationFailed(
            f"Row {number} (the header) lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; it needs {', '.join(needs)}."
        )
    return header


def parse_csv(text: str) -> tuple[list[OrderRow], list[str]]:
    """Rows from CSV text with a header naming at least the four columns, and the headings
    of the columns not read (``Table.not_read``)."""
    table = read_csv(text)
    if not table.items:
        raise ValidationFailed("The CSV file has a header but no people.")
    rows = [parse_row(n, values) for n, values in table.items]
    check_people(rows)
    return rows, table.not_read
