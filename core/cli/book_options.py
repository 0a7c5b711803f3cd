"""``rft book``'s requalification options and its answer when a session is full."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from pydantic import ValidationError

from core.booking.alternatives import alternatives
from core.booking.eligibility import DeclaredCertificate, EligibilityInput
from core.cli.context import database
from core.infra.clock import uk_datetime
from core.infra.errors import NotEnoughSeats, ValidationFailed


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--certificate",
        action="append",
        default=[],
        type=_certificate,
        metavar="N:NUMBER:YYYY-MM-DD",
        help="attendee N holds certificate NUMBER expiring on that date (requalification)",
    )
    p.add_argument(
        "--override-eligibility",
        metavar="REASON",
        help="book a requalification course despite a refusal; the reason is audited",
    )


def _certificate(text: str) -> DeclaredCertificate:
    parts = text.split(":")
    try:
        if len(parts) != 3:
            raise ValueError
        return DeclaredCertificate(
            attendee=int(parts[0]), number=parts[1], expires=date.fromisoformat(parts[2])
        )
    except ValueError:  # pydantic's ValidationError is one too
        raise argparse.ArgumentTypeError(
            f"{text!r} is not ATTENDEE:NUMBER:YYYY-MM-DD (attendee 1 to 12, a certificate "
            "number), e.g. 1:RFT-C2024-000123:2026-03-20"
        ) from None


def claims(args: argparse.Namespace) -> EligibilityInput:
    try:
        return EligibilityInput(
            certificates=args.certificate, override_reason=args.override_eligibility
        )
    except ValidationError:
        raise ValidationFailed("Give an override reason of 5 to 500 characters.") from None


def refuse_with_alternatives(error: NotEnoughSeats, seats: int) -> int:
    """Print the refusal and where else the seats would fit; the exit status is 1."""
    print(f"rft: {error.message}", file=sys.stderr)
    with database().read() as tx:
        found = alternatives(tx, int(error.data["session_id"]), seats)
    if found:
        print("Sessions with room for them, nearest first:", file=sys.stderr)
    for alt in found:
        print(
            f"  {alt.id}: {alt.venue_name}, {uk_datetime(alt.start)}, {alt.free} free, "
            f"{alt.distance_km:g} km",
            file=sys.stderr,
        )
    print(
        f"Or join the waiting list: rft waitlist add {error.data['session_id']} "
        f'--seats {seats} --contact "Name <email>"',
        file=sys.stderr,
    )
    return 1
