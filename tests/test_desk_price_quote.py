"""The desk prices a booking through the service (``pricing.quote``), and a typed call whose
params do not validate is refused on the desk the way the service refuses it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from core.api import Call, dispatch, pricing
from core.infra.actor import Actor
from core.infra.db import Database
from core.infra.errors import ValidationFailed
from core.models import CourseSession
from desktop.backend import LocalBackend
from desktop.bookings_tab import BookingsTab
from desktop.remote_backend import RemoteBackend
from desktop.tasks import ApiOp, pool
from desktop.wizard.pricing_panel import PricingPanel
from tests.desktop_support import make_desk  # noqa: F401  (fixture)
from tests.factories import make_session
from tests.server_support import PASSWORD, ServerProcess, add_staff, server_env

DESK = Actor(label="Front desk", role="reception", channel="desk")


@pytest.fixture
def remote_desk(sqlite_db: Database) -> Iterator[RemoteBackend]:
    with ServerProcess(server_env(sqlite_db.settings.database_url)) as server:
        email = add_staff(sqlite_db, "reception")
        desk = RemoteBackend(server.url)
        desk.start()
        desk.client.wait_connected(10)
        desk.login(email, PASSWORD)
        yield desk
        desk.close()
        pool().waitForDone(10_000)


@pytest.mark.slow
def test_against_a_server_the_panel_shows_the_servers_price(
    qtbot: QtBot, sqlite_db: Database, remote_desk: RemoteBackend
) -> None:
    session_id = make_session(sqlite_db)
    with sqlite_db.write() as tx:  # the price the desk saw when it listed the session is stale
        row = tx.get(CourseSession, session_id)
        assert row is not None
        row.price_pence = 8_750
    panel = PricingPanel(remote_desk)
    qtbot.addWidget(panel)

    panel.ask(session_id, "Emergency First Aid at Work", 5, 12)

    qtbot.waitUntil(lambda: panel.total.text() == "£393.75", timeout=10_000)
    assert panel.unit.text() == "£87.50"
    assert panel.discount.text() == "-£43.75"
    assert panel.quote.total_pence == 39_375
    assert "10% off applied" in panel.hint.text()


class CountingDesk(LocalBackend):
    """A local desk that counts the calls that reach the service."""

    calls = 0

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        self.calls += 1
        return super().call(method, params)


def test_params_that_do_not_validate_are_refused_in_the_services_words(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    session_id = make_session(sqlite_db)
    desk = CountingDesk(sqlite_db, DESK)
    parent = QWidget()
    qtbot.addWidget(parent)
    errors: list[BaseException] = []

    ApiOp(
        parent, desk, pricing.quote, lambda: pricing.QuoteParams(session_id=session_id, seats=40)
    ).failure(errors.append).run()

    with pytest.raises(ValidationFailed) as refused:
        dispatch(Call(sqlite_db, DESK), "pricing.quote", {"session_id": session_id, "seats": 40})
    assert [str(e) for e in errors] == [str(refused.value)]
    assert str(refused.value) == "seats: type a number no more than 12."
    assert desk.calls == 0


def test_a_search_too_short_to_send_is_answered_on_the_desk(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    desk = CountingDesk(sqlite_db, DESK)
    tab = BookingsTab(desk)
    qtbot.addWidget(tab)
    tab.search.setText("a")

    tab.search_bookings()

    assert tab.status.text() == "text: type at least 2 characters."
    assert desk.calls == 0
