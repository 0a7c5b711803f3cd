"""The desk against a real ``rft server`` process: sign in, book, race, lose and regain
the connection, and a trainer's cold start with no network."""

from __future__ import annotations

from collections.abc import Iterator

import pyotp
import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from core.infra.actor import Actor
from core.infra.db import Database
from core.staff import auth
from desktop import remote_backend
from desktop.login_dialog import LoginDialog
from desktop.main_window import MainWindow
from desktop.remote_backend import RemoteBackend
from desktop.tasks import pool
from desktop.trainer.trainer_tab import TrainerTab
from desktop.wizard import BookingWizard
from desktop.wizard.wizard import ATTENDEES, SESSION
from tests.attendance_helpers import booked_session
from tests.desktop_support import book_five_in_cash, desk_settings, open_window
from tests.factories import make_session
from tests.server_support import PASSWORD, ServerProcess, add_staff, server_env

__all__ = ["desk_settings"]
pytestmark = pytest.mark.slow


@pytest.fixture
def server(sqlite_db: Database) -> Iterator[ServerProcess]:
    with ServerProcess(server_env(sqlite_db.settings.database_url)) as process:
        yield process


@pytest.fixture
def remote_desks(server: ServerProcess) -> Iterator[list[RemoteBackend]]:
    desks: list[RemoteBackend] = []
    yield desks
    for desk in desks:
        desk.close()
    pool().waitForDone(10_000)


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The OS keyring, as the remote backend sees it, kept in a dict."""
    keyring: dict[str, str] = {}
    monkeypatch.setattr(remote_backend, "read_secret", keyring.get)
    monkeypatch.setattr(remote_backend, "write_secret", keyring.__setitem__)
    monkeypatch.setattr(remote_backend, "delete_secret", lambda name: keyring.pop(name, None))
    return keyring


def connect_desk(qtbot: QtBot, url: str, desks: list[RemoteBackend]) -> RemoteBackend:
    desk = RemoteBackend(url)
    desks.append(desk)
    desk.start()
    return desk


def sign_in(qtbot: QtBot, window: MainWindow, email: str, role: str = "reception") -> None:
    """Type into the sign-in dialog the window opens for an anonymous connection."""
    qtbot.waitUntil(lambda: window.findChild(LoginDialog) is not None, timeout=10_000)
    dialog = window.findChild(LoginDialog)
    assert dialog is not None
    dialog.email.setText(email)
    dialog.password.setText(PASSWORD)
    dialog.sign_in.click()
    qtbot.waitUntil(lambda: window.backend.role == role, timeout=10_000)


def test_booking_through_a_running_server(
    qtbot: QtBot,
    sqlite_db: Database,
    server: ServerProcess,
    remote_desks: list[RemoteBackend],
    desk_settings: QSettings,
) -> None:
    efaw = make_session(sqlite_db, course="efaw", venue="leeds", days_ahead=10)
    make_session(sqlite_db, course="faw", venue="york", days_ahead=12)
    email = add_staff(sqlite_db, "reception")
    window = open_window(qtbot, connect_desk(qtbot, server.url, remote_desks), desk_settings)
    sign_in(qtbot, window, email)
    assert "Signed in as Reception Person" in window.where.text()

    reference = book_five_in_cash(qtbot, window, efaw, sessions_listed=2)
    assert reference.startswith("RFT-")


def test_last_seat_race_between_two_desks_on_the_server(
    qtbot: QtBot, sqlite_db: Database, server: ServerProcess, remote_desks: list[RemoteBackend]
) -> None:
    from core.booking.bookings import book_now
    from core.infra.actor import CLI
    from tests.factories import person

    last = make_session(sqlite_db, course="efaw", venue="leeds", days_ahead=7)
    later = make_session(sqlite_db, course="efaw", venue="york", days_ahead=14)
    with sqlite_db.write() as tx:
        book_now(tx, last, [person(i) for i in range(11)], CLI)
    wizards = []
    for name in ("desk.a@example.org", "desk.b@example.org"):
        add_staff(sqlite_db, "reception", name)
        desk = connect_desk(qtbot, server.url, remote_desks)
        desk.client.wait_connected(10)
        desk.login(name, PASSWORD)
        wizard = BookingWizard(desk, None, session={"id": last})
        wizard.show()
        wizards.append(wizard)
    a, b = wizards
    qtbot.waitUntil(lambda: all(w.next_button.isEnabled() for w in wizards), timeout=10_000)

    a.next_button.click()
    b.next_button.click()
    qtbot.waitUntil(
        lambda: ATTENDEES in (a.step, b.step) and not (a._busy or b._busy), timeout=10_000
    )
    winner, loser = (a, b) if a.step == ATTENDEES else (b, a)
    assert loser.step == SESSION and winner.hold.seats == 1
    qtbot.waitUntil(lambda: loser.session_step.notice.isVisible(), timeout=5000)
    assert "Next Emergency First Aid at Work dates with room" in loser.session_step.notice.text()
    assert loser.session is not None and loser.session.id == last  # never switched silently
    assert len(loser.session_step.offer_buttons) == 1
    loser.session_step.offer_buttons[0].click()  # the receptionist takes the later date
    assert loser.session is not None and loser.session.id == later
    for wizard in wizards:
        wizard.confirm_stop = lambda: True  # type: ignore[method-assign]
        wizard.reject()


def test_banner_says_when_the_connection_drops_and_when_it_is_back(
    qtbot: QtBot,
    sqlite_db: Database,
    server: ServerProcess,
    remote_desks: list[RemoteBackend],
    desk_settings: QSettings,
) -> None:
    make_session(sqlite_db, course="efaw", days_ahead=10)
    email = add_staff(sqlite_db, "reception")
    window = open_window(qtbot, connect_desk(qtbot, server.url, remote_desks), desk_settings)
    sign_in(qtbot, window, email)

    server.kill()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
    assert "dropped" in window.banner.text()

    with ServerProcess(server_env(sqlite_db.settings.database_url), port=server.port):
        qtbot.waitUntil(lambda: "back" in window.banner.text(), timeout=20_000)
        assert window.backend.role == "reception"


def test_sign_in_asks_for_the_code_and_the_next_start_needs_no_password(
    qtbot: QtBot,
    sqlite_db: Database,
    server: ServerProcess,
    remote_desks: list[RemoteBackend],
    desk_settings: QSettings,
    memory_keyring: dict[str, str],
) -> None:
    email = add_staff(sqlite_db, "reception")
    with sqlite_db.write() as tx:
        totp = pyotp.parse_uri(auth.enable_mfa(tx, email))
    window = open_window(qtbot, connect_desk(qtbot, server.url, remote_desks), desk_settings)

    qtbot.waitUntil(lambda: window.findChild(LoginDialog) is not None, timeout=10_000)
    dialog = window.findChild(LoginDialog)
    assert dialog is not None and dialog.code.isHidden()
    dialog.email.setText(email)
    dialog.password.setText(PASSWORD)
    dialog.sign_in.click()
    qtbot.waitUntil(lambda: dialog.code.isVisible(), timeout=10_000)
    assert "6-digit code" in dialog.message.text()
    dialog.code.setText(totp.now())
    dialog.sign_in.click()
    qtbot.waitUntil(lambda: window.backend.role == "reception", timeout=10_000)
    qtbot.waitUntil(lambda: remote_backend.token_name(server.url) in memory_keyring)

    window.backend.close()
    again = connect_desk(qtbot, server.url, remote_desks)
    qtbot.waitUntil(lambda: again.role == "reception", timeout=10_000)
    assert again.user_label == "Reception Person"


def test_a_trainer_starts_with_no_network_and_takes_the_register(
    qtbot: QtBot,
    sqlite_db: Database,
    server: ServerProcess,
    remote_desks: list[RemoteBackend],
    desk_settings: QSettings,
    memory_keyring: dict[str, str],
) -> None:
    email = add_staff(sqlite_db, "trainer", "trainer.person@rft-training.co.uk")
    sid, _people = booked_session(
        sqlite_db, Actor("Trainer Person", "trainer"), people=2, days_ahead=1
    )
    window = open_window(qtbot, connect_desk(qtbot, server.url, remote_desks), desk_settings)
    sign_in(qtbot, window, email, role="trainer")
    tab = window.tab_named("My sessions")
    assert isinstance(tab, TrainerTab)
    qtbot.waitUntil(lambda: len(tab.sessions.model.rows) == 1, timeout=10_000)
    window.close()
    window.backend.close()
    server.kill()  # the church hall has no network

    cold = open_window(qtbot, connect_desk(qtbot, server.url, remote_desks), desk_settings)
    assert cold.backend.role == "trainer" and not cold.backend.connected
    tab = cold.tab_named("My sessions")
    assert isinstance(tab, TrainerTab) and cold.tab_widget.currentWidget() is tab
    qtbot.waitUntil(lambda: len(tab.sessions.model.rows) == 1, timeout=10_000)
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        tab.open_session(sid)
    assert len(tab.register.model.rows) == 2
    tab.register.table.setFocus()
    tab.register.table.selectRow(0)
    qtbot.keyClick(tab.register.table, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: tab.banner.text() == "Offline: 1 mark not yet synced", timeout=10_000)
    assert tab.register.model.data(tab.register.model.index(0, 2)) == "Present"
