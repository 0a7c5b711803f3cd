"""``rft org`` and ``rft invoice`` as a script would use them: real processes, real SQLite."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core.cli.organisations import pence
from core.infra.db import Database
from core.infra.errors import ValidationFailed
from core.seats.availability import get_session
from tests.conftest import make_database, sqlite_url
from tests.factories import make_session
from tests.test_cli import rft

INVOICE_KEYS = {
    "number",
    "org",
    "issued",
    "due",
    "net_pence",
    "vat_pence",
    "gross_pence",
    "paid_pence",
    "status",
}


@pytest.fixture
def env_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, str], Database]:
    db = make_database(sqlite_url(tmp_path), monkeypatch)
    env = dict(os.environ) | {"RFT_VAT_NUMBER": "GB123456789"}
    return env, db


def test_an_employer_is_added_bulk_booked_from_csv_invoiced_and_paid(
    env_db: tuple[dict[str, str], Database], tmp_path: Path
) -> None:
    env, db = env_db
    added = rft(
        "org",
        "add",
        "Acme Logistics Ltd",
        "--contact",
        "Priya Shah <priya@acme.example>",
        "--po-required",
        "--terms-days",
        "14",
        "--json",
        env=env,
    )
    assert added.returncode == 0, added.stderr
    org = json.loads(added.stdout)
    assert org["po_required"] is True and org["terms_days"] == 14
    listed = json.loads(rft("org", "list", "--json", env=env).stdout)
    assert [o["name"] for o in listed] == ["Acme Logistics Ltd"]
    efaw, faw = make_session(db, "efaw"), make_session(db, "faw", days_ahead=21)
    db.dispose()
    sheet = tmp_path / "staff.csv"
    sheet.write_text(
        "session,name,email,date_of_birth\n"
        f"{efaw},Sam Patel,sam@acme.example,1990-02-03\n"
        f"{efaw},Alex Nowak,alex@acme.example,1985-11-30\n"
        f"{faw},Sam Patel,sam@acme.example,1990-02-03\n",
        encoding="utf-8",
    )
    no_po = rft("org", "book", str(org["id"]), "--csv", str(sheet), env=env)
    assert no_po.returncode == 1 and "requires a purchase order" in no_po.stderr
    booked = rft(
        "org", "book", str(org["id"]), "--csv", str(sheet), "--po", "PO-1", "--json", env=env
    )
    assert booked.returncode == 0, booked.stderr
    result = json.loads(booked.stdout)
    assert len(result["references"]) == 2 and result["invoice"].startswith("INV-")
    assert result["gross_pence"] == 2 * 7500 + 22500 and result["vat_pence"] == 6250
    plain = rft("invoice", "list", env=env)
    assert result["invoice"] in plain.stdout and "open" in plain.stdout
    (invoice,) = json.loads(
        rft("invoice", "list", "--org", str(org["id"]), "--json", env=env).stdout
    )
    assert set(invoice) >= INVOICE_KEYS and invoice["org"] == "Acme Logistics Ltd"
    assert json.loads(rft("invoice", "list", "--overdue", "--json", env=env).stdout) == []
    out = tmp_path / "inv.pdf"
    assert rft("invoice", "pdf", result["invoice"], "--out", str(out), env=env).returncode == 0
    assert out.read_bytes().startswith(b"%PDF")
    for amount in ("12.345", "-5"):
        bad = rft(
            "invoice", "pay", result["invoice"], "--amount", amount, "--reference", "B1", env=env
        )
        assert bad.returncode == 1 and bad.stderr.startswith("rft: "), amount
    paid = rft(
        "invoice", "pay", result["invoice"], "--amount", "375.00", "--reference", "B1", env=env
    )
    assert paid.returncode == 0 and "now paid" in paid.stdout
    assert json.loads(rft("org", "compliance", str(org["id"]), "--json", env=env).stdout) == []


def test_a_bad_csv_row_names_row_and_field_and_books_nothing(
    env_db: tuple[dict[str, str], Database], tmp_path: Path
) -> None:
    env, db = env_db
    sid = make_session(db, "efaw")
    db.dispose()
    org = json.loads(
        rft(
            "org", "add", "Beta Care", "--contact", "Jo <jo@beta.example>", "--json", env=env
        ).stdout
    )
    sheet = tmp_path / "staff.csv"
    sheet.write_text(
        "session,name,email,date_of_birth\n"
        f"{sid},Sam Patel,sam@beta.example,1990-02-03\n"
        f"{sid},Alex Nowak,alex-at-beta,1985-11-30\n",
        encoding="utf-8",
    )
    out = rft("org", "book", str(org["id"]), "--csv", str(sheet), env=env)
    assert out.returncode == 1
    assert out.stderr.startswith("rft: Row 3, field email: 'alex-at-beta' is not valid")
    assert "Nothing was booked" in out.stderr
    with db.read() as tx:
        assert get_session(tx, sid).free == 12
    assert json.loads(rft("invoice", "list", "--json", env=env).stdout) == []
    missing = rft("org", "book", str(org["id"]), "--csv", str(tmp_path / "nope.csv"), env=env)
    assert missing.returncode == 1 and "Cannot read" in missing.stderr
    bad_contact = rft("org", "add", "Gamma", "--contact", "no email here", env=env)
    assert bad_contact.returncode == 1 and 'form "Name <email>"' in bad_contact.stderr


def test_amounts_are_pounds_and_pence_more_than_nothing() -> None:
    assert (pence("540"), pence("540.5"), pence("£540.05")) == (54000, 54050, 54005)
    for bad in ("-5", "0", "0.00", "12.345", "1e3", "abc", ""):
        with pytest.raises(ValidationFailed):
            pence(bad)
