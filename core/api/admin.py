"""Admin methods: scheduling (``schedule.*``), trainers (``trainers.*``), catalogue edits,
staff accounts (``staff.*``) and the audit log (``audit.*``).

Office staff (admin and manager) schedule sessions and keep trainer records; only an admin
may override a teaching rule (checked in core), edit the catalogue, manage staff or read the
audit log. Handlers stay thin: the rules live in core.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from pydantic import Field, RootModel
from sqlalchemy import select

from core.api.params import NoParams, Params
from core.api.registry import Call, method
from core.api.results.sessions import (
    Course,
    OverriddenRule,
    RebookOffer,
    ScheduleChecked,
    Session,
    Venue,
)
from core.api.results.staff import AuditEntry, AuditExport, MfaReset, StaffMember, Trainer
from core.catalogue import admin as catalogue_admin
from core.catalogue.admin import CourseEdit, VenueEdit
from core.infra.actor import Actor
from core.infra.errors import Unauthenticated
from core.journal import audit
from core.models.admin import RebookingOffer, RuleOverride
from core.scheduling import SessionInput, check_plan, create_session, repeat_session
from core.scheduling.cancel import cancel_session
from core.scheduling.edit import SessionEdit, edit_session
from core.seats.availability import get_session
from core.staff import accounts as staff
from core.staff import trainers
from core.staff.roles import ADMIN, OFFICE


def _actor(call: Call) -> Actor:
    if call.actor is None:
        raise Unauthenticated("Please sign in first.")
    return call.actor


# --- scheduling -------------------------------------------------------------------------


class CheckParams(SessionInput):
    session_id: int | None = Field(default=None, ge=1)


class CreateParams(SessionInput):
    override: str | None = Field(default=None, max_length=1000)


class RepeatParams(CreateParams):
    every_weeks: int = Field(default=1, ge=1, le=26)
    count: int = Field(ge=1, le=52)


class EditParams(Params):
    id: int = Field(ge=1)
    version: int = Field(ge=1)
    changes: SessionEdit
    override: str | None = Field(default=None, max_length=1000)


class CancelParams(Params):
    id: int = Field(ge=1)
    reason: str = Field(min_length=1, max_length=1000)
    version: int | None = Field(default=None, ge=1)


class SessionIdParams(Params):
    id: int = Field(ge=1)


def _session_input(params: SessionInput) -> SessionInput:
    return SessionInput.model_validate(params.model_dump(include=set(SessionInput.model_fields)))


@method("schedule.check", roles=OFFICE, params=CheckParams, result=ScheduleChecked)
def schedule_check(call: Call, params: CheckParams) -> dict[str, Any]:
    """The teaching rules a plan would break, without saving anything."""
    with call.db.read() as tx:
        failures = check_plan(tx, _session_input(params), params.session_id)
    return {"failures": [f.to_json() for f in failures]}


@method("schedule.create", roles=OFFICE, params=CreateParams, result=Session)
def schedule_create(call: Call, params: CreateParams) -> dict[str, Any]:
    with call.db.write() as tx:
        made = create_session(tx, _actor(call), _session_input(params), override=params.override)
        return get_session(tx, made.id).to_json()


@method("schedule.repeat", roles=OFFICE, params=RepeatParams, result=RootModel[list[Session]])
def schedule_repeat(call: Call, params: RepeatParams) -> list[dict[str, Any]]:
    with call.db.write() as tx:
        made = repeat_session(
            tx,
            _actor(call),
            _session_input(params),
            every_weeks=params.every_weeks,
            count=params.count,
            override=params.override,
        )
        return [get_session(tx, s.id).to_json() for s in made]


@method("schedule.edit", roles=OFFICE, params=EditParams, result=Session)
def schedule_edit(call: Call, params: EditParams) -> dict[str, Any]:
    with call.db.write() as tx:
        done = edit_session(
            tx, _actor(call), params.id, params.version, params.changes, override=params.override
        )
        return get_session(tx, done.id).to_json()


@method("schedule.cancel", roles=OFFICE, params=CancelParams, result=Session)
def schedule_cancel(call: Call, params: CancelParams) -> dict[str, Any]:
    with call.db.write() as tx:
        done = cancel_session(tx, _actor(call), params.id, params.reason, version=params.version)
        return get_session(tx, done.id).to_json()


Row = TypeVar("Row", RuleOverride, RebookingOffer)


def _session_rows(
    call: Call, model: type[Row], session_id: int, to_json: Callable[[Row], dict[str, Any]]
) -> list[dict[str, Any]]:
    """``model``'s rows for one session, oldest first, as JSON."""
    with call.db.read() as tx:
        rows = tx.scalars(select(model).where(model.session_id == session_id).order_by(model.id))
        return [to_json(r) for r in rows]


