"""The service API's method table: names, roles, params, handlers.

One API for every client: the server exposes it as JSON-RPC methods of the same names, and
the desktop's local backend calls it in-process. Modules in ``core/api/`` declare handlers
with ``@method``; a handler is a plain synchronous function ``(call, params) -> JSON-able``
(the server runs it off the event loop), and its method declares the params model it takes and
the result model (``core.api.results``) its answer fits, for typed clients. ``dispatch``
validates params with the method's pydantic model (and ``check_storable``) and checks the
caller's role before the handler runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from core.api.params import check_storable
from core.infra.actor import Actor
from core.infra.db import Database
from core.infra.errors import DomainError, Forbidden, Unauthenticated, ValidationFailed
from core.infra.validation_text import plain

WEBSITE = "website"  # the public website's API-key scope
ANYONE = "anyone"  # no credentials needed (e.g. auth.login)

P = TypeVar("P", bound=BaseModel)
R = TypeVar("R", bound=BaseModel)


@dataclass
class Call:
    """One request's context: the database, who is calling, and from which connection."""

    db: Database
    actor: Actor | None
    connection_id: str = "local"


@dataclass(frozen=True)
class Method(Generic[P, R]):
    """One API method: its name, handler, roles, and the params and result models it is
    typed by (``result`` is what staff are answered; the website gets the public subset,
    ``core.api.public``). Calling it runs the handler."""

    name: str
    handler: Callable[[Call, P], Any]
    params: type[P]
    result: type[R]
    roles: frozenset[str]

    def __call__(self, call: Call, params: P) -> Any:
        return self.handler(call, params)

    def allows(self, actor: Actor | None) -> bool:
        if ANYONE in self.roles:
            return True
        if actor is None:
            return False
        if actor.role is None:
            return actor.channel == "website" and WEBSITE in self.roles
        return actor.role in self.roles


METHODS: dict[str, Method[Any, Any]] = {}


def method(
    name: str, *, roles: Iterable[str], params: type[P], result: type[R]
) -> Callable[[Callable[[Call, P], Any]], Method[P, R]]:
    """Register a handler under ``name`` for the given roles; the module attribute becomes
    the ``Method``, which typed clients pass to ``invoke``."""

    def register(handler: Callable[[Call, P], Any]) -> Method[P, R]:
        if name in METHODS:
            raise RuntimeError(f"JSON-RPC method {name!r} registered twice")
        METHODS[name] = Method(name, handler, params, result, frozenset(roles))
        return METHODS[name]

    return register


class UnknownMethod(DomainError):
    code = "method_not_found"
    rpc_code = -32601


def dispatch(call: Call, name: str, raw: Any) -> Any:
    """Run method ``name`` for ``call.actor`` with ``raw`` params (a dict, or None)."""
    found = METHODS.get(name)
    if found is None:
        raise UnknownMethod(f"There is no method called {name!r}.")
    if not found.allows(call.actor):
        if call.actor is None:
            raise Unauthenticated("Please sign in first.")
        raise Forbidden(f"Your account is not allowed to use {name}.")
    try:
        params = found.params.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        raise ValidationFailed(plain(exc, "params")) from None
    check_storable(params)
    return found.handler(call, params)
