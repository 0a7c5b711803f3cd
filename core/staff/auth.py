"""Staff sign-in and the website's API keys.

Passwords are hashed with argon2id. A sign-in gives a short-lived JWT access token (HS256,
``JWT_SECRET``, lifetime ``JWT_EXPIRES_IN``) and a refresh token. Refresh tokens are stored
as SHA-256 hashes and rotate on every use; presenting one that was already rotated means
someone else holds a copy, so its whole family is revoked. Users with a TOTP secret must also
give the current 6-digit code. Each access token carries its sign-in (``sid``, the refresh
token family; see ``core.staff.signins``) and is refused once that sign-in has ended. API keys are
random strings stored as SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, NoReturn

import jwt
import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.config import Settings
from core.infra.db import Database
from core.infra.errors import ConfigError, NotFound, Unauthenticated, ValidationFailed
from core.models import User
from core.models.auth import ApiKey, RefreshToken
from core.staff import signins
from core.staff.roles import ROLES
from core.staff.sign_in_limits import LOCKOUT, MAX_FAILED_LOGINS, MIN_PASSWORD_LENGTH

REFRESH_DAYS = 30
MIN_SECRET_LENGTH = 32
ISSUER = "rft-booking"
TOTP_ISSUER = "RFT Booking"
STAFF_CHANNEL = "desk"
WEBSITE_CHANNEL = "website"
DEMO_PASSWORD = "demo-password"
_hasher = PasswordHasher()
_EPHEMERAL_SECRET = secrets.token_urlsafe(48)
_DURATION = re.compile(r"^(\d+)\s*([smhd]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
WRONG_LOGIN = "Wrong email or password."


class MfaRequired(Unauthenticated):
    """The password was right; the account also needs its 6-digit authenticator code."""

    code = "mfa_required"
    rpc_code = -32005


class Recorded(Unauthenticated):
    """Refused with a change that must stick (a revoked token family, a counted wrong
    attempt): the caller commits its transaction, then reports the error."""


class TokenRevoked(Recorded):
    code = "token_revoked"
    rpc_code = -32006


def parse_duration(text: str, name: str = "JWT_EXPIRES_IN") -> timedelta:
    """``900``, ``90s``, ``15m``, ``1h`` or ``2d``; anything else is a ConfigError naming it."""
    match = _DURATION.match(text.strip().lower())
    if not match or int(match[1]) == 0:
        raise ConfigError(f"{name} must be a duration like 15m, 1h or 900 (seconds), not {text!r}.")
    return timedelta(seconds=int(match[1]) * _UNITS[match[2]])


def signing_secret(settings: Settings) -> str:
    """``JWT_SECRET``; an embedded (single-machine) database may use a per-process secret."""
    secret = settings.jwt_secret
    if secret is None:
        if settings.embedded:
            return _EPHEMERAL_SECRET
        raise ConfigError("JWT_SECRET is not set; the server needs it to sign access tokens.")
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(f"JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters long.")
    return secret


def check_settings(settings: Settings) -> None:
    """Fail at start-up, naming the setting, when auth cannot work with ``settings``."""
    if settings.jwt_secret is None:
        raise ConfigError("JWT_SECRET is not set; the server needs it to sign access tokens.")
    signing_secret(settings)
    parse_duration(settings.jwt_expires_in)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not a real password")


def _password_ok(user: User | None, password: str) -> bool:
    """Verify in constant-ish time whether or not the user exists."""
    try:
        _hasher.verify(
            user.password_hash if user and user.password_hash else _dummy_hash(), password
        )
    except (VerificationError, InvalidHashError):
        return False
    return user is not None and user.password_hash is not None


@dataclass(frozen=True)
class Identity:
    """Who a connection or desktop session acts as, and until when."""

    actor: Actor
    expires_at: datetime | None
    email: str | None = None
    signin: str | None = None
    """The sign-in (refresh token family) a staff identity belongs to."""

    def to_json(self) -> dict[str, Any]:
        return {
            "user_id": self.actor.user_id,
            "name": self.actor.label,
            "email": self.email,
            "role": self.actor.role,
            "channel": self.actor.channel,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "signin": self.signin,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Identity:
        expires = data.get("expires_at")
        return cls(
            Actor(
                label=data["name"],
                role=data["role"],
                channel=data["channel"],
                user_id=data["user_id"],
            ),
            datetime.fromisoformat(expires) if expires else None,
            data.get("email"),
            data.get("signin"),
        )

    def valid(self, at: datetime | None = None) -> bool:
        return self.expires_at is None or (at or now()) < self.expires_at


def staff_actor(user: User) -> Actor:
    return Actor(label=user.name, role=user.role, channel=STAFF_CHANNEL, user_id=user.id)


def _access_token(settings: Settings, user: User, family: str) -> tuple[str, datetime]:
    issued = now()
    expires = issued + parse_duration(settings.jwt_expires_in)
    claims = {
        "iss": ISSUER,
        "sub": str(user.id),
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "sid": family,
        "iat": issued,
        "exp": expires,
    }
    return jwt.encode(claims, signing_secret(settings), algorithm="HS256"), expires


def _issue_refresh(tx: Session, user: User, family: str) -> str:
    token = secrets.token_urlsafe(32)
    at = now()
    tx.add(
        RefreshToken(
            user_id=user.id,
            family=family,
            token_hash=_digest(token),
            created_at=at,
            expires_at=at + timedelta(days=REFRESH_DAYS),
        )
    )
    tx.flush()
    return token


def _tokens(tx: Session, settings: Settings, user: User, family: str) -> dict[str, Any]:
    access, expires = _access_token(settings, user, family)
    identity = Identity(staff_actor(user), expires, user.email, family)
    return {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": int((expires - now()).total_seconds()),
        "refresh_token": _issue_refresh(tx, user, family),
        "identity": identity.to_json(),
    }


def _user_by_email(tx: Session, email: str) -> User | None:
    return tx.scalar(select(User).where(User.email == email.strip().lower()))


def _totp_step(secret: str, code: str, moment: datetime) -> int | None:
    """The time step ``code`` belongs to, allowing one step of clock drift either way."""
    totp = pyotp.TOTP(secret)
    for drift in (0, -1, 1):
        at = moment + timedelta(seconds=drift * totp.interval)
        if hmac.compare_digest(totp.at(at), code):
            return int(totp.timecode(at))
    return None


def locked_until(user: User) -> datetime | None:
    """When the lock after too many wrong sign-ins ends, while it lasts."""
    if user.locked_until is not None and user.locked_until > now():
        return user.locked_until
    return None


def unlock(user: User) -> None:
    """Forget wrong sign-ins: after a good one, or a password reset."""
    user.failed_logins, user.locked_until = 0, None


def _refuse(user: User | None, message: str) -> NoReturn:
    """Count a wrong attempt against an active account (locking it after too many)."""
    if user is None or not user.active:
        raise Unauthenticated(message)
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.failed_logins, user.locked_until = 0, now() + LOCKOUT
    raise Recorded(message)


def login(
    tx: Session, settings: Settings, email: str, password: str, totp: str | None = None
) -> dict[str, Any]:
    """Check a password (and TOTP code) and start a new token family. Wrong attempts are
    counted (``Recorded``: commit, then report); too many in a row lock the account."""
    user = _user_by_email(tx, email)
    if user is not None and (until := locked_until(user)) is not None:
        minutes = math.ceil((until - now()).total_seconds() / 60)
        raise Unauthenticated(
            f"Too many wrong attempts: this account is locked for {minutes} more minute"
            f"{'s' if minutes != 1 else ''}. An administrator can reset the password to unlock it."
        )
    if not _password_ok(user, password) or user is None or not user.active:
        _refuse(user, WRONG_LOGIN)
    if user.totp_secret:
        if not totp:
            raise MfaRequired("Enter the 6-digit code from your authenticator app.")
        step = _totp_step(user.totp_secret, totp.strip(), now())
        if step is None:
            _refuse(user, "That authenticator code is not right; try the current one.")
        if user.totp_last_step is not None and step <= user.totp_last_step:
            _refuse(user, "That authenticator code has already been used; wait for the next one.")
        user.totp_last_step = step
    unlock(user)
    assert user.password_hash is not None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return _tokens(tx, settings, user, str(uuid.uuid4()))


def refresh(tx: Session, settings: Settings, refresh_token: str) -> dict[str, Any]:
    """Swap a refresh token for new tokens. Reusing a rotated token revokes its family;
    the caller must still commit when that raises ``TokenRevoked`` (a ``Recorded``), so the
    revocation sticks."""
    row = tx.scalar(select(RefreshToken).where(RefreshToken.token_hash == _digest(refresh_token)))
    if row is None or row.revoked_at is not None or row.expires_at <= now():
        raise Unauthenticated("Your sign-in has ended; please sign in again.")
    if row.rotated_at is not None:
        signins.end(tx, "reused", family=row.family)
        raise TokenRevoked(signins.message("reused"))
    user = tx.get(User, row.user_id)
    if user is None or not user.active:
        signins.end(tx, "disabled", family=row.family)
        raise Unauthenticated("This account is disabled.")
    row.rotated_at = now()
    return _tokens(tx, settings, user, row.family)


def logout(tx: Session, refresh_token: str) -> bool:
    """End the sign-in the refresh token belongs to (all its rotations)."""
    row = tx.scalar(select(RefreshToken).where(RefreshToken.token_hash == _digest(refresh_token)))
    if row is None:
        return False
    signins.end(tx, "signed_out", family=row.family)
    return True


def identify_token(tx: Session, settings: Settings, access_token: str) -> Identity:
    """The identity an access token stands for: the account must still be active and the
    token's sign-in not ended."""
    try:
        claims = jwt.decode(
            access_token,
            signing_secret(settings),
            algorithms=["HS256"],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iss", "sid"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("Your sign-in has expired; please sign in again.") from None
    except jwt.InvalidTokenError:
        raise Unauthenticated("That access token is not valid.") from None
    user = tx.get(User, int(claims["sub"]))
    if user is None or not user.active:
        raise Unauthenticated("This account is disabled.")
    family = str(claims["sid"])
    if not signins.is_live(tx, family, user.id):
        raise Unauthenticated(signins.ENDED)
    expires = datetime.fromtimestamp(claims["exp"], UTC)
    return Identity(staff_actor(user), expires, user.email, family)


def identify_api_key(tx: Session, key: str) -> Identity:
    row = tx.scalar(select(ApiKey).where(ApiKey.key_hash == _digest(key.strip())))
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("That API key is not valid.")
    return Identity(Actor(label=f"website ({row.name})", role=None, channel=WEBSITE_CHANNEL), None)


def add_user(tx: Session, email: str, name: str, role: str, password: str) -> User:
    email = email.strip().lower()
    if role not in ROLES:
        raise ValidationFailed(f"Role must be one of {', '.join(ROLES)}, not {role!r}.")
    if "@" not in email:
        raise ValidationFailed(f"{email!r} is not an email address.")
    if _user_by_email(tx, email) is not None:
        raise ValidationFailed(f"There is already a user {email}.")
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password),
        created_at=now(),
        active=True,
        mfa_required=False,
    )
    tx.add(user)
    tx.flush()
    return user


