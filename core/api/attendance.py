"""Service API: the trainer's register (``attendance.*``) and certificates (``certificates.*``)."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, RootModel

from core.api.registry import Call, method
from core.api.results.organisations import Certificate, NumberedPdf
from core.api.results.sessions import Marked, Roster, TrainerSession
from core.attendance import merge, register
from core.certificates import issuing as certificates
from core.certificates import marking
from core.certificates.pdf import pdf_for
from core.infra.actor import Actor
from core.infra.errors import Forbidden, Unauthenticated
from core.staff.roles import OFFICE

REGISTER = frozenset({"trainer", *OFFICE})
MAX_BATCH = 500


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SessionParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: int = Field(ge=1)


class MarkOp(BaseModel):
    """One register operation as a device sends it."""

    model_config = ConfigDict(extra="forbid")

    op_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    device_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    hlc: str = Field(validation_alias=AliasChoices("hlc", "timestamp"), max_length=24)
    session_id: int | None = Field(default=None, ge=1)
    attendee_id: int = Field(ge=1)
    day_index: int = Field(ge=0, le=10)
    field: str = Field(max_length=16)
    value: str | None = Field(default=None, max_length=merge.NOTE_MAX)
    time: str | None = Field(default=None, max_length=5)

    def as_mark(self) -> merge.Mark:
        return merge.Mark(
            op_id=self.op_id,
            device_id=self.device_id,
            hlc=self.hlc,
            attendee_id=self.attendee_id,
            day_index=self.day_index,
            field=self.field,
            value=self.value,
            time=self.time,
        )


class MarkParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ops: list[MarkOp] = Field(min_length=1, max_length=MAX_BATCH)


class ListParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expiring_before: date | None = None
    session_id: int | None = Field(default=None, ge=1)


class NumberParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=4, max_length=24)


def _actor(call: Call) -> Actor:
    if call.actor is None:
        raise Unauthenticated("Please sign in first.")
    return call.actor


@method(
    "attendance.my_sessions",
    roles=REGISTER,
    params=NoParams,
    result=RootModel[list[TrainerSession]],
)
def my_sessions(call: Call, params: NoParams) -> list[dict[str, Any]]:
    with call.db.read() as tx:
        return register.my_sessions(tx, _actor(call))


@method("attendance.roster", roles=REGISTER, params=SessionParams, result=Roster)
def roster(call: Call, params: SessionParams) -> dict[str, Any]:
    with call.db.read() as tx:
        return register.roster(tx, params.session_id, _actor(call))


@method("attendance.mark", roles=REGISTER, params=MarkParams, result=Marked)
def mark(call: Call, params: MarkParams) -> dict[str, Any]:
    """Apply a batch of marks, each exactly once; per op: applied, duplicate or rejected."""
    actor = _actor(call)
    with call.db.write() as tx:
        results = marking.record(tx, [(op.as_mark(), op.session_id) for op in params.ops], actor)
        clock = register.server_clock(tx)
    return {"results": [r.to_json() for r in results], "hlc": clock}


@method("certificates.list", roles=OFFICE, params=ListParams, result=RootModel[list[Certificate]])
def list_certificates(call: Call, params: ListParams) -> list[dict[str, Any]]:
    with call.db.read() as tx:
        found = certificates.list_certificates(tx, params.expiring_before, params.session_id)
        return [c.to_json() for c in found]


@method("certificates.pdf", roles=REGISTER, params=NumberParams, result=NumberedPdf)
def certificate_pdf(call: Call, params: NumberParams) -> dict[str, Any]:
    """The certificate PDF, base64-encoded; a trainer may fetch only their own sessions'."""
    actor = _actor(call)
    with call.db.read() as tx:
        cert = certificates.find(tx, params.number)
        if actor.role == "trainer" and cert.trainer_id != actor.user_id:
            raise Forbidden(f"Certificate {cert.number} is not from one of your sessions.")
        data = pdf_for(tx, cert)
        return {
            "number": cert.number,
            "filename": f"certificate-{cert.number}.pdf",
            "pdf_base64": base64.b64encode(data).decode("ascii"),
        }
