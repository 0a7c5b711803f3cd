"""``rft catalogue``: courses and venues."""

from __future__ import annotations

import argparse

from sqlalchemy import select

from core.cli.context import database, emit_json, table
from core.infra.money import gbp
from core.models import Course, Venue


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("catalogue", help="list courses and venues")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    db = database()
    with db.read() as tx:
        courses = list(tx.scalars(select(Course).order_by(Course.name)))
        venues = list(tx.scalars(select(Venue).order_by(Venue.name)))
    if args.json:
        emit_json(
            {
                "courses": [
                    {
                        "id": c.id,
                        "name": c.name,
                        "price_pence": c.price_pence,
                        "days": c.days,
                        "day_hours": c.day_hours,
                        "min_age": c.min_age,
                        "certificate_months": c.certificate_months,
                        "description": c.description,
                    }
                    for c in courses
                ],
                "venues": [
                    {
                        "id": v.id,
                        "name": v.name,
                        "address": v.address,
                        "postcode": v.postcode,
                        "rooms": v.rooms,
                    }
                    for v in venues
                ],
            }
        )
        return 0
    print(
        table(
            [
                [
                    c.id,
                    c.name,
                    gbp(c.price_pence),
                    f"{c.days}d / {sum(c.day_hours):g}h",
                    str(c.min_age),
                    f"{c.certificate_months or '-'}",
                ]
                for c in courses
            ],
            ["ID", "COURSE", "PRICE", "LENGTH", "MIN AGE", "CERT MONTHS"],
        )
    )
    print()
    print(
        table(
            [[v.id, v.name, f"{v.address}, {v.postcode}"] for v in venues],
            ["ID", "VENUE", "ADDRESS"],
        )
    )
    return 0
