"""Office screens load only for roles the service lets use them (no refused calls), and
quietly: a list that fails to refresh stays as it was."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any

from PySide6.QtCore import QObject

from desktop.backend import Backend
from desktop.tasks import BackendOp, plain_message

log = logging.getLogger(__name__)


def may_use(backend: Backend, roles: Collection[str]) -> bool:
    return (backend.role or "") in roles


def load(
    parent: QObject,
    backend: Backend,
    method: str,
    params: dict[str, Any] | None,
    done: Callable[[Any], None],
) -> None:
    """A background read for a list: a failure is logged and the list stays as it was (no
    dialog pops up over the desk for a refresh that did not happen)."""
    BackendOp(parent, backend, method, params).success(done).failure(
        lambda e: log.warning("%s failed: %s", method, plain_message(e))
    ).run()
