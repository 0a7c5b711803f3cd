"""``reports.run`` in-process and over the server: managers and admins only, same numbers."""

from __future__ import annotations

import asyncio

import pytest

from core.api import Call, dispatch
from core.infra.actor import Actor
from core.infra.db import Database
from core.infra.errors import DomainError, Forbidden, Unauthenticated, ValidationFailed
from tests.reports_data import build_known
from tests.server_support import add_api_key, add_staff, peer, running_server

MANAGER = Actor("Helen Manager", "manager", user_id=2)
ADMIN = Actor("Office Admin", "admin", user_id=1)
RECEPTION = Actor("Front Desk", "reception", user_id=3)
TRAINER = Actor("Tina Trainer", "trainer", user_id=4)
WEBSITE = Actor("website", None, channel="website")


def test_managers_and_admins_get_columns_rows_and_chart_hints(sqlite_db: Database) -> None:
    build_known(sqlite_db)
    for actor in (MANAGER, ADMIN):
        result = dispatch(
            Call(sqlite_db, actor), "reports.run", {"name": "utilisation", "by": "venue"}
        )
        rows = {r["group_id"]: r for r in result["rows"]}
        assert (rows["leeds"]["booked"], rows["leeds"]["capacity"]) == (10, 22)
        assert [c["key"] for c in result["columns"]][:2] == ["group", "sessions"]
        assert result["chart"]["type"] == "bar"
        assert "forecast" in dispatch(Call(sqlite_db, actor), "reports.list", {})
    revenue = dispatch(
        Call(sqlite_db, MANAGER),
        "reports.run",
        {"name": "revenue", "venue": "york", "date_from": "2020-01-01", "date_to": "2030-12-31"},
    )
    assert [r["net_pence"] for r in revenue["rows"]] == [15000]


@pytest.mark.parametrize(
    ("actor", "error"),
    [(RECEPTION, Forbidden), (TRAINER, Forbidden), (WEBSITE, Forbidden), (None, Unauthenticated)],
)
def test_reception_trainers_and_the_website_are_refused(
    sqlite_db: Database, actor: Actor | None, error: type[DomainError]
) -> None:
    with pytest.raises(error):
        dispatch(Call(sqlite_db, actor), "reports.run", {"name": "utilisation"})


def test_bad_parameters_are_validation_errors(sqlite_db: Database) -> None:
    call = Call(sqlite_db, MANAGER)
    with pytest.raises(ValidationFailed, match="no report called 'gossip'"):
        dispatch(call, "reports.run", {"name": "gossip"})
    with pytest.raises(ValidationFailed, match="'from' date"):
        dispatch(
            call,
            "reports.run",
            {"name": "revenue", "date_from": "2026-02-01", "date_to": "2026-01-01"},
        )
    with pytest.raises(ValidationFailed, match="date_from"):
        dispatch(call, "reports.run", {"name": "revenue", "date_from": "last tuesday"})


def test_a_manager_over_the_server_sees_the_same_numbers_others_are_refused(
    sqlite_db: Database,
) -> None:
    build_known(sqlite_db)
    for role in ("manager", "reception", "trainer"):
        add_staff(sqlite_db, role, f"{role}@example.org")
    key = add_api_key(sqlite_db)
    params = {"name": "revenue", "by": "venue"}
    local = dispatch(Call(sqlite_db, MANAGER), "reports.run", params)

    async def scenario() -> None:
        async with running_server(sqlite_db) as server:
            async with peer(server.url) as office:
                await office.login("manager@example.org")
                remote = await office.call("reports.run", params)
                assert remote["rows"] == local["rows"] and remote["totals"] == local["totals"]
            for role in ("reception", "trainer"):
                async with peer(server.url) as desk:
                    await desk.login(f"{role}@example.org")
                    refused = await desk.request("reports.run", params)
                    assert refused["error"]["data"]["code"] == "forbidden", refused
            async with peer(server.url) as web:
                await web.call("auth.authenticate", {"api_key": key})
                refused = await web.request("reports.run", params)
                assert refused["error"]["data"]["code"] == "forbidden", refused

    asyncio.run(scenario())
