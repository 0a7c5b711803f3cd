"""Field encryption for personal data: AES-256-GCM per value, plus a keyed hash for lookups.

The data key comes from ``RFT_DATA_KEY`` (urlsafe base64, 32 bytes) or the OS keyring; for
the embedded database one is generated on first run. It is never stored in the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.infra.config import Settings
from core.infra.errors import ConfigError
from core.infra.secrets import read_secret, write_secret

log = logging.getLogger(__name__)
_PREFIX = "v1:"


def _derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(key)


class FieldCipher:
    """Encrypts and decrypts single text values; derives separate keys per purpose."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ConfigError("RFT_DATA_KEY must decode to exactly 32 bytes.")
        self._aead = AESGCM(_derive(key, b"rft field encryption"))
        self._index_key = _derive(key, b"rft blind index")

    def encrypt(self, plain: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plain.encode("utf-8"), None)
        return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    @staticmethod
    def sealed(text: str) -> bool:
        """Whether ``text`` is already ciphertext written by ``encrypt``."""
        return text.startswith(_PREFIX)

    def decrypt(self, token: str) -> str:
        if not token.startswith(_PREFIX):
            raise ConfigError("Encrypted field has an unknown format.")
        raw = base64.urlsafe_b64decode(token[len(_PREFIX) :])
        try:
            return self._aead.decrypt(raw[:12], raw[12:], None).decode("utf-8")
        except InvalidTag:
            raise ConfigError(
                "Personal data cannot be decrypted: RFT_DATA_KEY is not the key this "
                "database was written with."
            ) from None

    def blind_index(self, value: str) -> str:
        """A keyed hash of a normalised value (e.g. an email), for equality lookups."""
        normal = value.strip().casefold()
        return hmac.new(self._index_key, normal.encode("utf-8"), hashlib.sha256).hexdigest()


_active: FieldCipher | None = None


def install(cipher: FieldCipher) -> None:
    global _active
    _active = cipher


def cipher() -> FieldCipher:
    if _active is None:
        raise ConfigError(
            "No data key is loaded; open the database with core.infra.db.open_database()."
        )
    return _active


def _decode(raw: str, source: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(raw.strip() + "=" * (-len(raw.strip()) % 4))
    except ValueError:
        raise ConfigError(f"{source} is not valid base64.") from None
    if len(key) != 32:
        raise ConfigError(f"{source} must decode to exactly 32 bytes, not {len(key)}.")
    return key


def new_key_text() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def load_data_key(settings: Settings, env: dict[str, str] | None = None) -> bytes:
    """Find the data key: environment, then keyring, then (embedded only) generate one."""
    env = dict(os.environ) if env is None else env
    if env.get("RFT_DATA_KEY"):
        return _decode(env["RFT_DATA_KEY"], "RFT_DATA_KEY")
    name = "data-key:" + hashlib.sha256(settings.database_url.encode()).hexdigest()[:16]
    stored = read_secret(name)
    if stored:
        return _decode(stored, f"the keyring entry {name}")
    fallback = Path(settings.data_dir) / "data.key"
    if fallback.exists():
        return _decode(fallback.read_text(encoding="ascii"), str(fallback))
    if not settings.embedded:
        raise ConfigError(
            "RFT_DATA_KEY is not set and the OS keyring holds no data key for this database."
        )
    text = new_key_text()
    if not write_secret(name, text):
        # Headless machine without a keyring service: keep the key beside, never inside, the DB.
        fallback.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(fallback, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(text)
        log.warning("No OS keyring available; data key written to %s (mode 600).", fallback)
    return _decode(text, "the generated data key")
