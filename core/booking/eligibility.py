"""Who may book a requalification course: one rule for the desk, the website and ``rft book``.

A requalification course (one that ``requalifies`` a full course) is for people whose
certificate in that course is still valid on the first course day, or ran out at most the
course's ``requalification_grace_days`` before it. The certificate is one issued here,
found by the attendee's email (its keyed hash), or one staff declare with its number and
expiry date. Anyone else is refused with the reason and the full course offered instead;
staff may override with a written reason. Declarations and overrides go in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.infra.actor import Actor
from core.infra.clock import LONDON, uk_date
from core.infra.errors import DomainError, Forbidden, ValidationFailed
from core.journal import audit
from core.models import Attendee, Course, CourseSession
from core.models.attendance import Certificate
from core.models.base import blind_index


class NotEligible(DomainError):
    """An attendee may not take a requalification course; ``data`` names the full course."""

    code = "not_eligible"
    rpc_code = -32016


class Person(Protocol):
    """Whoever is being checked: an attendee being booked, or a name and email asked about."""

    @property
    def name(self) -> str: ...

    @property
    def email(self) -> str: ...


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DeclaredCertificate(Params):
    """A certificate staff have seen: attendee ``attendee`` (1 = first) holds ``number``."""

    attendee: int = Field(ge=1, le=12)
    number: str = Field(min_length=3, max_length=40)
    expires: date


class EligibilityInput(Params):
    """What staff add to a requalification booking: declared certificates, or an override."""

    certificates: list[DeclaredCertificate] = Field(default_factory=list, max_length=12)
    override_reason: str | None = Field(default=None, min_length=5, max_length=500)


@dataclass
class Checked:
    """The outcome of ``check``: audit entries to record once the booking exists."""

    declared: list[DeclaredCertificate] = field(default_factory=list)
    overridden: list[str] = field(default_factory=list)
    override_reason: str | None = None

    def record(self, tx: Session, actor: Actor, reference: str) -> None:
        for cert in self.declared:
            audit.record(
                tx,
                actor,
                "eligibility.declared",
                "booking",
                reference,
                after={
                    "attendee": cert.attendee,
                    "number": cert.number,
                    "expires": cert.expires.isoformat(),
                },
            )
        if self.overridden:
            audit.record(
                tx,
                actor,
                "eligibility.override",
                "booking",
                reference,
                after={"refused": self.overridden},
                reason=self.override_reason,
            )


def _ours(number: str) -> bool:
    return number.strip().upper().startswith("RFT-C")


def _expiry_on_record(tx: Session, email: str, family: tuple[str, str]) -> date | None:
    return tx.scalar(
        select(func.max(Certificate.expires_on))
        .join(Attendee, Attendee.id == Certificate.attendee_id)
        .where(Attendee.email_hash == blind_index(email), Certificate.course_id.in_(family))
    )


def _declared_expiry(tx: Session, cert: DeclaredCertificate, family: tuple[str, str]) -> date:
    """A number we issued is checked against our record; another body's is taken as declared."""
    if not _ours(cert.number):
        return cert.expires
    found = tx.scalar(select(Certificate).where(Certificate.number == cert.number.strip().upper()))
    if found is None:
        raise ValidationFailed(f"There is no certificate numbered {cert.number.strip()}.")
    if found.course_id not in family or found.expires_on is None:
        raise ValidationFailed(
            f"Certificate {found.number} is for {found.course_name}, which this course does "
            "not requalify."
        )
    return found.expires_on


def refusal(
    person: Person, n: int, expiry: date | None, full: Course, grace: int, staff: bool
) -> str:
    """Why attendee ``n`` may not requalify (dates on record are shown to staff only)."""
    who = f"Attendee {n} ({person.name})"
    if expiry is None:
        return f"{who} has no {full.name} certificate on record"
    seen = f" (it expired on {uk_date(expiry)})" if staff else ""
    return f"{who}'s {full.name} certificate ran out more than {grace} days before the course{seen}"


def check_people(
    tx: Session,
    session: CourseSession,
    people: Sequence[Person],
    actor: Actor,
    given: EligibilityInput | None = None,
) -> Checked:
    """Allow, refuse (``NotEligible``) or, with a staff override, allow and note the refusal."""
    given = given or EligibilityInput()
    if (given.certificates or given.override_reason) and not actor.is_staff:
        raise Forbidden("Only staff may declare certificates or override eligibility.")
    course = session.course
    beyond = [c.attendee for c in given.certificates if c.attendee > len(people)]
    if beyond:
        raise ValidationFailed(
            f"A certificate is declared for attendee {beyond[0]}, "
            f"but the booking has {len(people)}."
        )
    full = tx.get(Course, course.requalifies_id) if course.requalifies_id else None
    if full is None:
        return Checked()
    family = (full.id, course.id)
    first_day = session.start_at.astimezone(LONDON).date()
    grace = course.requalification_grace_days
    declared = {c.attendee: c for c in given.certificates}
    refused = []
    for n, person in enumerate(people, start=1):
        claim = declared.get(n)
        if claim is not None:
            expiry: date | None = _declared_expiry(tx, claim, family)
        else:
            expiry = _expiry_on_record(tx, str(person.email), family)
        if expiry is None or expiry + timedelta(days=grace) < first_day:
            refused.append(refusal(person, n, expiry, full, grace, actor.is_staff))
    if refused and not given.override_reason:
        raise NotEligible(
            f"{'; '.join(refused)}. {course.name} is only for people whose certificate is in "
            f"date or ran out at most {grace} days before it starts: book {full.name} instead.",
            full_course=full.id,
            full_course_name=full.name,
            reasons=refused,
        )
    return Checked(list(given.certificates), refused, given.override_reason)
