"""The method table: each JSON-RPC method name mapped to a core call, its roles and its params.

Method modules in ``server/methods/`` declare handlers with ``@method``; handlers are plain
synchronous functions ``(call, params) -> JSON-able`` that the server runs off the event
loop. They hold no rules of their own: they validate params (a pydantic model), check the
caller's role here, and call core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from core.actor import Actor
from core.db import Database

WEBSITE = "website"  # the public website's API-key scope
ANYONE = "anyone"  # no credentials needed (e.g. auth.login)
STAFF = frozenset({"admin", "manager", "reception", "trainer"})
OFFICE = frozenset({"admin", "manager"})
DESK = frozenset({"admin", "manager", "reception"})

P = TypeVar("P", bound=BaseModel)


@dataclass
class Call:
    """One request's context: the database, who is calling, and their connection."""

    db: Database
    actor: Actor | None
    connection_id: str


@dataclass(frozen=True)
class Method:
    name: str
    handler: Callable[[Call, Any], Any]
    params: type[BaseModel]
    roles: frozenset[str]

    def allows(self, actor: Actor | None) -> bool:
        if ANYONE in self.roles:
            return True
        if actor is None:
            return False
        if actor.role is None:
            return actor.channel == "website" and WEBSITE in self.roles
        return actor.role in self.roles


METHODS: dict[str, Method] = {}


def method(
    name: str, *, roles: Iterable[str], params: type[P]
) -> Callable[[Callable[[Call, P], Any]], Callable[[Call, P], Any]]:
    """Register a handler under ``name`` for the given roles."""

    def register(handler: Callable[[Call, P], Any]) -> Callable[[Call, P], Any]:
        if name in METHODS:
            raise RuntimeError(f"JSON-RPC method {name!r} registered twice")
        METHODS[name] = Method(name, handler, params, frozenset(roles))
        return handler

    return register
