"""``catalogue.get``: courses and venues."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.api.params import NoParams
from core.api.public import STAFF_OR_WEBSITE
from core.api.registry import Call, method
from core.api.results.sessions import Catalogue
from core.models import Course, Venue


@method("catalogue.get", roles=STAFF_OR_WEBSITE, params=NoParams, result=Catalogue)
def get(call: Call, params: NoParams) -> dict[str, Any]:
    with call.db.read() as tx:
        courses = tx.scalars(select(Course).where(Course.active).order_by(Course.name))
        venues = tx.scalars(select(Venue).where(Venue.active).order_by(Venue.name))
        return {
            "courses": [
                {
                    "id": c.id,
                    "name": c.name,
                    "category": c.category,
                    "description": c.description,
                    "price_pence": c.price_pence,
                    "days": c.days,
                    "day_hours": c.day_hours,
                    "min_age": c.min_age,
                    "certificate_months": c.certificate_months,
                    "colour": c.colour,
                }
                for c in courses
            ],
            "venues": [
                {
                    "id": v.id,
                    "name": v.name,
                    "address": v.address,
                    "postcode": v.postcode,
                    "latitude": v.latitude,
                    "longitude": v.longitude,
                    "rooms": v.rooms,
                }
                for v in venues
            ],
        }
