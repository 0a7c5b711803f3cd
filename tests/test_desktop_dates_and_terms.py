"""One way to write dates at the desk (typed dd/mm/yyyy, shown "Wed 2 Dec 2026") and one
refund rule from one place: terms, confirmation email and refund policy agree."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDateEdit
from pytestqt.qtbot import QtBot

from core.api import Call, dispatch
from core.booking.bookings import book_now
from core.infra.actor import CLI, Actor
from core.infra.clock import london
from core.infra.db import Database
from core.infra.terms import refund_rule
from core.notify import sender
from core.payments.policy import RefundPolicy
from desktop.admin.session_dialog import SessionDialog
from desktop.backend import LocalBackend
from desktop.tasks import pool
from desktop.uk_dates import parse, typed
from desktop.wizard.review_step import ReviewStep
from tests.conftest import make_database, sqlite_url
from tests.desktop_support import DeskFactory, desk_settings, make_desk, open_window
from tests.factories import make_session, person
from tests.mailbox import Mailbox, parts

__all__ = ["desk_settings", "make_desk"]


def test_terms_email_and_refund_policy_state_the_same_rule(
    mailbox: Mailbox, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RFT_REFUND_FULL_DAYS", "10")
    db = make_database(sqlite_url(tmp_path), monkeypatch)
    try:
        rule = "Cancel 10 or more days before the course for a full refund"
        assert refund_rule().startswith(rule)
        desk = Call(db, Actor(label="Front desk", role="reception", channel="desk"))
        terms = dispatch(desk, "desk.terms", {})
        assert terms["refund_rule"] == refund_rule(10) and refund_rule(10) in terms["terms"]
        assert "14" not in terms["terms"].split("**Cancellations:**")[1].splitlines()[0]

        sid = make_session(db, days_ahead=20)
        with db.write() as tx:
            book_now(tx, sid, [person(1)], CLI)
        assert sender.flush(db, mailbox.config()).sent == 1  # rendered as it is sent
        body = parts(mailbox.messages[0])["text"]
        assert refund_rule(10) in " ".join(body.split())

        policy = RefundPolicy.from_settings(db.settings)
        start = london(date(2027, 3, 15), time(9, 0))
        assert policy.refundable(5000, start, start - timedelta(days=10)) == 5000
        assert policy.refundable(5000, start, start - timedelta(days=9, hours=23)) == 0

        backend = LocalBackend(db, Actor(label="Front desk", role="reception", channel="desk"))
        step = ReviewStep(backend)
        qtbot.addWidget(step)
        qtbot.waitUntil(lambda: rule in " ".join(step.terms.toPlainText().split()))
    finally:
        pool().waitForDone(10_000)
        db.dispose()


def test_every_date_field_in_the_desk_is_typed_day_month_year(
    qtbot: QtBot, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    window = open_window(qtbot, make_desk(role="admin"), desk_settings)
    for index in range(window.tab_widget.count()):
        window.tab_widget.setCurrentIndex(index)
    edits = window.findChildren(QDateEdit)
    assert len(edits) >= 6  # sessions list, audit, trainers, reports filters
    assert {e.displayFormat() for e in edits} == {"dd/MM/yyyy"}
    first = edits[0]
    first.setDate(first.date().fromString("02/12/2026", "dd/MM/yyyy"))
    assert first.text() == "02/12/2026"


def test_the_session_editor_takes_days_as_dd_mm_yyyy_and_explains_a_bad_one(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    dialog = SessionDialog(make_desk(role="admin"))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.course.count() > 0)
    dialog.course.setCurrentIndex(dialog.course.findText("Emergency First Aid at Work"))
    assert dialog.first_day.displayFormat() == "dd/MM/yyyy"
    qtbot.waitUntil(lambda: dialog.days.rowCount() == 1)
    shown = dialog.days.item(0, 0).text()
    assert parse(shown) == dialog.first_day.date().toPython()

    dialog.days.item(0, 0).setText("31/02/2027")
    dialog.check()
    assert "dd/mm/yyyy" in dialog.rules.text() and "02/12/2026" in dialog.rules.text()
    dialog.days.item(0, 0).setText("03/03/2027")
    assert dialog.plan()["days"][0]["start"] == datetime(2027, 3, 3, 9, 0).isoformat()
    assert typed(date(2026, 12, 2)) == "02/12/2026"
