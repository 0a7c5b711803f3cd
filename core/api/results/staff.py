"""Results of signing in, staff and trainer records, the audit log and the change feed."""

from __future__ import annotations

from datetime import date

from core.api.results.base import Instant, JsonObject, Result


class AuditExport(Result):
    """``audit.export_csv``."""

    rows: int
    csv: str


class AuditChange(Result):
    """``audit.list[].changes[]``."""

    field: str
    before: str
    after: str


class AuditEntry(Result):
    """``audit.list[]``."""

    id: int
    at: Instant
    when: str
    actor: str
    role: str
    channel: str
    action: str
    entity: str
    entity_id: str
    before: JsonObject | None
    after: JsonObject | None
    changes: list[AuditChange]
    reason: str | None


class Identity(Result):
    """``auth.authenticate.identity``, ``auth.login.identity``."""

    user_id: int | None
    name: str
    email: str | None
    role: str | None
    channel: str
    expires_at: Instant | None
    signin: str | None


class Authenticated(Result):
    """``auth.authenticate``, ``auth.authenticate (website)``."""

    identity: Identity


class Tokens(Result):
    """``auth.login``, ``auth.refresh``."""

    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str
    identity: Identity


class SignedOut(Result):
    """``auth.logout``."""

    signed_out: bool


class Head(Result):
    """``changes.head``."""

    head: int


class Change(Result):
    """``changes.since.changes[]``."""

    seq: int
    at: Instant
    kind: str
    id: str
    data: JsonObject


class Changes(Result):
    """``changes.since``."""

    changes: list[Change]
    last_seq: int
    more: bool


class Subscribed(Result):
    """``changes.subscribe``."""

    after_seq: int
    head: int


class StaffMember(Result):
    """A staff account (``staff.*``); ``otpauth_uri`` when a second factor is due."""

    id: int
    email: str
    name: str
    role: str
    active: bool
    mfa_required: bool
    mfa_enrolled: bool
    locked_until: Instant | None
    otpauth_uri: str | None = None


class MfaReset(Result):
    """``staff.reset_mfa``."""

    otpauth_uri: str


class Qualification(Result):
    """``trainers.add_qualification.qualifications[]``."""

    id: int
    title: str
    courses: list[str]
    expires_on: date
    expiring: bool
    warning: str | None


class Unavailability(Result):
    """``trainers.add_qualification.unavailable[]``."""

    day: date
    reason: str


class Trainer(Result):
    """A trainer with courses, qualifications and days away (``trainers.*``)."""

    id: int
    email: str
    name: str
    active: bool
    courses: list[str]
    qualifications: list[Qualification]
    unavailable: list[Unavailability]
    flagged: bool
    warnings: list[str]
