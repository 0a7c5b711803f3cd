"""What a booking has paid and what can still be taken for it, from its payment rows."""

from __future__ import annotations

from core.models import Booking
from core.models.statuses import BookingStatus


def paid_pence(booking: Booking) -> int:
    """Money actually received, net of refunds paid out."""
    taken = sum(
        p.amount_pence for p in booking.payments if p.kind == "charge" and p.status == "succeeded"
    )
    given = sum(
        p.amount_pence for p in booking.payments if p.kind == "refund" and p.status == "succeeded"
    )
    return taken - given


def covered_pence(booking: Booking) -> int:
    """Paid, invoiced, or being paid right now; the rest can still be taken at the desk.

    Only an attempt Stripe accepted (it has a Stripe id) is "being paid": one whose creation
    failed, or was never confirmed, blocks no other way to pay.
    """
    return paid_pence(booking) + sum(
        p.amount_pence
        for p in booking.payments
        if p.kind == "charge"
        and (p.status == "invoiced" or (p.status == "pending" and p.provider_ref is not None))
    )


def due_pence(booking: Booking) -> int:
    """What can still be taken for the booking (nothing once it is cancelled)."""
    if booking.status == BookingStatus.CANCELLED:
        return 0
    return max(0, booking.total_pence - covered_pence(booking))
