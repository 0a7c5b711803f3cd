"""The one place configuration is read: environment variables (the seed's names), with defaults.

Secrets may also come from the OS keyring (see ``core.infra.secrets``). A malformed value raises
``ConfigError`` naming the variable, at start-up rather than at first use.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from core.infra.errors import ConfigError

APP_NAME = "RFT Booking"
APP_SLUG = "rft-booking"
RATE_LIMIT_RANGE = (0.1, 100_000.0)  # requests per second on one sync-server connection
RATE_BURST_RANGE = (1, 100_000)  # requests a connection may save up


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, not {value}.")
    return value


def _float(
    env: Mapping[str, str],
    name: str,
    default: float,
    lo: float,
    hi: float,
    what: str = "a number of seconds",
) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be {what}, not {raw!r}.") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, not {value}.")
    return value


def _public_url(env: Mapping[str, str]) -> str | None:
    """RFT_PUBLIC_URL: the address visitors reach the booking server at (no trailing /)."""
    raw = (env.get("RFT_PUBLIC_URL") or "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if not _is_web_address(raw):
        raise ConfigError(
            "RFT_PUBLIC_URL must be the http(s) address visitors open the booking page at, "
            f"such as https://book.rft-training.co.uk, not {raw!r}."
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"RFT_PUBLIC_URL must have no ?query or #fragment, not {raw!r}.")
    return raw.rstrip("/")


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an http(s) URL, lower-cased, without a default port."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != default else "")


def _is_web_address(text: str) -> bool:
    """Whether ``text`` is ``http(s)://host[:port]…`` with a real port, and no user name,
    white space or backslash (which browsers read in ways that can name another host)."""
    if "\\" in text or any(c.isspace() for c in text):
        return False
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # a port that is not a number, or out of range
        return False
    return (
        port_ok
        and parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and "@" not in parts.netloc
    )


def _is_origin(text: str) -> bool:
    """Whether ``text`` is ``http(s)://host[:port]`` and nothing more (a trailing / allowed)."""
    if not _is_web_address(text):
        return False
    parts = urlsplit(text)
    return parts.path in ("", "/") and not (parts.query or parts.fragment)


def _widget_origins(env: Mapping[str, str]) -> tuple[str, ...]:
    """RFT_WIDGET_ORIGINS: the sites allowed to embed the widget (comma-separated origins)."""
    found: list[str] = []
    for raw in (env.get("RFT_WIDGET_ORIGINS") or "").split(","):
        item = raw.strip()
        if not item:
            continue
        if not _is_origin(item):
            raise ConfigError(
                "RFT_WIDGET_ORIGINS must list the sites that embed the booking widget as "
                "origins separated by commas, such as "
                f"https://www.example.co.uk,https://example.co.uk, not {item!r}."
            )
        found.append(origin_of(item))
    return tuple(dict.fromkeys(found))


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_SLUG, appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Everything configurable, already validated."""

    data_dir: Path = field(default_factory=default_data_dir)
    database_url: str = ""
    lock_timeout_s: float = 30.0
    hold_minutes: int = 15
    ws_host: str = "127.0.0.1"
    ws_port: int = 8765
    ws_rate_limit: float = 30.0
    ws_rate_burst: int = 60
    public_url: str | None = None
    widget_origins: tuple[str, ...] = ()
    jwt_secret: str | None = None
    jwt_expires_in: str = "15m"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_pass: str | None = None
    mail_from: str = "RFT First Aid Training <bookings@rft-training.co.uk>"
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None
    payment_link_minutes: int = 60
    worker_interval_s: float = 15.0
    refund_full_days: int = 14
    terminal_timeout_s: float = 120.0
    supplier_name: str = "RFT First Aid Training Ltd"
    supplier_address: str = "12 Park Row, Leeds LS1 5HD"
    vat_number: str | None = None
    vat_rate_bp: int = 2000

    @property
    def booking_page(self) -> str:
        """The public booking page's address: ``{RFT_PUBLIC_URL}/book/``, or the sync
        server's own address when that is not set (a wildcard host becomes localhost)."""
        if self.public_url:
            return f"{self.public_url}/book/"
        host = "localhost" if self.ws_host in ("", "0.0.0.0", "::") else self.ws_host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.ws_port}/book/"

    @property
    def embedded(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate settings from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    data_dir = Path(env["RFT_DATA_DIR"]) if env.get("RFT_DATA_DIR") else default_data_dir()
    url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'rft.sqlite3'}"
    if not (url.startswith("sqlite") or url.startswith("postgresql")):
        raise ConfigError(
            "DATABASE_URL must start with sqlite:/// or postgresql+psycopg://, "
            f"not {url.split(':', 1)[0]!r}."
        )
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return Settings(
        data_dir=data_dir,
        database_url=url,
        lock_timeout_s=_float(env, "RFT_LOCK_TIMEOUT", 30.0, 0.1, 600.0),
        hold_minutes=_int(env, "RFT_HOLD_MINUTES", 15, 1, 120),
        ws_host=env.get("WS_HOST") or "127.0.0.1",
        ws_port=_int(env, "WS_PORT", 8765, 1, 65535),
        ws_rate_limit=_float(
            env, "WS_RATE_LIMIT", 30.0, *RATE_LIMIT_RANGE, "a number of requests per second"
        ),
        ws_rate_burst=_int(env, "WS_RATE_BURST", 60, *RATE_BURST_RANGE),
        public_url=_public_url(env),
        widget_origins=_widget_origins(env),
        jwt_secret=env.get("JWT_SECRET") or None,
        jwt_expires_in=env.get("JWT_EXPIRES_IN") or "15m",
        smtp_host=env.get("SMTP_HOST") or None,
        smtp_port=_int(env, "SMTP_PORT", 587, 1, 65535),
        smtp_user=env.get("SMTP_USER") or None,
        smtp_pass=env.get("SMTP_PASS") or None,
        mail_from=env.get("MAIL_FROM") or Settings.mail_from,
        stripe_secret_key=env.get("STRIPE_SECRET_KEY") or None,
        stripe_webhook_secret=env.get("STRIPE_WEBHOOK_SECRET") or None,
        stripe_api_base=env.get("STRIPE_API_BASE") or None,
        payment_link_minutes=_int(env, "RFT_PAYMENT_LINK_MINUTES", 60, 30, 1440),
        worker_interval_s=_float(env, "RFT_WORKER_INTERVAL", 15.0, 0.1, 3600.0),
        refund_full_days=_int(env, "RFT_REFUND_FULL_DAYS", 14, 0, 365),
        terminal_timeout_s=_float(env, "RFT_TERMINAL_TIMEOUT", 120.0, 15.0, 600.0),
        supplier_name=env.get("RFT_SUPPLIER_NAME") or Settings.supplier_name,
        supplier_address=env.get("RFT_SUPPLIER_ADDRESS") or Settings.supplier_address,
        vat_number=env.get("RFT_VAT_NUMBER") or None,
        vat_rate_bp=round(_float(env, "RFT_VAT_RATE", 20.0, 0.0, 100.0, "a percentage") * 100),
    )
