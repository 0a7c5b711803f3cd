"""The course and venue catalogue, kept as data in ``resources/catalogue.json``.

Loaded once, validated with pydantic; a broken entry raises ``CatalogueError`` naming it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import text

from core.infra.errors import CatalogueError
from core.infra.resources import resource

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$")]


class CourseSpec(BaseModel):
    """One course type: price, days and teaching hours, age limit, certificate validity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    name: str = Field(min_length=3, max_length=120)
    category: str
    description: str = Field(min_length=10)
    price_pence: int = Field(gt=0, le=1_000_000)
    day_hours: tuple[float, ...] = Field(min_length=1, max_length=5)
    min_age: int = Field(ge=10, le=21)
    certificate_months: int | None = Field(default=None, ge=1, le=120)
    requalification: Slug | None = None
    requalifies: Slug | None = None
    full_course_after_expiry: bool = False
    records_emergency_contact: bool = False
    max_span_weeks: int | None = Field(default=None, ge=1, le=52)
    requalification_grace_days: int = Field(default=28, ge=0, le=365)
    waitlist_offer_hours: int = Field(default=24, ge=1, le=168)

    @model_validator(mode="after")
    def _hours_are_teachable(self) -> CourseSpec:
        for hours in self.day_hours:
            if not 2 <= hours <= 8:
                raise ValueError(f"each course day teaches 2 to 8 hours, not {hours}")
        return self

    @property
    def days(self) -> int:
        return len(self.day_hours)

    @property
    def contact_hours(self) -> float:
        return sum(self.day_hours)

    @property
    def duration_text(self) -> str:
        hours = f"{self.contact_hours:g} hours"
        return f"{self.days} day{'s' if self.days > 1 else ''} ({hours})"


class VenueSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    name: str = Field(min_length=2, max_length=80)
    address: str = Field(min_length=5)
    postcode: str = Field(pattern=r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$")
    latitude: float = Field(ge=49, le=61)
    longitude: float = Field(ge=-8, le=2)
    rooms: tuple[str, ...] = Field(min_length=1)


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    courses: tuple[CourseSpec, ...]
    venues: tuple[VenueSpec, ...]

    @model_validator(mode="after")
    def _references_resolve(self) -> Catalogue:
        ids = [c.id for c in self.courses]
        for kind, seen in (("course", ids), ("venue", [v.id for v in self.venues])):
            dupes = {i for i in seen if seen.count(i) > 1}
            if dupes:
                raise ValueError(f"duplicate {kind} id {sorted(dupes)[0]!r}")
        for course in self.courses:
            for link in (course.requalification, course.requalifies):
                if link is not None and link not in ids:
                    raise ValueError(f"course {course.id!r} refers to unknown course {link!r}")
        return self

    def course(self, course_id: str) -> CourseSpec:
        for course in self.courses:
            if course.id == course_id:
                return course
        raise KeyError(course_id)


def _describe(error: ValidationError, raw: object) -> str:
    first = error.errors()[0]
    loc = list(first["loc"])
    where = ".".join(str(p) for p in loc) or "file"
    if len(loc) >= 2 and isinstance(raw, dict) and loc[0] in ("courses", "venues"):
        try:
            entry = raw[loc[0]][loc[1]]
            where = f"{loc[0][:-1]} {entry.get('id', '#' + str(loc[1]))!r}" + (
                f" field {'.'.join(str(p) for p in loc[2:])!r}" if len(loc) > 2 else ""
            )
        except (IndexError, KeyError, TypeError, AttributeError):
            pass
    return f"{where}: {first['msg']}"


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and validate a catalogue file; errors name the broken entry."""
    path = path or resource("catalogue.json")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(f"Catalogue file {path} is missing.") from None
    except json.JSONDecodeError as exc:
        raise CatalogueError(f"Catalogue file {path} is not valid JSON: {exc}") from None
    try:
        return Catalogue.model_validate(raw)
    except ValidationError as exc:
        raise CatalogueError(f"Catalogue file {path} is broken at {_describe(exc, raw)}") from None


@cache
def default_catalogue() -> Catalogue:
    return load_catalogue()


INSTALL_LOCK_KEY = 0x52465403  # beside the migrations' (0x52465402)

PALETTE = (
    "#d62728",
    "#1f77b4",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#393b79",
    "#637939",
    "#ad494a",
)


def install(tx: Any, catalogue: Catalogue) -> int:
    """Add catalogue entries missing from the database; edits made since are kept. Servers
    starting together take turns (on PostgreSQL, an advisory lock), so the second finds the
    first's entries instead of adding them again."""
    from core.models import Course, Venue

    if tx.get_bind().dialect.name == "postgresql":
        tx.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": INSTALL_LOCK_KEY})
    added = 0
    for i, spec in enumerate(catalogue.courses):
        if tx.get(Course, spec.id) is None:
            tx.add(
                Course(
                    id=spec.id,
                    name=spec.name,
                    category=spec.category,
                    description=spec.description,
                    price_pence=spec.price_pence,
                    day_hours=list(spec.day_hours),
                    min_age=spec.min_age,
                    certificate_months=spec.certificate_months,
                    requalification_id=spec.requalification,
                    requalifies_id=spec.requalifies,
                    full_course_after_expiry=spec.full_course_after_expiry,
                    records_emergency_contact=spec.records_emergency_contact,
                    max_span_weeks=spec.max_span_weeks,
                    requalification_grace_days=spec.requalification_grace_days,
                    waitlist_offer_hours=spec.waitlist_offer_hours,
                    colour=PALETTE[i % len(PALETTE)],
                )
            )
            added += 1
    for venue in catalogue.venues:
        if tx.get(Venue, venue.id) is None:
            tx.add(
                Venue(
                    id=venue.id,
                    name=venue.name,
                    address=venue.address,
                    postcode=venue.postcode,
                    latitude=venue.latitude,
                    longitude=venue.longitude,
                    rooms=list(venue.rooms),
                )
            )
            added += 1
    tx.flush()
    return added