@method(
    "schedule.overrides",
    roles=OFFICE,
    params=SessionIdParams,
    result=RootModel[list[OverriddenRule]],
)
def schedule_overrides(call: Call, params: SessionIdParams) -> list[dict[str, Any]]:
    """Teaching rules overridden for a session, with who and why."""
    return _session_rows(
        call,
        RuleOverride,
        params.id,
        lambda r: {
            "rule": r.rule,
            "failure": r.failure,
            "reason": r.reason,
            "actor": r.actor,
            "at": r.at.isoformat(),
        },
    )


@method(
    "schedule.offers", roles=OFFICE, params=SessionIdParams, result=RootModel[list[RebookOffer]]
)
def schedule_offers(call: Call, params: SessionIdParams) -> list[dict[str, Any]]:
    """Transfer-or-refund offers made to bookings when the session was cancelled or moved."""
    return _session_rows(
        call,
        RebookingOffer,
        params.id,
        lambda o: {
            "booking_id": o.booking_id,
            "change": o.change,
            "alternatives": o.alternatives,
            "refund_pence": o.refund_pence,
            "status": o.status,
            "created_at": o.created_at.isoformat(),
        },
    )


# --- trainers ---------------------------------------------------------------------------


class TrainerParams(Params):
    email: str = Field(min_length=3, max_length=254)


class CoursesParams(TrainerParams):
    courses: list[str] = Field(max_length=50)


class QualificationParams(TrainerParams):
    title: str = Field(min_length=2, max_length=160)
    courses: list[str] = Field(min_length=1, max_length=50)
    expires_on: date


class QualificationIdParams(Params):
    id: int = Field(ge=1)


class UnavailableParams(TrainerParams):
    first: date
    last: date | None = None
    reason: str | None = Field(default=None, max_length=200)


class DayParams(TrainerParams):
    day: date


@method("trainers.list", roles=OFFICE, params=NoParams, result=RootModel[list[Trainer]])
def trainers_list(call: Call, params: NoParams) -> list[dict[str, Any]]:
    with call.db.read() as tx:
        return [t.to_json() for t in trainers.list_trainers(tx)]


@method("trainers.set_courses", roles=OFFICE, params=CoursesParams, result=Trainer)
def trainers_set_courses(call: Call, params: CoursesParams) -> dict[str, Any]:
    with call.db.write() as tx:
        return trainers.set_courses(tx, _actor(call), params.email, params.courses).to_json()


@method("trainers.add_qualification", roles=OFFICE, params=QualificationParams, result=Trainer)
def trainers_add_qualification(call: Call, params: QualificationParams) -> dict[str, Any]:
    with call.db.write() as tx:
        return trainers.add_qualification(
            tx, _actor(call), params.email, params.title, params.courses, params.expires_on
        ).to_json()


@method("trainers.remove_qualification", roles=OFFICE, params=QualificationIdParams, result=Trainer)
def trainers_remove_qualification(call: Call, params: QualificationIdParams) -> dict[str, Any]:
    with call.db.write() as tx:
        return trainers.remove_qualification(tx, _actor(call), params.id).to_json()


@method("trainers.add_unavailable", roles=OFFICE, params=UnavailableParams, result=Trainer)
def trainers_add_unavailable(call: Call, params: UnavailableParams) -> dict[str, Any]:
    with call.db.write() as tx:
        return trainers.add_unavailable(
            tx, _actor(call), params.email, params.first, params.last, params.reason
        ).to_json()


@method("trainers.remove_unavailable", roles=OFFICE, params=DayParams, result=Trainer)
def trainers_remove_unavailable(call: Call, params: DayParams) -> dict[str, Any]:
    with call.db.write() as tx:
        return trainers.remove_unavailable(tx, _actor(call), params.email, params.day).to_json()


# --- catalogue --------------------------------------------------------------------------


class CourseEditParams(Params):
    id: str = Field(min_length=1, max_length=48)
    changes: CourseEdit


class VenueEditParams(Params):
    id: str = Field(min_length=1, max_length=48)
    changes: VenueEdit


