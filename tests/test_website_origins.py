"""Which browser pages may use the public WebSocket, and the RFT_WIDGET_ORIGINS setting."""

from __future__ import annotations

import asyncio

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError

from core.demo.stripe_double import StripeDouble
from core.infra.config import load_settings
from core.infra.db import Database
from core.infra.errors import ConfigError
from tests.factories import make_session, person
from tests.server_support import TIMEOUT, peer, running_server


def test_a_page_from_a_site_not_allowed_is_refused_with_the_reason(sqlite_db: Database) -> None:
    make_session(sqlite_db, capacity=6)
    sqlite_db.settings = sqlite_db.settings.with_overrides(
        widget_origins=("https://www.example.co.uk",)
    )

    async def scenario() -> None:
        async with running_server(sqlite_db) as server:
            url = f"ws://127.0.0.1:{server.port}/public"
            for hostile in ("https://evil.example", "null", "https://www.example.co.uk:8443"):
                async with connect(url, origin=hostile) as ws:  # type: ignore[arg-type]
                    with pytest.raises(ConnectionClosedError) as closed:
                        await asyncio.wait_for(ws.recv(), TIMEOUT)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
                assert "RFT_WIDGET_ORIGINS" in closed.value.rcvd.reason
            assert server.visitors == {}  # refused pages never count as open pages
            for welcome in (
                {"origin": "https://www.example.co.uk"},  # an allowed company site
                {"origin": f"http://127.0.0.1:{server.port}"},  # this server's own page
                {},  # not a browser: a script or the website's own server
            ):
                async with peer(url, **welcome) as visitor:
                    sessions = await visitor.call("sessions.list")
                    assert len(sessions) == 1
            async with peer(server.url, origin="https://evil.example") as desk:  # not /public
                assert (await desk.request("catalogue.get"))["id"] == 1  # answered, not closed

    asyncio.run(scenario())


def test_widget_origins_are_read_as_origins_and_bad_ones_stop_start_up() -> None:
    settings = load_settings(
        {"RFT_WIDGET_ORIGINS": " https://WWW.Example.co.uk/ , http://shop.example:8080,"}
    )
    assert settings.widget_origins == ("https://www.example.co.uk", "http://shop.example:8080")
    assert load_settings({}).widget_origins == ()
    for bad in ("www.example.co.uk", "https://example.co.uk/book", "ftp://x", "https://x:99999"):
        with pytest.raises(ConfigError, match="RFT_WIDGET_ORIGINS"):
            load_settings({"RFT_WIDGET_ORIGINS": bad})


def test_checkout_returns_only_to_an_allowed_embedding_page(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, capacity=6)
    double = StripeDouble()
    double.start()
    sqlite_db.settings = sqlite_db.settings.with_overrides(
        stripe_secret_key="sk_test_web",
        stripe_api_base=double.url,
        widget_origins=("https://www.example.co.uk",),
    )

    async def scenario() -> None:
        async with (
            running_server(sqlite_db) as server,
            peer(f"ws://127.0.0.1:{server.port}/public") as visitor,
        ):
            hold = await visitor.call("holds.create", {"session_id": sid, "seats": 1})
            owner = {"hold_id": hold["id"], "hold_token": hold["hold_token"]}
            made = await visitor.call("bookings.create", {**owner, "attendees": [person(1)]})
            mine = {"reference": made["reference"], "hold_token": hold["hold_token"]}
            for hostile in (
                "https://evil.example/",
                "https://www.example.co.uk.evil.example/",
                "https://www.example.co.uk@evil.example/",
                "https://evil.example\\@www.example.co.uk/",
                "javascript:alert(1)//www.example.co.uk",
                "https://www.example.co.uk:0/",  # port 0 is no page anyone can come back to
            ):
                refused = await visitor.request("payments.link", {**mine, "return_url": hostile})
                assert refused["error"]["code"] == -32602, hostile
                assert "RFT_WIDGET_ORIGINS" in refused["error"]["message"]
                assert refused["error"]["data"]["field"] == "return_url"
            assert double.of_type("checkout.session") == []  # nothing was made
            page = "https://www.example.co.uk/courses?venue=leeds&rft_paid=OLD#booking"
            await visitor.call("payments.link", {**mine, "return_url": page})
        [checkout] = double.of_type("checkout.session")
        ref = made["reference"]
        page = "https://www.example.co.uk/courses?venue=leeds"
        assert checkout["success_url"] == f"{page}&rft_paid={ref}"
        assert checkout["cancel_url"].endswith(f"?venue=leeds&rft_cancelled={ref}")

    try:
        asyncio.run(scenario())
    finally:
        double.stop()
