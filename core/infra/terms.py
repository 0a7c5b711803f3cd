"""The booking terms and the refund rule, written once: the terms the desk reads to the
customer (``resources/terms.md``), the confirmation email and the refund policy
(``core.payments.policy``, threshold ``RFT_REFUND_FULL_DAYS``) all say the same thing."""

from __future__ import annotations

from core.infra.config import load_settings
from core.infra.resources import resource

PLACEHOLDER = "{refund_rule}"


def refund_rule(full_refund_days: int | None = None) -> str:
    """``Cancel 14 or more days before the course for a full refund; …``."""
    days = load_settings().refund_full_days if full_refund_days is None else full_refund_days
    return (
        f"Cancel {days} or more days before the course for a full refund; within {days} days "
        "we offer a transfer to another date of the same course instead."
    )


def booking_terms(full_refund_days: int | None = None) -> str:
    """The booking terms as Markdown, with the refund rule filled in."""
    text = resource("terms.md").read_text(encoding="utf-8")
    return text.replace(PLACEHOLDER, refund_rule(full_refund_days))
