"""Money is integer pence everywhere; this is the one place it becomes text."""

from __future__ import annotations


def gbp(pence: int) -> str:
    """``£1,234.50`` (negative amounts as ``-£5.00``)."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


def pence_from_text(text: str) -> int:
    """``£1,234.50``, ``1234.5`` or ``20`` typed by a person, as pence; ``ValueError`` for
    anything else (negative, more than two decimals, not a number)."""
    cleaned = text.strip().removeprefix("£").replace(",", "").strip()
    whole, _, part = cleaned.partition(".")
    if not whole.isdigit() or (part and not part.isdigit()) or len(part) > 2:
        raise ValueError(f"{text.strip()!r} is not an amount in pounds, like 20 or 12.50")
    return int(whole) * 100 + int(part.ljust(2, "0") or 0)


def pounds(pence: int) -> str:
    """``1234.50``: pounds with two decimals, for CSV and machine output."""
    sign = "-" if pence < 0 else ""
    whole, rest = divmod(abs(pence), 100)
    return f"{sign}{whole}.{rest:02d}"
