"""The wizard books the session the person chose. Holding a session's last seat makes the
service push a change ("0 free") about that very hold; wherever that push lands — before the
hold reply, between the hold and its resize, or after both — the chosen session stays the one
held, shown and booked, on the local and the remote backend. Alternatives are offered as
buttons; only a click on one changes the selection."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject, Slot
from pytestqt.qtbot import QtBot

from core.infra.db import Database
from desktop.backend import Backend
from desktop.remote_backend import RemoteBackend
from desktop.tasks import pool
from desktop.wizard import BookingWizard
from desktop.wizard.wizard import ATTENDEES, SESSION
from tests.desktop_support import DeskFactory, make_desk, type_attendee
from tests.factories import make_session, person
from tests.server_support import PASSWORD, ServerProcess, add_staff, server_env

__all__ = ["make_desk"]
HOLD_METHODS = ("holds.create", "holds.extend")


class GatedDesk(Backend):
    """A desk's backend whose hold replies and change pushes a test can hold back, so it
    decides whether the push about a hold lands before or after the reply to it."""

    def __init__(self, inner: Backend) -> None:
        super().__init__()
        self.inner = inner
        self.replies = threading.Event()
        self.replies.set()
        self.answered: list[str] = []  # hold methods the service has carried out
        self.held: list[dict[str, Any]] | None = None
        self._relay = _Relay(self)
        inner.changed.connect(self._relay.push)
        self._set_identity(inner.user_label, inner.role)

    @property
    def description(self) -> str:
        return self.inner.description

    def has_method(self, method: str) -> bool:
        return self.inner.has_method(method)

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        result = self.inner.call(method, params)
        if method in HOLD_METHODS:
            self.answered.append(method)
            assert self.replies.wait(20), "the test never let the hold reply through"
        return result

    def hold_back(self) -> None:
        self.replies.clear()
        self.held = []

    def let_pushes_through(self, storm: int = 25) -> None:
        """Deliver what was held back, each push ``storm`` times over (a live push storm)."""
        held, self.held = self.held or [], None
        for message in held * storm:
            self.changed.emit(message)


class _Relay(QObject):
    """Receives the inner backend's pushes on the GUI thread."""

    def __init__(self, desk: GatedDesk) -> None:
        super().__init__(desk)
        self.desk = desk

    @Slot(dict)
    def push(self, message: dict[str, Any]) -> None:
        if self.desk.held is None:
            self.desk.changed.emit(message)
        else:
            self.desk.held.append(message)


def fill(db: Database, session_id: int, leave: int) -> None:
    from core.booking.bookings import book_now
    from core.infra.actor import CLI

    with db.write() as tx:
        book_now(tx, session_id, [person(i) for i in range(12 - leave)], CLI)


def free_shown(wizard: BookingWizard, session_id: int) -> int:
    return next(r.free for r in wizard.session_step.model.rows if r.id == session_id)


def pushed_about(desk: GatedDesk, session_id: int) -> bool:
    return any(m["kind"] == "session" and int(m["id"]) == session_id for m in desk.held or [])


def wait_push_then_release(qtbot: QtBot, desk: GatedDesk, wizard: BookingWizard, sid: int) -> None:
    """Deliver the held push about ``sid`` to the wizard while the hold reply is still held."""
    qtbot.waitUntil(lambda: pushed_about(desk, sid), timeout=10_000)
    desk.let_pushes_through()
    qtbot.waitUntil(lambda: free_shown(wizard, sid) == 0, timeout=10_000)
    desk.replies.set()


