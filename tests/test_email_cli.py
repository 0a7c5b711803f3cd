"""``rft email preview`` and ``rft outbox flush`` as staff run them."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from core.booking import bookings
from core.cli import main
from core.infra.actor import CLI
from core.infra.db import Database
from tests.factories import make_session, person
from tests.mailbox import Mailbox, free_port, parts


def preview(template: str, out: Path) -> int:
    return main(["email", "preview", template, "--out", str(out)], [])


def test_preview_writes_html_text_and_a_whole_message(tmp_path: Path) -> None:
    assert preview("booking_confirmation", tmp_path / "c.html") == 0
    html = (tmp_path / "c.html").read_text()
    assert "RFT-2026-0042" in html and "Your booking is confirmed" in html

    assert preview("reminder_48h", tmp_path / "r.txt") == 0
    assert (tmp_path / "r.txt").read_text().startswith("Subject: Reminder: First Aid at Work")

    assert preview("booking_confirmation", tmp_path / "c.eml") == 0
    message = message_from_bytes((tmp_path / "c.eml").read_bytes(), policy=policy.default)
    body = parts(message)  # type: ignore[arg-type]
    assert body["text"] and body["html"]
    invite = body["attachments"]["RFT-2026-0042.ics"][1]
    assert b"DTSTART;TZID=Europe/London:20260330T090000" in invite


def test_preview_of_an_unknown_template_lists_the_real_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert preview("welcome", tmp_path / "x.html") == 1
    assert "booking_confirmation" in capsys.readouterr().err


def test_outbox_flush_sends_and_reports(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = make_session(sqlite_db)
    with sqlite_db.write() as tx:
        bookings.book_now(tx, sid, [person(1)], CLI)
    box = Mailbox(port=free_port())
    box.start()
    try:
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(box.port))
        assert main(["outbox", "flush"], []) == 0
        assert main(["outbox", "flush"], []) == 0
    finally:
        box.stop()
    out = capsys.readouterr().out
    assert "Sent 1;" in out and "Sent 0;" in out
    assert len(box.messages) == 1
    monkeypatch.delenv("SMTP_HOST")
    assert main(["outbox", "flush"], []) == 1
    assert "SMTP_HOST is not set" in capsys.readouterr().err
