"""Shared fixtures: real SQLite files and real PostgreSQL databases, made and dropped per test."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from core.catalogue import specs as catalogue
from core.infra.config import load_settings
from core.infra.db import Database, migrate, open_database

pytest_plugins = [
    "tests.mailbox",  # the mailbox fixture: a real SMTP server on loopback
    "tests.payments_support",  # the Stripe double and gateway fixtures
]

TEST_KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _admin_dsn() -> str:
    return ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")


def postgres_available() -> bool:
    try:
        with psycopg.connect(_admin_dsn(), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def require_postgres() -> None:
    if postgres_available():
        return
    if os.environ.get("RFT_REQUIRE_POSTGRES"):
        pytest.fail("PostgreSQL is required (RFT_REQUIRE_POSTGRES) but not reachable")
    pytest.skip("no PostgreSQL server reachable")


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own data dir and the fixed test key; no keyring, no real home."""
    monkeypatch.setenv("RFT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RFT_DATA_KEY", TEST_KEY)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("DATABASE_URL", raising=False)


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'rft.sqlite3'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    require_postgres()
    name = f"rft_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_database(url: str, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("DATABASE_URL", url)
    db = open_database(load_settings())
    migrate(db)
    with db.write() as tx:
        catalogue.install(tx, catalogue.default_catalogue())
    return db


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """The same test on a real SQLite file and on a real PostgreSQL database."""
    if request.param == "sqlite":
        db = make_database(sqlite_url(tmp_path), monkeypatch)
        yield db
        db.dispose()
    else:
        url = request.getfixturevalue("postgres_url")
        db = make_database(url, monkeypatch)
        yield db
        db.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    db = make_database(sqlite_url(tmp_path), monkeypatch)
    yield db
    db.dispose()


@pytest.fixture
def pg_db(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    db = make_database(postgres_url, monkeypatch)
    yield db
    db.dispose()


@pytest.fixture
def desk_style(qapp: object) -> Iterator[None]:
    """The desk's style sheet on the application for one test, as ``rft desk`` sets it."""
    from PySide6.QtWidgets import QApplication

    from desktop import style_sheet

    assert isinstance(qapp, QApplication)
    style_sheet.apply(qapp)
    yield
    qapp.setStyleSheet("")
