"""``rft server [--host HOST] [--port PORT]``: run the sync server."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from core import auth, background, catalogue
from core.cli.context import database
from core.config import load_settings
from server.app import ServerOptions, run


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} is not between 0 and 65535")
    return value


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("server", help="run the sync server (JSON-RPC over WebSocket)")
    p.add_argument("--host", help="address to listen on (default: WS_HOST or 127.0.0.1)")
    p.add_argument("--port", type=_port, help="port (default: WS_PORT or 8765; 0 = any free)")
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
    )
    try:
        asyncio.run(run(db, options, background.Workers(db, services.loops)))
    finally:
        db.dispose()
    return 0
