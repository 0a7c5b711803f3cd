"""Money is integer pence everywhere; this is the one place it becomes text."""

from __future__ import annotations


def gbp(pence: int) -> str:
    """``£1,234.50`` (negative amounts as ``-£5.00``)."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


def pounds(pence: int) -> str:
    """``1234.50``: pounds with two decimals, for CSV and machine output."""
    sign = "-" if pence < 0 else ""
    whole, rest = divmod(abs(pence), 100)
    return f"{sign}{whole}.{rest:02d}"
