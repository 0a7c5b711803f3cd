"""VAT in integer pence. Course prices are VAT-inclusive (what the public pays is what an
employer pays); an invoice shows the VAT inside its gross total.

Rounding: VAT = gross × rate / (100% + rate), worked out once on the document's total and
rounded half-up to the nearest penny; net = gross − VAT, so net + VAT is always the gross.
A supplier with no VAT number is not VAT registered: no VAT, and the invoice says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.infra.config import Settings


@dataclass(frozen=True)
class VatSplit:
    rate_bp: int
    net_pence: int
    vat_pence: int
    gross_pence: int


def rate_bp(settings: Settings) -> int:
    """The rate in basis points (2000 = 20%); 0 when the supplier is not VAT registered."""
    return settings.vat_rate_bp if settings.vat_number else 0


def split(gross_pence: int, rate: int) -> VatSplit:
    """Split a VAT-inclusive total into net and VAT (see the module docstring for rounding)."""
    if gross_pence < 0 or rate < 0:
        raise ValueError("amounts and rates cannot be negative")
    whole = 10_000 + rate
    vat = (2 * gross_pence * rate + whole) // (2 * whole)
    return VatSplit(rate, gross_pence - vat, vat, gross_pence)


def rate_text(rate: int) -> str:
    """``20%`` or ``17.5%``."""
    return f"{rate / 100:g}%"
