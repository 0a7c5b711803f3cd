"""Office screens load only for roles the service lets use them (no refused calls)."""

from __future__ import annotations

from collections.abc import Collection

from desktop.backend import Backend


def may_use(backend: Backend, roles: Collection[str]) -> bool:
    return (backend.role or "") in roles