def find_user(tx: Session, email: str) -> User:
    user = _user_by_email(tx, email)
    if user is None:
        raise NotFound(f"There is no user {email.strip()}.")
    return user


def disable_user(tx: Session, email: str) -> User:
    """Stop the account signing in and end every sign-in it has."""
    user = find_user(tx, email)
    user.active = False
    signins.end(tx, "disabled", user_id=user.id)
    return user


def enable_mfa(tx: Session, email: str) -> str:
    """Give the user a new TOTP secret; returns the otpauth:// URI for an authenticator app."""
    user = find_user(tx, email)
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.mfa_required = True
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def add_api_key(tx: Session, name: str) -> str:
    """Create a website API key; the key itself is returned once and never stored."""
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise ValidationFailed("An API key needs a name of 1 to 80 characters.")
    if tx.scalar(select(ApiKey).where(ApiKey.name == name)) is not None:
        raise ValidationFailed(f"There is already an API key called {name!r}.")
    key = "rftk_" + secrets.token_urlsafe(32)
    tx.add(ApiKey(name=name, prefix=key[:12], key_hash=_digest(key), created_at=now()))
    tx.flush()
    return key


def seed_demo_passwords(db: Database, emails: list[str]) -> None:
    """Demo staff without a password get ``DEMO_PASSWORD`` (documented in the README)."""
    digest = _hasher.hash(DEMO_PASSWORD)
    with db.write() as tx:
        for user in tx.scalars(select(User).where(User.email.in_(emails))):
            if user.password_hash is None:
                user.password_hash = digest
