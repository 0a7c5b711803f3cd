"""Per-address limits of the public booking page count an IPv6 visitor by the /64 they are
given whole, so one phone or household cannot pass them by changing its interface id."""

from __future__ import annotations

import asyncio

from core.infra.db import Database
from server.app import visitor_network
from tests.server_support import peer, running_server


def test_ipv6_visitors_are_counted_by_their_64_and_ipv4_by_address() -> None:
    one = visitor_network("2001:db8:1:2:aaaa::1")
    assert one == visitor_network("2001:db8:1:2:ffff:ffff:ffff:fffe") == "2001:db8:1:2::/64"
    assert visitor_network("2001:db8:1:3::1") != one
    assert visitor_network("fe80::1%eth0") == "fe80::/64"
    assert visitor_network("::ffff:192.0.2.7") == "192.0.2.7"
    assert visitor_network("192.0.2.7") == "192.0.2.7"
    assert visitor_network("192.0.2.8") != "192.0.2.7"


def test_a_visitor_over_ipv6_is_counted_by_network(sqlite_db: Database) -> None:
    async def scenario() -> None:
        async with (
            running_server(sqlite_db, host="::1") as server,
            peer(f"ws://[::1]:{server.port}/public") as visitor,
        ):
            assert (await visitor.call("catalogue.get"))["courses"]
            assert server.visitors == {"::/64": 1}

    asyncio.run(scenario())
