"""Stripe and SMTP settings are checked at start-up; each message names the variable."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend

from core.demo.stripe_double import StripeDouble
from core.infra.config import load_settings
from core.infra.errors import ConfigError
from core.payments.gateway import check_stripe
from core.payments.startup import check_settings, settings_problems


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


def test_missing_and_malformed_stripe_settings_name_the_variable() -> None:
    with pytest.raises(ConfigError, match="STRIPE_SECRET_KEY is not set"):
        check_stripe(load_settings({}))
    with pytest.raises(ConfigError, match="STRIPE_SECRET_KEY does not look like"):
        check_stripe(load_settings({"STRIPE_SECRET_KEY": "pk_test_123"}))
    with pytest.raises(ConfigError, match="STRIPE_WEBHOOK_SECRET"):
        check_stripe(
            load_settings({"STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "x"})
        )
    with pytest.raises(ConfigError, match="STRIPE_API_BASE"):
        check_stripe(
            load_settings({"STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_API_BASE": "ftp://x"})
        )


def test_a_wrong_stripe_key_is_found_at_start_up() -> None:
    double = StripeDouble(api_key_prefix="sk_test_right")
    double.start()
    try:
        env = {"STRIPE_SECRET_KEY": "sk_test_wrong", "STRIPE_API_BASE": double.url}
        with pytest.raises(ConfigError, match="Stripe rejected STRIPE_SECRET_KEY"):
            check_stripe(load_settings(env), verify=True)
        env["STRIPE_SECRET_KEY"] = "sk_test_right_key"
        assert check_stripe(load_settings(env), verify=True).api_base == double.url
    finally:
        double.stop()


def test_secrets_can_come_from_the_keyring(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("rft-booking", "STRIPE_SECRET_KEY", "sk_test_from_keyring")
    memory_keyring.set_password("rft-booking", "SMTP_PASS", "from-keyring")
    settings = load_settings({"SMTP_HOST": "smtp.example.com", "SMTP_USER": "desk"})
    assert check_stripe(settings).secret_key == "sk_test_from_keyring"
    assert settings_problems(settings) == []


def test_every_problem_is_listed_at_once() -> None:
    problems = settings_problems(load_settings({"SMTP_HOST": "smtp.example.com", "SMTP_PASS": "p"}))
    assert len(problems) == 2
    assert "SMTP_USER" in problems[0] and "STRIPE_SECRET_KEY" in problems[1]
    with pytest.raises(ConfigError, match="SMTP_USER.*STRIPE_SECRET_KEY"):
        check_settings(load_settings({"SMTP_HOST": "smtp.example.com", "SMTP_PASS": "p"}))


def test_demo_mode_runs_a_local_stripe() -> None:
    config = check_stripe(load_settings({"STRIPE_API_BASE": "local-double"}))
    assert config.api_base is not None and config.api_base.startswith("http://127.0.0.1:")


@pytest.mark.parametrize(
    "value",
    [
        "book.rft-training.co.uk",
        "ftp://book.example",
        "https://",
        "https://x/?a=1",
        "https://book.example:99999",  # no such port: every browser check would fail later
        "https://book.example:0",
        "https://kim:secret@book.example",
        "https://book example.co.uk",
        "https://book.example\\@evil.example",
    ],
)
def test_a_public_url_that_is_not_a_plain_web_address_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="RFT_PUBLIC_URL"):
        load_settings({"RFT_PUBLIC_URL": value})


def test_the_public_url_loses_its_trailing_slash() -> None:
    settings = load_settings({"RFT_PUBLIC_URL": "https://book.example/rft/"})
    assert settings.public_url == "https://book.example/rft"
