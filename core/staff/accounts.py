"""Staff accounts for admins: add with a role, change role, disable, reset a password, and a
second factor that admins and managers must have. Built on ``core.staff.auth``; every action is
audited (never a password or an authenticator secret)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.infra.actor import Actor
from core.infra.errors import ValidationFailed
from core.infra.names import real_name
from core.journal import audit
from core.models import User
from core.staff import auth, signins
from core.staff.roles import ROLES

MFA_ROLES = ("admin", "manager")
"""Roles that must sign in with a second factor (TOTP)."""


@dataclass(frozen=True)
class Added:
    user: User
    otpauth_uri: str | None
    """For an admin or manager: the authenticator set-up link, shown once."""


def staff_json(user: User) -> dict[str, Any]:
    locked = auth.locked_until(user)
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "active": user.active,
        "mfa_required": user.mfa_required,
        "mfa_enrolled": bool(user.totp_secret),
        "locked_until": locked.isoformat() if locked else None,
    }


def list_staff(tx: Session) -> list[dict[str, Any]]:
    return [staff_json(u) for u in tx.scalars(select(User).order_by(User.name))]


def _active_admins(tx: Session) -> int:
    stmt = select(func.count()).select_from(User).where(User.role == "admin", User.active)
    return int(tx.scalar(stmt) or 0)


def _require_mfa(tx: Session, user: User) -> str | None:
    if user.role in MFA_ROLES and not user.totp_secret:
        return auth.enable_mfa(tx, user.email)
    return None


def add_staff(tx: Session, actor: Actor, email: str, name: str, role: str, password: str) -> Added:
    """A new account; admins and managers get a second factor to set up straight away."""
    if not 2 <= len(name.strip()) <= 120:
        raise ValidationFailed("A staff name needs 2 to 120 characters.")
    try:
        name = real_name(name)
    except ValueError as exc:
        raise ValidationFailed(f"That staff name is not valid ({exc}).") from None
    user = auth.add_user(tx, email, name, role, password)
    uri = _require_mfa(tx, user)
    tx.flush()
    audit.record(tx, actor, "staff.add", "user", user.email, after=staff_json(user))
    return Added(user, uri)


def change_role(tx: Session, actor: Actor, email: str, role: str) -> Added:
    if role not in ROLES:
        raise ValidationFailed(f"Role must be one of {', '.join(ROLES)}, not {role!r}.")
    user = auth.find_user(tx, email)
    if user.role == "admin" and role != "admin" and _active_admins(tx) <= 1:
        raise ValidationFailed("This is the last admin; make someone else an admin first.")
    before = staff_json(user)
    if role != user.role:
        signins.end(tx, "role_changed", user_id=user.id)
    user.role = role
    uri = _require_mfa(tx, user)
    tx.flush()
    audit.record(tx, actor, "staff.role", "user", user.email, before=before, after=staff_json(user))
    return Added(user, uri)


def disable_staff(tx: Session, actor: Actor, email: str) -> User:
    """Stop an account signing in and end its sign-ins."""
    user = auth.find_user(tx, email)
    if actor.user_id is not None and actor.user_id == user.id:
        raise ValidationFailed("You cannot disable your own account.")
    if not user.active:
        raise ValidationFailed(f"{user.email} is already disabled.")
    if user.role == "admin" and _active_admins(tx) <= 1:
        raise ValidationFailed("This is the last active admin; it cannot be disabled.")
    before = staff_json(user)
    auth.disable_user(tx, email)
    tx.flush()
    audit.record(
        tx, actor, "staff.disable", "user", user.email, before=before, after=staff_json(user)
    )
    return user


def enable_staff(tx: Session, actor: Actor, email: str) -> User:
    user = auth.find_user(tx, email)
    before = staff_json(user)
    user.active = True
    tx.flush()
    audit.record(
        tx, actor, "staff.enable", "user", user.email, before=before, after=staff_json(user)
    )
    return user


def reset_password(tx: Session, actor: Actor, email: str, password: str) -> User:
    """Set a new password, unlock the account and sign it out everywhere."""
    user = auth.find_user(tx, email)
    user.password_hash = auth.hash_password(password)
    auth.unlock(user)
    signins.end(tx, "password_reset", user_id=user.id)
    tx.flush()
    audit.record(tx, actor, "staff.password_reset", "user", user.email)
    return user


def reset_second_factor(tx: Session, actor: Actor, email: str) -> str:
    """A new authenticator secret (lost phone); returns the set-up link, shown once."""
    user = auth.find_user(tx, email)
    uri = auth.enable_mfa(tx, user.email)
    tx.flush()
    audit.record(tx, actor, "staff.mfa_reset", "user", user.email, after=staff_json(user))
    return uri
