"""``auth.login``, ``auth.refresh``, ``auth.logout``, ``auth.authenticate``.

Each successful call returns an ``identity`` (who the caller now is); the server makes that
the connection's identity, and the desktop's local backend does the same in-process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import Field, model_validator
from sqlalchemy.orm import Session

from core.api.params import Params
from core.api.registry import ANYONE, Call, method
from core.api.results.staff import Authenticated, SignedOut, Tokens
from core.infra.errors import ValidationFailed
from core.staff import auth


class LoginParams(Params):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1000)
    totp: str | None = Field(default=None, pattern=r"^\s*\d{6}\s*$")


class RefreshParams(Params):
    refresh_token: str = Field(min_length=16, max_length=200)


class LogoutParams(Params):
    refresh_token: str | None = Field(default=None, min_length=16, max_length=200)


class AuthenticateParams(Params):
    access_token: str | None = Field(default=None, min_length=16, max_length=4000)
    api_key: str | None = Field(default=None, min_length=16, max_length=200)

    @model_validator(mode="after")
    def _one_credential(self) -> AuthenticateParams:
        if (self.access_token is None) == (self.api_key is None):
            raise ValueError("give exactly one of access_token or api_key")
        return self


def _keeping_refusals(call: Call, work: Callable[[Session], dict[str, Any]]) -> dict[str, Any]:
    """Run ``work`` in a write transaction; an ``auth.Recorded`` refusal is raised only after
    the transaction has committed what it recorded."""
    refused: auth.Recorded | None = None
    with call.db.write() as tx:
        try:
            return work(tx)
        except auth.Recorded as exc:
            refused = exc
    raise refused


@method("auth.login", roles={ANYONE}, params=LoginParams, result=Tokens)
def login(call: Call, params: LoginParams) -> dict[str, Any]:
    settings = call.db.settings
    return _keeping_refusals(
        call, lambda tx: auth.login(tx, settings, params.email, params.password, params.totp)
    )


@method("auth.refresh", roles={ANYONE}, params=RefreshParams, result=Tokens)
def refresh(call: Call, params: RefreshParams) -> dict[str, Any]:
    settings = call.db.settings
    return _keeping_refusals(call, lambda tx: auth.refresh(tx, settings, params.refresh_token))


@method("auth.logout", roles={ANYONE}, params=LogoutParams, result=SignedOut)
def logout(call: Call, params: LogoutParams) -> dict[str, Any]:
    if params.refresh_token:
        with call.db.write() as tx:
            auth.logout(tx, params.refresh_token)
    return {"signed_out": True}


@method("auth.authenticate", roles={ANYONE}, params=AuthenticateParams, result=Authenticated)
def authenticate(call: Call, params: AuthenticateParams) -> dict[str, Any]:
    """Resume with a still-valid access token, or act as the website with an API key."""
    with call.db.read() as tx:
        if params.access_token:
            identity = auth.identify_token(tx, call.db.settings, params.access_token)
        elif params.api_key:
            identity = auth.identify_api_key(tx, params.api_key)
        else:
            raise ValidationFailed("Give an access_token or an api_key.")
    return {"identity": identity.to_json()}
