"""Staff sign-in: argon2 passwords, short JWTs, rotating refresh tokens, TOTP, API keys."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import jwt
import pyotp
import pytest
from sqlalchemy import select

from core.api import Call, dispatch
from core.infra.actor import CLI
from core.infra.clock import now
from core.infra.config import load_settings
from core.infra.db import Database
from core.infra.errors import ConfigError, Unauthenticated
from core.models import User
from core.staff import accounts as staff
from core.staff import auth
from core.staff.sign_in_limits import MAX_FAILED_LOGINS
from tests.server_support import JWT_SECRET, PASSWORD, add_api_key, add_staff

ANON_LOGIN = {"email": "reception@example.org", "password": PASSWORD}


@pytest.fixture
def db(sqlite_db: Database) -> Database:
    sqlite_db.settings = sqlite_db.settings.with_overrides(jwt_secret=JWT_SECRET)
    add_staff(sqlite_db, "reception")
    return sqlite_db


def call(db: Database, method: str, params: Mapping[str, object]) -> dict[str, object]:
    return dict(dispatch(Call(db, None), method, params))


def test_passwords_are_stored_as_argon2_hashes(db: Database) -> None:
    with db.read() as tx:
        user = tx.scalars(select(User).where(User.email == "reception@example.org")).one()
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_a_wrong_password_and_an_unknown_email_look_the_same(db: Database) -> None:
    with pytest.raises(Unauthenticated) as wrong:
        call(db, "auth.login", ANON_LOGIN | {"password": "not the password"})
    with pytest.raises(Unauthenticated) as unknown:
        call(db, "auth.login", ANON_LOGIN | {"email": "nobody@example.org"})
    assert wrong.value.message == unknown.value.message == "Wrong email or password."


def test_too_many_wrong_passwords_lock_the_account_until_an_admin_resets_it(
    db: Database,
) -> None:
    wrong = ANON_LOGIN | {"password": "not the password"}
    for _ in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(Unauthenticated, match="Wrong email or password"):
            call(db, "auth.login", wrong)
    assert call(db, "auth.login", ANON_LOGIN)["access_token"]  # success starts the count again
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(Unauthenticated, match="Wrong email or password"):
            call(db, "auth.login", wrong)
    with pytest.raises(Unauthenticated, match="locked for 15 more minutes"):
        call(db, "auth.login", ANON_LOGIN)  # even the right password, for now
    with pytest.raises(Unauthenticated, match="Wrong email or password"):
        call(db, "auth.login", ANON_LOGIN | {"email": "nobody@example.org"})

    with db.read() as tx:
        assert staff.list_staff(tx)[0]["locked_until"] is not None  # the staff tab shows it

    with db.write() as tx:
        staff.reset_password(tx, CLI, "reception@example.org", "a brand new password")
        assert staff.list_staff(tx)[0]["locked_until"] is None
    assert call(db, "auth.login", ANON_LOGIN | {"password": "a brand new password"})


def test_a_lock_ends_by_itself(db: Database) -> None:
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(Unauthenticated):
            call(db, "auth.login", ANON_LOGIN | {"password": "not the password"})
    with db.write() as tx:
        user = tx.scalars(select(User)).one()
        assert user.locked_until is not None
        user.locked_until = now() - timedelta(seconds=1)  # the quarter of an hour has passed
    assert call(db, "auth.login", ANON_LOGIN)["access_token"]


def test_login_gives_a_short_lived_signed_access_token(db: Database) -> None:
    tokens = call(db, "auth.login", ANON_LOGIN)
    claims = jwt.decode(
        str(tokens["access_token"]), JWT_SECRET, algorithms=["HS256"], issuer=auth.ISSUER
    )
    assert claims["role"] == "reception"
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert tokens["identity"]["role"] == "reception"  # type: ignore[index]
    resumed = call(db, "auth.authenticate", {"access_token": tokens["access_token"]})
    assert resumed["identity"]["email"] == "reception@example.org"  # type: ignore[index]


def test_expired_and_forged_access_tokens_are_refused(db: Database) -> None:
    with db.read() as tx:
        user = tx.scalars(select(User)).one()
    no_sign_in = {"iss": auth.ISSUER, "sub": str(user.id), "exp": now() + timedelta(hours=1)}
    forged = no_sign_in | {"sid": "00000000-0000-0000-0000-000000000000"}
    old = forged | {"exp": now() - timedelta(seconds=5)}
    unknown_sign_in = forged | {"sid": "someone-made-this-up"}
    cases = [
        (jwt.encode(old, JWT_SECRET, algorithm="HS256"), "expired"),
        (jwt.encode(forged, "another-secret-" + "y" * 40, algorithm="HS256"), "not valid"),
        (jwt.encode(unknown_sign_in, JWT_SECRET, algorithm="HS256"), "sign-in has ended"),
        (jwt.encode(no_sign_in, JWT_SECRET, algorithm="HS256"), "not valid"),
    ]
    for token, words in cases:
        with pytest.raises(Unauthenticated, match=words):
            call(db, "auth.authenticate", {"access_token": token})


def test_refresh_rotates_and_reusing_an_old_token_ends_the_whole_sign_in(db: Database) -> None:
    first = call(db, "auth.login", ANON_LOGIN)
    second = call(db, "auth.refresh", {"refresh_token": first["refresh_token"]})
    assert second["refresh_token"] != first["refresh_token"]
    third = call(db, "auth.refresh", {"refresh_token": second["refresh_token"]})

    with pytest.raises(auth.TokenRevoked) as stolen:  # someone replays the first token
        call(db, "auth.refresh", {"refresh_token": first["refresh_token"]})
    assert stolen.value.rpc_code == -32006
    with pytest.raises(Unauthenticated, match="ended"):  # the family is gone, newest included
        call(db, "auth.refresh", {"refresh_token": third["refresh_token"]})
    other = call(db, "auth.login", ANON_LOGIN)  # a separate sign-in is unaffected
    assert call(db, "auth.refresh", {"refresh_token": other["refresh_token"]})


def test_logout_revokes_the_refresh_token(db: Database) -> None:
    tokens = call(db, "auth.login", ANON_LOGIN)
    assert call(db, "auth.logout", {"refresh_token": tokens["refresh_token"]}) == {
        "signed_out": True
    }
    with pytest.raises(Unauthenticated):
        call(db, "auth.refresh", {"refresh_token": tokens["refresh_token"]})


def test_totp_is_asked_for_and_checked_once_turned_on(db: Database) -> None:
    with db.write() as tx:
        uri = auth.enable_mfa(tx, "reception@example.org")
    assert uri.startswith("otpauth://totp/")
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    with pytest.raises(auth.MfaRequired) as needed:
        call(db, "auth.login", ANON_LOGIN)
    assert needed.value.code == "mfa_required"
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    with pytest.raises(Unauthenticated, match="code"):
        call(db, "auth.login", ANON_LOGIN | {"totp": wrong})
    code = pyotp.TOTP(secret).now()
    tokens = call(db, "auth.login", ANON_LOGIN | {"totp": code})
    assert tokens["access_token"]


def test_an_authenticator_code_works_only_once(db: Database) -> None:
    with db.write() as tx:
        secret = pyotp.parse_uri(auth.enable_mfa(tx, "reception@example.org")).secret
    totp = pyotp.TOTP(secret)
    code = totp.now()
    assert call(db, "auth.login", ANON_LOGIN | {"totp": code})["access_token"]
    with pytest.raises(Unauthenticated, match="already been used"):
        call(db, "auth.login", ANON_LOGIN | {"totp": code})
    following = totp.at(now() + timedelta(seconds=totp.interval))
    assert call(db, "auth.login", ANON_LOGIN | {"totp": following})["access_token"]


def test_a_disabled_user_can_neither_sign_in_nor_refresh(db: Database) -> None:
    tokens = call(db, "auth.login", ANON_LOGIN)
    with db.write() as tx:
        auth.disable_user(tx, "reception@example.org")
    with pytest.raises(Unauthenticated):
        call(db, "auth.login", ANON_LOGIN)
    with pytest.raises(Unauthenticated):
        call(db, "auth.refresh", {"refresh_token": tokens["refresh_token"]})
    with pytest.raises(Unauthenticated):
        call(db, "auth.authenticate", {"access_token": tokens["access_token"]})


def test_api_keys_give_the_website_scope_and_are_stored_hashed(db: Database) -> None:
    key = add_api_key(db, "public site")
    identity = call(db, "auth.authenticate", {"api_key": key})["identity"]
    assert identity == {
        "user_id": None,
        "name": "website (public site)",
        "email": None,
        "role": None,
        "channel": "website",
        "expires_at": None,
        "signin": None,
    }
    with pytest.raises(Unauthenticated):
        call(db, "auth.authenticate", {"api_key": key[:-2] + "xx"})


def test_settings_are_checked_naming_the_variable() -> None:
    base = {"DATABASE_URL": "postgresql://x@localhost/db"}
    with pytest.raises(ConfigError, match="JWT_SECRET is not set"):
        auth.check_settings(load_settings(base))
    with pytest.raises(ConfigError, match="JWT_SECRET must be at least 32"):
        auth.check_settings(load_settings(base | {"JWT_SECRET": "short"}))
    with pytest.raises(ConfigError, match="JWT_EXPIRES_IN"):
        auth.check_settings(
            load_settings(base | {"JWT_SECRET": JWT_SECRET, "JWT_EXPIRES_IN": "soon"})
        )
    assert auth.parse_duration("15m") == timedelta(minutes=15)
    assert auth.parse_duration("900") == timedelta(seconds=900)
    assert auth.parse_duration("2h") == timedelta(hours=2)


def test_demo_staff_sign_in_with_the_documented_password(sqlite_db: Database) -> None:
    from core.demo import data as demo

    demo.seed(sqlite_db)
    for email in ("admin@rft-training.co.uk", "sarah.holt@rft-training.co.uk"):
        tokens = call(sqlite_db, "auth.login", {"email": email, "password": auth.DEMO_PASSWORD})
        assert tokens["identity"]["email"] == email  # type: ignore[index]
