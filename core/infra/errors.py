"""One error hierarchy: every error a person can act on, with a code and a plain-English message.

The server maps ``code`` to a JSON-RPC application error; the desktop shows ``message`` as is.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """An error a user can act on. ``message`` is written for that user."""

    code = "domain_error"
    rpc_code = -32000

    def __init__(self, message: str, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        self.data = data


class ValidationFailed(DomainError):
    code = "invalid_input"
    rpc_code = -32602


class NotFound(DomainError):
    code = "not_found"
    rpc_code = -32004


class NotEnoughSeats(DomainError):
    code = "not_enough_seats"
    rpc_code = -32010


class HoldExpired(DomainError):
    code = "hold_expired"
    rpc_code = -32011


class SessionNotBookable(DomainError):
    code = "session_not_bookable"
    rpc_code = -32012


class LockTimeout(DomainError):
    code = "lock_timeout"
    rpc_code = -32013


class Conflict(DomainError):
    """Someone else changed the same record first."""

    code = "conflict"
    rpc_code = -32014


class LimitReached(DomainError):
    """A public visitor asked for more than one address may have at once."""

    code = "limit_reached"
    rpc_code = -32015


class Unauthenticated(DomainError):
    code = "unauthenticated"
    rpc_code = -32001


class Forbidden(DomainError):
    code = "forbidden"
    rpc_code = -32003


class ConfigError(DomainError):
    """A missing or malformed setting; the message names it."""

    code = "config_error"
    rpc_code = -32020


class CatalogueError(ConfigError):
    code = "catalogue_error"
