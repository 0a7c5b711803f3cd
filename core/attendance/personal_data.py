"""Registers and certificates in a person's data export and erasure (``core.customers.privacy``).

Attendance, outcomes and certificate facts stay (they are the training record); notes are
free text about the person and are blanked on erasure. The certificate holder's name is
the attendee's, so blanking the attendee covers it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.models.attendance import AttendanceMark, AttendanceOp, Certificate


def export_for(tx: Session, attendee_ids: Iterable[int]) -> dict[str, Any]:
    """The register marks and certificates of these attendee records."""
    ids = list(attendee_ids)
    marks = tx.scalars(
        select(AttendanceMark)
        .where(AttendanceMark.attendee_id.in_(ids))
        .order_by(AttendanceMark.attendee_id, AttendanceMark.day_index, AttendanceMark.field)
    )
    certificates = tx.scalars(select(Certificate).where(Certificate.attendee_id.in_(ids)))
    return {
        "register": [
            {
                "attendee_id": m.attendee_id,
                "day": m.day_index + 1,
                "field": m.field,
                "value": m.value,
                "time": m.time,
            }
            for m in marks
        ],
        "certificates": [
            {
                "number": c.number,
                "course": c.course_name,
                "issued": c.issued_on.isoformat(),
                "expires": c.expires_on.isoformat() if c.expires_on else None,
            }
            for c in certificates
        ],
    }


def erase_for(tx: Session, attendee_ids: Iterable[int]) -> int:
    """Blank the register notes (current and history) of these attendee records."""
    ids = list(attendee_ids)
    blanked = 0
    for model in (AttendanceMark, AttendanceOp):
        result = tx.execute(
            update(model)
            .where(model.attendee_id.in_(ids), model.field == "note")
            .values(value=None)
            .execution_options(synchronize_session=False)
        )
        blanked += int(getattr(result, "rowcount", 0) or 0)
    return blanked
