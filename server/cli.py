"""``rft server [--host HOST] [--port PORT] [--rate-limit N] [--rate-burst N]``: run the
sync server."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable
from typing import TypeVar

from core import background
from core.catalogue import specs as catalogue
from core.cli.context import database
from core.infra.config import RATE_BURST_RANGE, RATE_LIMIT_RANGE, load_settings
from core.staff import auth
from server.app import ServerOptions, run
from server.connection import Limits

N = TypeVar("N", int, float)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} is not between 0 and 65535")
    return value


def _between(kind: Callable[[str], N], lo: N, hi: N, what: str) -> Callable[[str], N]:
    """An argparse type: a ``kind`` number from ``lo`` to ``hi``, else a message saying so."""

    def parse(text: str) -> N:
        refusal = argparse.ArgumentTypeError(f"{text!r} is not {what} from {lo:g} to {hi:g}")
        try:
            value = kind(text)
        except ValueError:
            raise refusal from None
        if not lo <= value <= hi:
            raise refusal
        return value

    return parse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("server", help="run the sync server (JSON-RPC over WebSocket)")
    p.add_argument("--host", help="address to listen on (default: WS_HOST or 127.0.0.1)")
    p.add_argument("--port", type=_port, help="port (default: WS_PORT or 8765; 0 = any free)")
    p.add_argument(
        "--rate-limit",
        type=_between(float, *RATE_LIMIT_RANGE, "a number of requests per second"),
        metavar="N",
        help="requests per second each connection may make (default: WS_RATE_LIMIT or 30)",
    )
    p.add_argument(
        "--rate-burst",
        type=_between(int, *RATE_BURST_RANGE, "a whole number of requests"),
        metavar="N",
        help="requests a connection may save up for a burst (default: WS_RATE_BURST or 60)",
    )
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    auth.check_settings(settings)
    services = background.plan(settings)
    for warning in services.not_configured:
        print(f"rft server: {warning}", file=sys.stderr)
    logging.getLogger("server").setLevel(logging.INFO)
    db = database()
    with db.write() as tx:
        catalogue.install(tx, catalogue.default_catalogue())
    options = ServerOptions(
        host=args.host or settings.ws_host,
        port=settings.ws_port if args.port is None else args.port,
        limits=Limits(
            rate=settings.ws_rate_limit if args.rate_limit is None else args.rate_limit,
            burst=settings.ws_rate_burst if args.rate_burst is None else args.rate_burst,
        ),
    )
    try:
        asyncio.run(run(db, options, background.Workers(db, services.loops)))
    finally:
        db.dispose()
    return 0
