"""Organisations (employers) and their contacts: who books, who receives invoices, who is
told about expiring certificates. Contacts' names and emails are encrypted personal data."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.errors import NotFound, ValidationFailed
from core.infra.names import company_name, real_name
from core.journal import changes
from core.models import Booking
from core.models.base import blind_index
from core.models.organisations import Organisation, OrganisationContact
from core.models.statuses import BookingStatus

CONTACT_ROLES = ("booking", "invoice", "expiry")
CONTACT_SPEC = re.compile(r"^\s*(?P<name>[^<>]+?)\s*<(?P<email>[^<>\s]+)>\s*$")
MAX_TERMS_DAYS = 120
MAX_PO = 60


class ContactInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    email: EmailStr
    roles: list[str] = Field(default_factory=lambda: list(CONTACT_ROLES), min_length=1)

    @field_validator("name")
    @classmethod
    def _real_name(cls, value: str) -> str:
        return real_name(value)

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, value: list[str]) -> list[str]:
        unknown = [r for r in value if r not in CONTACT_ROLES]
        if unknown:
            raise ValueError(f"unknown role {unknown[0]!r}; use {', '.join(CONTACT_ROLES)}")
        return sorted(set(value), key=CONTACT_ROLES.index)


class OrganisationInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=160)
    billing_address: str = Field(default="", max_length=500)
    po_required: bool = False
    terms_days: int = Field(default=30, ge=0, le=MAX_TERMS_DAYS, strict=True)
    vat_number: str | None = Field(default=None, max_length=32)
    contacts: list[ContactInput] = Field(default_factory=list, max_length=20)

    @field_validator("name")
    @classmethod
    def _company_name(cls, value: str) -> str:
        return company_name(value)


def _plain(error: ValidationError, what: str) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "details"
    msg = str(first["msg"]).removeprefix("Value error, ")
    return f"{what}: {where.replace('_', ' ')} is not valid ({msg})."


def parse_contact(spec: str, roles: Iterable[str] = CONTACT_ROLES) -> ContactInput:
    """``"Name <email>"`` as typed on the command line."""
    match = CONTACT_SPEC.match(spec)
    if not match:
        raise ValidationFailed(f'Contact {spec!r} is not in the form "Name <email>".')
    try:
        return ContactInput(name=match["name"], email=match["email"], roles=list(roles))
    except ValidationError as exc:
        raise ValidationFailed(_plain(exc, f"Contact {spec!r}")) from None


def validate(raw: dict[str, Any]) -> OrganisationInput:
    try:
        return OrganisationInput.model_validate(raw)
    except ValidationError as exc:
        raise ValidationFailed(_plain(exc, "Organisation")) from None


def contact_json(contact: OrganisationContact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "name": contact.name,
        "email": contact.email,
        "roles": contact.roles.split(","),
    }


def org_json(org: Organisation, bookings: int = 0) -> dict[str, Any]:
    return {
        "id": org.id,
        "name": org.name,
        "billing_address": org.billing_address,
        "po_required": org.po_required,
        "terms_days": org.terms_days,
        "vat_number": org.vat_number,
        "contacts": [contact_json(c) for c in org.contacts],
        "bookings": bookings,
    }


def _new_contact(org: Organisation, contact: ContactInput) -> OrganisationContact:
    email = str(contact.email)
    if any(c.email_hash == blind_index(email) for c in org.contacts):
        raise ValidationFailed(f"{email} is already a contact of {org.name}.")
    return OrganisationContact(
        name=contact.name,
        email=email,
        email_hash=blind_index(email),
        roles=",".join(contact.roles),
    )


def add_organisation(tx: Session, data: OrganisationInput, actor: Actor) -> Organisation:
    """Create an employer; names are unique whatever their case."""
    taken = tx.scalar(
        select(Organisation.id).where(func.lower(Organisation.name) == data.name.lower())
    )
    if taken is not None:
        raise ValidationFailed(f"There is already an organisation called {data.name!r}.")
    org = Organisation(
        name=data.name,
        billing_address=data.billing_address,
        po_required=data.po_required,
        terms_days=data.terms_days,
        vat_number=data.vat_number or None,
        created_at=now(),
        contacts=[],
    )
    tx.add(org)
    for contact in data.contacts:
        org.contacts.append(_new_contact(org, contact))
    tx.flush()
    changes.append(tx, "organisation", org.id, {"id": org.id, "by": actor.label})
    return org


def add_contact(tx: Session, org_id: int, contact: ContactInput, actor: Actor) -> Organisation:
    org = get(tx, org_id)
    org.contacts.append(_new_contact(org, contact))
    tx.flush()
    changes.append(tx, "organisation", org.id, {"id": org.id, "by": actor.label})
    return org


def get(tx: Session, org_id: int) -> Organisation:
    org = tx.scalar(
        select(Organisation)
        .where(Organisation.id == org_id)
        .options(selectinload(Organisation.contacts))
    )
    if org is None:
        raise NotFound(f"There is no organisation number {org_id}.")
    return org


def by_name(tx: Session, name: str) -> Organisation | None:
    """The organisation of that name (ignoring case and extra spaces, as names are stored
    with single spaces), if there is one."""
    wanted = " ".join(name.split()).lower()
    return tx.scalar(select(Organisation).where(func.lower(Organisation.name) == wanted))


def check_po(org: Organisation | None, po: str | None) -> str | None:
    """The purchase order number to invoice with; refused when ``org`` requires one."""
    po = (po or "").strip() or None
    if po is None and org is not None and org.po_required:
        raise ValidationFailed(
            f"{org.name} requires a purchase order number on every order; give the PO."
        )
    if po is not None and len(po) > MAX_PO:
        raise ValidationFailed(f"A purchase order number has at most {MAX_PO} characters.")
    return po


def list_organisations(tx: Session) -> list[dict[str, Any]]:
    counts = dict(
        tx.execute(
            select(Booking.organisation_id, func.count())
            .where(Booking.organisation_id.is_not(None), Booking.status != BookingStatus.CANCELLED)
            .group_by(Booking.organisation_id)
        )
        .tuples()
        .all()
    )
    orgs = tx.scalars(
        select(Organisation)
        .options(selectinload(Organisation.contacts))
        .order_by(Organisation.name)
    )
    return [org_json(o, counts.get(o.id, 0)) for o in orgs]


def contacts_for(org: Organisation, role: str) -> list[OrganisationContact]:
    """Contacts with ``role``; an employer with none for it falls back to its booking contacts."""
    found = [c for c in org.contacts if role in c.roles.split(",")]
    return found or [c for c in org.contacts if "booking" in c.roles.split(",")]


def contacts_by_email(tx: Session, email: str) -> list[OrganisationContact]:
    return list(
        tx.scalars(
            select(OrganisationContact)
            .where(OrganisationContact.email_hash == blind_index(email))
            .order_by(OrganisationContact.id)
        )
    )


def export_contacts(tx: Session, email: str) -> list[dict[str, Any]]:
    """For a subject access request: the employers ``email`` is a contact of, and as what."""
    return [
        {"organisation": c.organisation.name, "name": c.name, "email": c.email, "roles": c.roles}
        for c in contacts_by_email(tx, email)
    ]


def erase_contacts(tx: Session, email: str, erased: str) -> int:
    """Blank ``email``'s contact records; they receive nothing more (no roles left)."""
    found = contacts_by_email(tx, email)
    for contact in found:
        contact.name = erased
        contact.email = erased
        contact.email_hash = blind_index(f"erased-contact:{contact.id}")
        contact.roles = ""
    tx.flush()
    return len(found)
