"""The desk against a sync server: the same API names over ``desktop.sync_client``.

Errors come back as the same ``core.infra.errors`` classes the local backend raises (rebuilt from
the server's error code), so screens handle both backends alike. The refresh token lives
in the OS keyring (``core.infra.secrets``) under the server's URL, so the next start signs in
without a password; each rotation is saved again.
"""

from __future__ import annotations

import concurrent.futures
import json
import threading
import time
from typing import Any

from PySide6.QtCore import QObject, Signal

from core.infra.errors import DomainError
from core.infra.secrets import delete_secret, read_secret, write_secret
from desktop.backend import Backend
from desktop.sync_client import BlockingSyncClient, ConnectionLost, RpcError
from desktop.tasks import Op

CALL_TIMEOUT_S = 60.0
DROPPED = (
    "The connection to the booking server has dropped. Trying again… "
    "Nothing you booked is lost; seats shown may be out of date until it is back."
)


def _error_classes() -> dict[str, type[DomainError]]:
    found: dict[str, type[DomainError]] = {}
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.code, cls)
        pending.extend(cls.__subclasses__())
    return found


def domain_error(exc: RpcError) -> DomainError:
    """The ``core.infra.errors`` class for a server error, with its plain-English message."""
    if isinstance(exc, ConnectionLost):
        return DomainError(exc.message)
    data = dict(exc.data) if isinstance(exc.data, dict) else {}
    cls = _error_classes().get(str(data.pop("code", "")), DomainError)
    error = cls(exc.message, **data)
    if cls is DomainError and exc.kind:
        error.code = exc.kind
    return error


def identity_name(url: str) -> str:
    """Keyring entry for the last identity signed in at ``url`` (for starting offline)."""
    return "identity:" + url


def token_name(url: str) -> str:
    return f"refresh-token:{url}"


class RemoteBackend(Backend):
    """Service API calls over WebSocket; live changes from the server's pushes."""

    _state_arrived = Signal(str)  # client thread → GUI thread
    _identity_arrived = Signal(object)  # worker thread → GUI thread

    def __init__(self, url: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.url = url
        self._client: BlockingSyncClient | None = None
        self._saved_token: str | None = None
        self._token_lock = threading.Lock()
        self._tried_keyring = False
        self._state_arrived.connect(self._state_changed)
        self._identity_arrived.connect(self._take_identity)

    @property
    def description(self) -> str:
        return self.url

    @property
    def client(self) -> BlockingSyncClient:
        assert self._client is not None, "start() the backend first"
        return self._client

    def start(self) -> None:
        """Connect in the background; the sign-in kept in the keyring is resumed on connect.

        Until then the last signed-in identity stands in, so a trainer who starts the app
        with no network still gets their register (the server checks every mark on sync).
        """
        self._set_connected(False, "")
        remembered = read_secret(identity_name(self.url))
        if remembered and read_secret(token_name(self.url)):
            self._take_identity(json.loads(remembered))
        self._client = BlockingSyncClient(
            self.url, on_changes=self._on_changes, on_state=self._state_arrived.emit
        )

    def _resume_saved_sign_in(self) -> dict[str, Any] | None:
        """Worker thread: sign in again with the refresh token from the keyring, if any."""
        token = read_secret(token_name(self.url))
        client = self._client
        if not token or client is None:
            return None
        try:
            result = client.call("auth.refresh", {"refresh_token": token})
        except RpcError:
            delete_secret(token_name(self.url))  # revoked or expired: sign in by hand
            return None
        sync = client.client
        sync.access_token = result["access_token"]
        sync.refresh_token = result["refresh_token"]
        sync.identity = result["identity"]
        client.call("changes.subscribe", {"after_seq": client.last_seq})
        self._save_token()
        return dict(result["identity"])

    def close(self) -> None:
        client, self._client = self._client, None  # calls in flight give up at once
        if client is not None:
            client.close()

    @property
    def needs_sign_in(self) -> bool:
        return self._client is not None and self._client.client.identity is None

    def login(self, email: str, password: str, totp: str | None = None) -> dict[str, Any]:
        """Sign in (worker thread); ``MfaRequired`` asks for the authenticator code."""
        try:
            identity = self.client.login(email, password, totp)
        except RpcError as exc:
            raise domain_error(exc) from None
        self._save_token()
        self._identity_arrived.emit(identity)  # role and name change on the GUI thread
        return identity

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        if self._client is None:
            raise DomainError("The desk is not connected to a booking server.")
        future = self._client.submit(method, params or {})
        deadline = time.monotonic() + CALL_TIMEOUT_S
        while True:
            try:
                result = future.result(timeout=0.25)
                break
            except concurrent.futures.TimeoutError:
                if self._client is None or time.monotonic() > deadline:
                    future.cancel()
                    raise DomainError(
                        "The booking server did not answer in time; try again."
                    ) from None
            except RpcError as exc:
                raise domain_error(exc) from None
        self._save_token()
        return result

    def _save_token(self) -> None:
        """Keep the newest refresh token in the keyring (they rotate on every refresh)."""
        client = self._client
        if client is None:
            return
        token = client.client.refresh_token
        with self._token_lock:
            if token == self._saved_token:
                return
            self._saved_token = token
        if token:
            write_secret(token_name(self.url), token)
        else:
            delete_secret(token_name(self.url))

    def _take_identity(self, identity: dict[str, Any] | None) -> None:
        if identity:
            self._set_identity(str(identity.get("name") or identity.get("email")), identity["role"])
            write_secret(identity_name(self.url), json.dumps(identity))
        else:
            self._set_identity("", None)
            delete_secret(identity_name(self.url))

    # -- callbacks from the client's thread --------------------------------------------
    def _on_changes(self, changes: list[dict[str, Any]]) -> None:
        for message in changes:
            self.changed.emit(message)

    def _resumed(self, identity: dict[str, Any] | None) -> None:
        self._take_identity(identity)
        self._set_connected(True, "Connected to the booking server.")

    def _state_changed(self, state: str) -> None:
        """On the GUI thread, so ``start()`` has finished and the client exists."""
        if self._client is None:
            return
        if state == "connected":
            if self.client.client.identity is None and not self._tried_keyring:
                self._tried_keyring = True
                Op(self, self._resume_saved_sign_in).success(self._resumed).failure(
                    lambda _e: self._resumed(None)
                ).run()
                return
            self._take_identity(self.client.client.identity)
            self._save_token()
            self._set_connected(True, "Connected to the booking server again. All up to date.")
        elif state == "disconnected":
            self._set_connected(False, DROPPED)
        elif state == "signed_out":
            self._take_identity(None)
            self._save_token()
            self._set_connected(True, "Your sign-in has ended; please sign in again.")
