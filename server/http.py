"""Plain HTTP GETs on the WebSocket port: ``/api/health`` and ``/metrics`` (the booking
page's files are ``server.static``)."""

from __future__ import annotations

import asyncio
import http
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from core.booking.metrics import live_counts
from core.infra.db import Database
from core.payments.jobs import failing_steps
from server.metrics import Metrics

WS_PATH = "/ws"
PUBLIC_PATH = "/public"  # the booking page's WebSocket: an anonymous website visitor
CHECK_TIMEOUT = 3.0
# The close reason a browser page from a site not allowed to use /public is given (at most
# 123 bytes, the WebSocket limit).
ORIGIN_REFUSED = (
    "This site may not use the booking service: its origin is not in RFT_WIDGET_ORIGINS."
)


@dataclass(frozen=True)
class Reply:
    status: int
    body: str
    content_type: str


def _ping(db: Database) -> None:
    with db.read() as tx:
        tx.execute(text("SELECT 1"))


def health_document(
    database_ok: bool,
    uptime_s: float,
    services: dict[str, str],
    failing_payment_steps: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The seed's health JSON: status, uptime (seconds), database, services, and each
    payments step whose last run failed (``payment`` is then ``degraded``)."""
    failing = failing_payment_steps or {}
    if failing and services.get("payment") == "operational":
        services = services | {"payment": "degraded"}
    return {
        "status": "healthy" if database_ok else "unhealthy",
        "uptime": int(uptime_s),
        "database": "connected" if database_ok else "unreachable",
        "services": services,
        "payment_steps_failing": failing,
    }


async def health(db: Database, uptime_s: float, services: dict[str, str]) -> Reply:
    failing: dict[str, str] = {}
    try:
        await asyncio.wait_for(asyncio.to_thread(_ping, db), CHECK_TIMEOUT)
        failing = await asyncio.wait_for(asyncio.to_thread(failing_steps, db), CHECK_TIMEOUT)
        ok = True
    except Exception:
        ok = False
    status = http.HTTPStatus.OK if ok else http.HTTPStatus.SERVICE_UNAVAILABLE
    body = json.dumps(health_document(ok, uptime_s, services, failing))
    return Reply(status, body, "application/json")


async def metrics(db: Database, counters: Metrics) -> Reply:
    try:
        counts = await asyncio.wait_for(asyncio.to_thread(live_counts, db), CHECK_TIMEOUT)
    except Exception:
        return Reply(http.HTTPStatus.SERVICE_UNAVAILABLE, "database unreachable\n", "text/plain")
    body = counters.render(counts.active_holds, counts.bookings_by_status)
    return Reply(http.HTTPStatus.OK, body, "text/plain; version=0.0.4; charset=utf-8")


def not_found(path: str) -> Reply:
    body = f"Nothing at {path}. WebSocket clients connect to {WS_PATH}.\n"
    return Reply(http.HTTPStatus.NOT_FOUND, body, "text/plain; charset=utf-8")


def too_many_visitors() -> Reply:
    body = "Too many booking pages are open from your address; close one and try again.\n"
    return Reply(http.HTTPStatus.TOO_MANY_REQUESTS, body, "text/plain; charset=utf-8")


def too_many_connections() -> Reply:
    body = "Too many connections are open from your address; close some and try again.\n"
    return Reply(http.HTTPStatus.TOO_MANY_REQUESTS, body, "text/plain; charset=utf-8")
