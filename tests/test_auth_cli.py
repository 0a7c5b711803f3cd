"""``rft user ...`` and ``rft apikey add`` as an administrator types them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from core.api import Call, dispatch
from core.cli import main
from core.infra.db import Database
from core.infra.errors import Unauthenticated
from tests.conftest import make_database, sqlite_url


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    return make_database(sqlite_url(tmp_path), monkeypatch)


def rft(monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(list(argv), plugins=[])


def login(db: Database, email: str, password: str) -> dict[str, object]:
    return dict(dispatch(Call(db, None), "auth.login", {"email": email, "password": password}))


def test_add_list_and_disable_a_user(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ("user", "add", "Kim.Lee@RFT.example", "--role", "reception", "--password-stdin")
    assert rft(monkeypatch, *argv, stdin="a long enough password\n") == 0
    assert "Added kim.lee@rft.example (reception)." in capsys.readouterr().out
    assert login(db, "kim.lee@rft.example", "a long enough password")

    assert rft(monkeypatch, "user", "list", "--json") == 0
    users = json.loads(capsys.readouterr().out)
    assert users == [
        {
            "email": "kim.lee@rft.example",
            "name": "Kim Lee",
            "role": "reception",
            "active": True,
            "mfa": False,
        }
    ]

    assert rft(monkeypatch, "user", "disable", "kim.lee@rft.example") == 0
    with pytest.raises(Unauthenticated):
        login(db, "kim.lee@rft.example", "a long enough password")
    rft(monkeypatch, "user", "list")
    assert "disabled" in capsys.readouterr().out


def test_bad_input_is_refused_with_a_clear_message(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add = ("user", "add", "a@b.example", "--role", "manager", "--password-stdin")
    assert rft(monkeypatch, *add, stdin="short\n") == 1
    assert "at least 10 characters" in capsys.readouterr().err
    assert rft(monkeypatch, *add, stdin="\n") == 1
    assert "No password" in capsys.readouterr().err
    assert rft(monkeypatch, *add, stdin="long enough password\n") == 0
    assert rft(monkeypatch, *add, stdin="long enough password\n") == 1
    assert "already a user" in capsys.readouterr().err
    assert rft(monkeypatch, "user", "disable", "ghost@b.example") == 1
    assert "no user ghost@b.example" in capsys.readouterr().err


def test_an_empty_name_is_refused_not_swapped_for_the_email(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add = ("user", "add", "jo@b.example", "--role", "reception", "--password-stdin")
    assert rft(monkeypatch, *add, "--name", "", stdin="long enough password\n") == 1
    assert "A staff name needs 2 to 120 characters." in capsys.readouterr().err
    assert rft(monkeypatch, "user", "list", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []  # nothing was added
    admin = ("user", "add", "boss@b.example", "--role", "admin", "--password-stdin")
    assert rft(monkeypatch, *admin, stdin="long enough password\n") == 0
    assert "An admin signs in with a second factor" in capsys.readouterr().out


def test_mfa_prints_an_otpauth_uri(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rft(
        monkeypatch,
        "user",
        "add",
        "t@b.example",
        "--role",
        "trainer",
        "--password-stdin",
        stdin="long enough password\n",
    )
    capsys.readouterr()
    assert rft(monkeypatch, "user", "mfa", "t@b.example") == 0
    uri = capsys.readouterr().out.strip()
    assert uri.startswith("otpauth://totp/RFT%20Booking:t%40b.example?secret=")


def test_apikey_add_prints_a_working_key_once(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert rft(monkeypatch, "apikey", "add", "public website") == 0
    out = capsys.readouterr()
    key = out.out.strip()
    assert key.startswith("rftk_") and "cannot be shown again" in out.err
    identity = dispatch(Call(db, None), "auth.authenticate", {"api_key": key})["identity"]
    assert identity["channel"] == "website"
    assert rft(monkeypatch, "apikey", "add", "public website") == 1


def test_the_command_line_keeps_the_staff_rules_and_the_audit_log(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add = ("user", "add", "boss@b.example", "--role", "admin", "--password-stdin")
    assert rft(monkeypatch, *add, stdin="long enough password\n") == 0
    out = capsys.readouterr().out
    assert "second factor" in out and "otpauth://totp/" in out

    assert rft(monkeypatch, "user", "disable", "boss@b.example") == 1
    assert "last active admin" in capsys.readouterr().err

    assert rft(monkeypatch, "audit", "--json") == 0
    actions = [row["action"] for row in json.loads(capsys.readouterr().out)]
    assert "staff.add" in actions
