"""Secrets from the OS keyring, with the environment taking precedence.

On a desktop, secrets live in the keyring. A headless Linux box may have no keyring
service at all; there ``read_secret`` returns None and callers decide what that means.
"""

from __future__ import annotations

import contextlib
import logging

import keyring
from keyring.errors import KeyringError

SERVICE = "rft-booking"
log = logging.getLogger(__name__)


def read_secret(name: str) -> str | None:
    try:
        return keyring.get_password(SERVICE, name)
    except (KeyringError, RuntimeError) as exc:
        log.debug("keyring unavailable reading %s: %s", name, exc)
        return None


def write_secret(name: str, value: str) -> bool:
    """Store a secret; False when no keyring backend is usable here."""
    try:
        keyring.set_password(SERVICE, name, value)
    except (KeyringError, RuntimeError) as exc:
        log.debug("keyring unavailable writing %s: %s", name, exc)
        return False
    return True


def delete_secret(name: str) -> None:
    with contextlib.suppress(KeyringError, RuntimeError):
        keyring.delete_password(SERVICE, name)
