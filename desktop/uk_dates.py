"""One way to type a date at the desk: ``02/12/2026`` (day/month/year), everywhere.

Dates are shown as ``Wed 2 Dec 2026`` (``core.infra.clock.uk_date``) and typed as ``dd/mm/yyyy``:
every date field is made by ``date_edit``, and typed text in tables is read by ``parse``.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QWidget

QT_FORMAT = "dd/MM/yyyy"
HINT = "Type the date as dd/mm/yyyy, e.g. 02/12/2026"


def typed(day: date) -> str:
    """``02/12/2026``: the date as it is typed."""
    return f"{day:%d/%m/%Y}"


def parse(text: str) -> date:
    """A typed ``dd/mm/yyyy`` date; ``ValueError`` with the expected form otherwise."""
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a date written as dd/mm/yyyy") from None


def date_edit(day: date, name: str = "", parent: QWidget | None = None) -> QDateEdit:
    """A date field showing and taking ``dd/mm/yyyy``, with a calendar to pick from."""
    edit = QDateEdit(QDate(day.year, day.month, day.day), parent)
    edit.setDisplayFormat(QT_FORMAT)
    edit.setCalendarPopup(True)
    edit.setToolTip(HINT)
    if name:
        edit.setAccessibleName(name)
    return edit
