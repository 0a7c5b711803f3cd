"""Each step of the payments pass runs and fails on its own, and a failing one is named."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import pytest

from core.cli import main
from core.demo.stripe_double import StripeDouble
from core.infra.db import Database
from core.payments import links
from core.payments.gateway import StripeClient
from core.payments.jobs import STEPS, run_payments_once, step_states
from tests.factories import make_session
from tests.payments_support import DESK, booking_state, emails, pending_booking
from tests.server_support import running_server
from tests.test_server_http import get


def expired_link_and_stranded_booking(
    db: Database, gateway: StripeClient
) -> tuple[str, str, datetime]:
    linked = pending_booking(db)
    expiry = datetime.fromisoformat(links.create_link(db, gateway, linked, DESK)["expires_at"])
    stranded = pending_booking(db)
    return linked, stranded, expiry + timedelta(seconds=1)


@pytest.mark.parametrize("fault", ["bad_request", "forbidden", "not_found", "server_error"])
def test_events_failing_does_not_stop_expiry_and_release(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient, fault: str
) -> None:
    linked, stranded, later = expired_link_and_stranded_booking(sqlite_db, gateway)
    run_payments_once(sqlite_db, gateway)  # a cursor is stored
    double.fail_next("/v1/events", fault, times=10)

    result = run_payments_once(sqlite_db, gateway, at=later)
    assert list(result.errors) == ["events"]
    assert result.counts["deadlines"] == 2
    assert booking_state(sqlite_db, linked)[:2] == ("CANCELLED", 0)
    assert booking_state(sqlite_db, stranded)[:2] == ("CANCELLED", 0)
    assert double.of_type("checkout.session")[0]["status"] == "expired"
    assert [t for t, _ in emails(sqlite_db)] == ["payment_link", "payment_link_expired"]

    states = step_states(sqlite_db)
    assert list(states) == list(STEPS)
    assert not states["events"]["ok"] and states["events"]["error"]
    assert all(states[name]["ok"] for name in STEPS if name != "events")


def test_a_failing_step_recovers_on_the_next_pass(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    double.fail_next("/v1/events", "bad_request", times=1)
    assert list(run_payments_once(sqlite_db, gateway).errors) == ["events"]
    assert run_payments_once(sqlite_db, gateway).ok
    assert step_states(sqlite_db)["events"]["ok"]


def test_recovery_failing_still_releases_what_is_due(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    linked = pending_booking(sqlite_db)
    links.create_link(sqlite_db, gateway, linked, DESK)
    stranded = pending_booking(sqlite_db)
    double.fail_next("/v1/checkout/sessions", "unreachable", times=100)
    later = datetime.now().astimezone() + timedelta(minutes=sqlite_db.settings.hold_minutes + 1)
    result = run_payments_once(sqlite_db, gateway, at=later)
    assert "recovery" in result.errors and "could not be checked" in result.errors["recovery"]
    assert booking_state(sqlite_db, stranded)[:2] == ("CANCELLED", 0)
    assert booking_state(sqlite_db, linked)[:2] == ("PENDING_PAYMENT", 1)  # its link is open


def test_health_and_payments_check_name_the_failing_step(
    sqlite_db: Database,
    double: StripeDouble,
    gateway: StripeClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_session(sqlite_db)
    double.fail_next("/v1/events", "forbidden", times=1)
    run_payments_once(sqlite_db, gateway)

    async def health() -> dict[str, object]:
        async with running_server(sqlite_db) as server:
            url = f"http://127.0.0.1:{server.port}/api/health"
            status, _, body = await asyncio.to_thread(get, url)
            assert status == 200
            return dict(json.loads(body))

    document = asyncio.run(health())
    failing = document["payment_steps_failing"]
    assert isinstance(failing, dict) and list(failing) == ["events"]
    assert "permission" in failing["events"]

    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_cli")
    monkeypatch.setenv("STRIPE_API_BASE", double.url)
    capsys.readouterr()
    assert main(["payments", "check"], []) == 1
    out = capsys.readouterr().out
    assert "events: FAILING" in out and "permission" in out
    assert "refunds: ok" in out and "deadlines: ok" in out

    assert main(["payments", "poll"], []) == 0  # the fault is used up: all steps pass
    assert "events: FAILED" not in capsys.readouterr().out
    assert main(["payments", "check"], []) == 0


def test_a_booking_stripe_cannot_close_waits_and_the_deadlines_step_names_it(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    linked, stranded, later = expired_link_and_stranded_booking(sqlite_db, gateway)
    double.fail_next("/v1/checkout/sessions", "unreachable", times=100)
    result = run_payments_once(sqlite_db, gateway, at=later)
    assert linked in result.errors["deadlines"] and "Released 1" in result.errors["deadlines"]
    assert booking_state(sqlite_db, linked)[:2] == ("PENDING_PAYMENT", 1)  # maybe being paid
    assert booking_state(sqlite_db, stranded)[:2] == ("CANCELLED", 0)

    double.clear_faults()  # Stripe is back
    assert run_payments_once(sqlite_db, gateway, at=later).ok
    assert booking_state(sqlite_db, linked)[:2] == ("CANCELLED", 0)
