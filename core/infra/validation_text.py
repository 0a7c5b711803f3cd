"""A validation failure in words a person can act on, never the validation library's own.

raise ValidationFailed(plain(exc)) from None   # "capacity: type a number no more than 1000."
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


def plain(error: ValidationError, what: str = "") -> str:
    """The first problem in ``error`` as one sentence naming the field and what to type."""
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or what or "details"
    return f"{where}: {_what_to_type(first)}."


def _what_to_type(err: Any) -> str:
    kind = str(err["type"])
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "this is needed; add it"
    if kind == "extra_forbidden":
        return "not something this takes; leave it out"
    if kind == "string_too_short":
        return (
            "type something here"
            if ctx.get("min_length") == 1
            else (f"type at least {ctx.get('min_length')} characters")
        )
    if kind == "string_too_long":
        return f"type at most {ctx.get('max_length')} characters"
    if kind in ("too_short", "too_long"):
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        return f"give {'at least' if kind == 'too_short' else 'at most'} {bound}"
    limits = {
        "less_than_equal": ("no more than", "le"),
        "less_than": ("less than", "lt"),
        "greater_than_equal": ("at least", "ge"),
        "greater_than": ("more than", "gt"),
    }
    if kind in limits:
        words, key = limits[kind]
        return f"type a number {words} {ctx.get(key)}"
    if kind.startswith(("int_", "float_", "decimal_")):
        return "type a whole number, e.g. 12"
    if kind.startswith("date"):
        return "type a date as YYYY-MM-DD, e.g. 2027-03-01"
    if kind.startswith(("datetime", "time")):
        return "type a date and time as YYYY-MM-DDTHH:MM, e.g. 2027-03-01T09:30"
    if kind.startswith("bool"):
        return "type true or false"
    if kind == "literal_error":
        return f"choose one of {ctx.get('expected')}"
    if kind == "value_error" and "error" in ctx and "email" not in str(err["loc"]):
        return str(ctx["error"])
    if "email" in str(err["loc"]):
        return "type an email address such as name@example.co.uk"
    return "this is not something that can be taken here; check what was typed"