def book_what_was_chosen(qtbot: QtBot, desk: GatedDesk, when: str, chosen: int) -> dict[str, Any]:
    wizard = BookingWizard(desk, None, session={"id": chosen})
    wizard.show()
    qtbot.waitUntil(
        lambda: wizard.session is not None and wizard.next_button.isEnabled(), timeout=10_000
    )

    if when == "before the hold reply":
        desk.hold_back()
        wizard.next_button.click()
        wait_push_then_release(qtbot, desk, wizard, chosen)
    else:
        wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.step == ATTENDEES and not wizard._busy, timeout=10_000)
    assert wizard.session is not None and wizard.session.id == chosen
    assert wizard.hold.session_id == chosen
    type_attendee(wizard, 0, ("Amelia Barker", "amelia@example.co.uk", "", "17/05/1990", ""))

    if when == "between the hold and its resize":
        desk.hold_back()
        wizard.attendees_step.add.click()
        type_attendee(wizard, 1, ("Ava Khan", "ava@example.co.uk", "", "30/06/1995", ""))
        qtbot.waitUntil(lambda: "holds.extend" in desk.answered, timeout=10_000)
        wait_push_then_release(qtbot, desk, wizard, chosen)
        qtbot.waitUntil(lambda: wizard.hold.seats == 2, timeout=10_000)
    elif when == "after the hold reply":
        qtbot.waitUntil(lambda: free_shown(wizard, chosen) == 0, timeout=10_000)
        wizard.back()  # the person looks at the session list again
        assert wizard.step == SESSION
        assert wizard.session_step.selected() is not None
        assert wizard.session_step.selected().id == chosen  # type: ignore[union-attr]
        assert wizard.session_step.notice.isHidden()
        assert wizard.next_button.isEnabled()  # their held seat is still theirs to book
        wizard.next()
        qtbot.waitUntil(lambda: wizard.step == ATTENDEES and not wizard._busy, timeout=10_000)

    assert wizard.session is not None and wizard.session.id == chosen
    assert wizard.hold.session_id == chosen
    assert wizard.session_step.selected().id == chosen  # type: ignore[union-attr]
    booked: list[dict[str, Any]] = []
    wizard.message.setText("")
    wizard.create_booking("cash", booked.append)
    qtbot.waitUntil(lambda: bool(booked) or bool(wizard.message.text()), timeout=10_000)
    assert booked, f"not booked; the wizard says {wizard.message.text()!r}"
    wizard.done(0)
    return booked[0]


ORDERS = ["before the hold reply", "between the hold and its resize", "after the hold reply"]


@pytest.mark.parametrize("when", ORDERS)
def test_the_session_booked_is_the_one_chosen_on_this_computer(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, when: str
) -> None:
    hull = make_session(sqlite_db, course="efaw", venue="hull", days_ahead=7)
    sheffield = make_session(sqlite_db, course="efaw", venue="sheffield", days_ahead=9)
    fill(sqlite_db, hull, leave=1 if when != "between the hold and its resize" else 2)
    desk = GatedDesk(make_desk("Front desk"))

    booking = book_what_was_chosen(qtbot, desk, when, hull)

    assert booking["session"]["id"] == hull != sheffield


@pytest.fixture
def server(sqlite_db: Database) -> Iterator[ServerProcess]:
    with ServerProcess(server_env(sqlite_db.settings.database_url)) as process:
        yield process


@pytest.mark.slow
@pytest.mark.parametrize("when", ORDERS)
def test_the_session_booked_is_the_one_chosen_through_the_server(
    qtbot: QtBot, sqlite_db: Database, server: ServerProcess, when: str
) -> None:
    hull = make_session(sqlite_db, course="efaw", venue="hull", days_ahead=7)
    make_session(sqlite_db, course="efaw", venue="sheffield", days_ahead=9)
    fill(sqlite_db, hull, leave=1 if when != "between the hold and its resize" else 2)
    email = add_staff(sqlite_db, "reception")
    remote = RemoteBackend(server.url)
    remote.start()
    try:
        remote.client.wait_connected(10)
        remote.login(email, PASSWORD)
        booking = book_what_was_chosen(qtbot, GatedDesk(remote), when, hull)
    finally:
        remote.close()
        pool().waitForDone(10_000)

    assert booking["session"]["id"] == hull


def test_an_alternative_is_offered_and_taken_only_by_a_click(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    hull = make_session(sqlite_db, course="efaw", venue="hull", days_ahead=7)
    sheffield = make_session(sqlite_db, course="efaw", venue="sheffield", days_ahead=9)
    fill(sqlite_db, hull, leave=1)
    wizard = BookingWizard(make_desk("Desk B"), None, session={"id": hull})
    wizard.show()
    qtbot.waitUntil(lambda: wizard.session is not None and wizard.next_button.isEnabled())

    make_desk("Desk A").call("holds.create", {"session_id": hull, "seats": 1})

    qtbot.waitUntil(lambda: wizard.session_step.notice.isVisible(), timeout=5000)
    assert "someone else has just taken the seats" in wizard.session_step.notice.text()
    assert wizard.session is not None and wizard.session.id == hull  # not switched silently
    assert not wizard.next_button.isEnabled()
    offers = wizard.session_step.offer_buttons
    assert [b.text() for b in offers] == [
        f"Choose {r.venue_name}, {r.day:%a} {r.day.day} {r.day:%b}"
        for r in wizard.session_step.model.rows
        if r.id == sheffield
    ]
    offers[0].click()
    assert wizard.session is not None and wizard.session.id == sheffield
    assert wizard.session_step.notice.isHidden() and wizard.next_button.isEnabled()
    wizard.reject()
