"""Sign-ins: one refresh-token family is one sign-in, and its access tokens carry its id.

A sign-in is live while its family has a token that is neither revoked nor expired. Ending
one (logout, a reused refresh token, a disabled account, a password reset, a role change)
revokes its tokens and appends a ``signin`` change to the feed in the same transaction, so
every server process learns of it from the feed (PostgreSQL NOTIFY, or the poll) and can
turn away the connections still using it.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.infra.clock import now
from core.journal import changes
from core.models.auth import RefreshToken

KIND = "signin"
"""Feed kind of an ended sign-in: ``id`` is the user id, ``data`` ``{"ended", "reason"}``."""

MESSAGES = {
    "signed_out": "You signed out, so this sign-in has ended; please sign in again.",
    "reused": "This sign-in was used from somewhere else, so it has been ended for safety; "
    "please sign in again.",
    "disabled": "This account has been disabled.",
    "password_reset": "The password of this account was reset; please sign in again.",
    "role_changed": "The role of this account was changed; please sign in again.",
}
"""Why a sign-in ended, as a person reads it."""

ENDED = "Your sign-in has ended; please sign in again."


def message(reason: str | None) -> str:
    return MESSAGES.get(reason or "", ENDED)


def is_live(tx: Session, family: str, user_id: int) -> bool:
    """Whether ``family`` is still a sign-in of ``user_id``."""
    stmt = select(RefreshToken.id).where(
        RefreshToken.family == family,
        RefreshToken.user_id == user_id,
        RefreshToken.revoked_at.is_(None),
        RefreshToken.expires_at > now(),
    )
    return tx.scalar(stmt.limit(1)) is not None


def end(tx: Session, reason: str, *, family: str | None = None, user_id: int | None = None) -> int:
    """End one sign-in (``family``) or all of a user's; returns how many were live."""
    assert reason in MESSAGES and (family is None) != (user_id is None)
    which = RefreshToken.family == family if family else RefreshToken.user_id == user_id
    live = select(RefreshToken.family, RefreshToken.user_id).where(
        which, RefreshToken.revoked_at.is_(None)
    )
    ended: dict[str, int] = {row.family: row.user_id for row in tx.execute(live.distinct())}
    if not ended:
        return 0
    tx.execute(
        update(RefreshToken)
        .where(which, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    for owner in sorted(set(ended.values())):
        families = sorted(f for f, u in ended.items() if u == owner)
        changes.append(tx, KIND, owner, {"ended": families, "reason": reason})
    return len(ended)