@method("catalogue.update_course", roles=ADMIN, params=CourseEditParams, result=Course)
def catalogue_update_course(call: Call, params: CourseEditParams) -> dict[str, Any]:
    with call.db.write() as tx:
        course = catalogue_admin.update_course(tx, _actor(call), params.id, params.changes)
        return catalogue_admin.course_json(course)


@method("catalogue.update_venue", roles=ADMIN, params=VenueEditParams, result=Venue)
def catalogue_update_venue(call: Call, params: VenueEditParams) -> dict[str, Any]:
    with call.db.write() as tx:
        venue = catalogue_admin.update_venue(tx, _actor(call), params.id, params.changes)
        return catalogue_admin.venue_json(venue)


# --- staff ------------------------------------------------------------------------------


class StaffParams(Params):
    email: str = Field(min_length=3, max_length=254)


class AddStaffParams(StaffParams):
    name: str = Field(min_length=2, max_length=120)
    role: str
    password: str = Field(min_length=1, max_length=200)


class RoleParams(StaffParams):
    role: str


class PasswordParams(StaffParams):
    password: str = Field(min_length=1, max_length=200)


def _added(done: staff.Added) -> dict[str, Any]:
    return staff.staff_json(done.user) | {"otpauth_uri": done.otpauth_uri}


@method("staff.list", roles=ADMIN, params=NoParams, result=RootModel[list[StaffMember]])
def staff_list(call: Call, params: NoParams) -> list[dict[str, Any]]:
    with call.db.read() as tx:
        return staff.list_staff(tx)


@method("staff.add", roles=ADMIN, params=AddStaffParams, result=StaffMember)
def staff_add(call: Call, params: AddStaffParams) -> dict[str, Any]:
    with call.db.write() as tx:
        return _added(
            staff.add_staff(
                tx, _actor(call), params.email, params.name, params.role, params.password
            )
        )


@method("staff.set_role", roles=ADMIN, params=RoleParams, result=StaffMember)
def staff_set_role(call: Call, params: RoleParams) -> dict[str, Any]:
    with call.db.write() as tx:
        return _added(staff.change_role(tx, _actor(call), params.email, params.role))


@method("staff.disable", roles=ADMIN, params=StaffParams, result=StaffMember)
def staff_disable(call: Call, params: StaffParams) -> dict[str, Any]:
    with call.db.write() as tx:
        return staff.staff_json(staff.disable_staff(tx, _actor(call), params.email))


@method("staff.enable", roles=ADMIN, params=StaffParams, result=StaffMember)
def staff_enable(call: Call, params: StaffParams) -> dict[str, Any]:
    with call.db.write() as tx:
        return staff.staff_json(staff.enable_staff(tx, _actor(call), params.email))


@method("staff.reset_password", roles=ADMIN, params=PasswordParams, result=StaffMember)
def staff_reset_password(call: Call, params: PasswordParams) -> dict[str, Any]:
    with call.db.write() as tx:
        return staff.staff_json(
            staff.reset_password(tx, _actor(call), params.email, params.password)
        )


@method("staff.reset_mfa", roles=ADMIN, params=StaffParams, result=MfaReset)
def staff_reset_mfa(call: Call, params: StaffParams) -> dict[str, Any]:
    with call.db.write() as tx:
        return {"otpauth_uri": staff.reset_second_factor(tx, _actor(call), params.email)}


# --- audit ------------------------------------------------------------------------------


class AuditParams(Params):
    actor: str | None = Field(default=None, max_length=120)
    action: str | None = Field(default=None, max_length=48)
    entity: str | None = Field(default=None, max_length=32)
    entity_id: str | None = Field(default=None, max_length=64)
    date_from: date | None = None
    date_to: date | None = None
    text: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=500, ge=1, le=100_000)


def _filter(params: AuditParams) -> audit.AuditFilter:
    return audit.AuditFilter(**params.model_dump())


@method("audit.list", roles=ADMIN, params=AuditParams, result=RootModel[list[AuditEntry]])
def audit_list(call: Call, params: AuditParams) -> list[dict[str, Any]]:
    with call.db.read() as tx:
        return [audit.to_json(e) for e in audit.entries(tx, _filter(params))]


@method("audit.export_csv", roles=ADMIN, params=AuditParams, result=AuditExport)
def audit_export_csv(call: Call, params: AuditParams) -> dict[str, Any]:
    with call.db.read() as tx:
        found = audit.entries(tx, _filter(params))
        return {"rows": len(found), "csv": audit.export_csv(found)}
