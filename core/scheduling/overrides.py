"""Deciding whether a plan that breaks teaching rules may go ahead, and recording why it did.

Only an admin may override, only overridable rules, and only with a written reason; each
override is saved against the session and in the audit log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.errors import Forbidden, ValidationFailed
from core.journal import audit
from core.models import CourseSession
from core.models.admin import RuleOverride
from core.scheduling.rules import Failure, TeachingRuleBroken, describe

MIN_REASON = 5


def allow(
    actor: Actor, failures: list[Failure], override: str | None, when: datetime | None = None
) -> None:
    """Raise unless the plan may go ahead: no failures, or an admin's reasoned override."""
    if not failures:
        return
    data = {"failures": [f.to_json() for f in failures]}
    hard = [f for f in failures if not f.overridable]
    reason = (override or "").strip()
    if hard or not reason:
        raise TeachingRuleBroken(describe(failures, when), **data)
    if actor.role != "admin":
        raise Forbidden(
            describe(failures, when).removesuffix(
                " An admin may override this with a written reason."
            )
            + " Only an admin may override a teaching rule.",
            **data,
        )
    if len(reason) < MIN_REASON:
        raise ValidationFailed("Write a reason for the override (a few words at least).")


def record(
    tx: Session, actor: Actor, session: CourseSession, failures: list[Failure], reason: str | None
) -> None:
    """Save each overridden rule against the session, and the override in the audit log."""
    if not failures or not reason:
        return
    at = now()
    for f in failures:
        tx.add(
            RuleOverride(
                session_id=session.id,
                rule=f.rule,
                failure=f.message,
                reason=reason.strip(),
                actor=actor.label,
                at=at,
            )
        )
    tx.flush()
    audit.record(
        tx,
        actor,
        "session.override",
        "session",
        session.id,
        after={"rules": [f.to_json() for f in failures]},
        reason=reason.strip(),
    )
