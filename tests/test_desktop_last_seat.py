"""Two desks, one seat left: exactly one desk gets it, the other is told at once and offered
the next date of the same course."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from core.infra.db import Database
from desktop.backend import LocalBackend
from desktop.wizard import BookingWizard
from desktop.wizard.wizard import ATTENDEES, SESSION
from tests.desktop_support import DeskFactory, make_desk
from tests.factories import make_session, person

__all__ = ["make_desk"]


def open_wizard(qtbot: QtBot, backend: LocalBackend, session_id: int) -> BookingWizard:
    wizard = BookingWizard(backend, None, session={"id": session_id})
    wizard.show()
    qtbot.waitUntil(lambda: wizard.session is not None and wizard.next_button.isEnabled())
    return wizard


def fill_last_seats(db: Database, session_id: int, leave: int) -> None:
    from core.booking.bookings import book_now
    from core.infra.actor import CLI

    with db.write() as tx:
        book_now(tx, session_id, [person(i) for i in range(12 - leave)], CLI)


def test_last_seat_goes_to_one_of_two_desks(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    last = make_session(sqlite_db, course="efaw", venue="leeds", days_ahead=7)
    later = make_session(sqlite_db, course="efaw", venue="york", days_ahead=14)
    fill_last_seats(sqlite_db, last, leave=1)
    a = open_wizard(qtbot, make_desk("Desk A"), last)
    b = open_wizard(qtbot, make_desk("Desk B"), last)

    a.next_button.click()
    b.next_button.click()  # both press Next in the same moment
    qtbot.waitUntil(lambda: ATTENDEES in (a.step, b.step) and not (a._busy or b._busy))
    winner, loser = (a, b) if a.step == ATTENDEES else (b, a)
    assert winner.hold.seats == 1
    assert loser.step == SESSION
    assert loser.hold.hold is None
    qtbot.waitUntil(lambda: loser.session_step.notice.isVisible())
    notice = loser.session_step.notice.text()
    assert "Not enough seats" in notice or "just taken" in notice
    assert "Next Emergency First Aid at Work dates with room" in notice
    assert loser.session is not None and loser.session.id == last  # never switched silently
    assert len(loser.session_step.offer_buttons) == 1
    loser.session_step.offer_buttons[0].click()  # the receptionist takes the later date
    assert loser.session is not None and loser.session.id == later
    for wizard in (a, b):
        wizard.confirm_stop = lambda: True  # type: ignore[method-assign]
        wizard.reject()


def test_seats_taken_elsewhere_are_announced_without_pressing_anything(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    last = make_session(sqlite_db, course="efaw", venue="leeds", days_ahead=7)
    make_session(sqlite_db, course="efaw", venue="hull", days_ahead=9)
    fill_last_seats(sqlite_db, last, leave=1)
    watching = open_wizard(qtbot, make_desk("Desk B"), last)
    assert watching.session_step.notice.isHidden()

    other = make_desk("Desk A")
    other.call("holds.create", {"session_id": last, "seats": 1})  # the other desk holds it

    qtbot.waitUntil(lambda: watching.session_step.notice.isVisible(), timeout=5000)
    assert "someone else has just taken the seats" in watching.session_step.notice.text()
    assert "Hull" in watching.session_step.notice.text()
    watching.reject()
