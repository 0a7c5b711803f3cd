"""Plain HTTP on the WebSocket port: health for load balancers, metrics for Prometheus."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

from core.infra.db import Database
from tests.factories import make_session
from tests.server_support import add_staff, peer, running_server


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


def test_health_reports_status_uptime_database_and_services(sqlite_db: Database) -> None:
    async def scenario() -> None:
        async with running_server(sqlite_db) as server:
            base = f"http://127.0.0.1:{server.port}"
            status, kind, body = await asyncio.to_thread(get, base + "/api/health")
            assert (status, kind) == (200, "application/json")
            health = json.loads(body)
            assert health["status"] == "healthy"
            assert health["database"] == "connected"
            assert isinstance(health["uptime"], int)
            assert health["services"] == {
                "email": "not_configured",
                "payment": "not_configured",
                "websocket": "operational",
            }
            missing, _, text = await asyncio.to_thread(get, base + "/admin")
            assert missing == 404 and "/ws" in text

    asyncio.run(scenario())


def test_metrics_count_requests_errors_connections_holds_and_bookings(
    sqlite_db: Database,
) -> None:
    sid = make_session(sqlite_db)
    add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        async with running_server(sqlite_db) as server, peer(server.url) as desk:
            await desk.login("reception@example.org")
            await desk.call("holds.create", {"session_id": sid, "seats": 2})
            await desk.request("sessions.get", {"id": 424242})
            await desk.request("no.such.method")
            status, kind, text = await asyncio.to_thread(
                get, f"http://127.0.0.1:{server.port}/metrics"
            )
            assert status == 200 and kind.startswith("text/plain; version=0.0.4")
            lines = set(text.splitlines())
            assert 'rft_rpc_requests_total{method="holds.create"} 1' in lines
            assert 'rft_rpc_requests_total{method="other"} 1' in lines
            assert 'rft_rpc_errors_total{code="-32004"} 1' in lines
            assert 'rft_rpc_errors_total{code="-32601"} 1' in lines
            assert 'rft_rpc_request_duration_seconds_count{method="auth.login"} 1' in lines
            assert "rft_ws_connections_open 1" in lines
            assert "rft_holds_active 1" in lines
            assert "# TYPE rft_bookings gauge" in lines

    asyncio.run(scenario())
