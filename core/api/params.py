"""Parameter models shared by several API modules."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Params(BaseModel):
    """Base for method params: unknown fields are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NoParams(Params):
    """A method that takes no params (``{}`` or none at all)."""
