"""``rft desk [--screenshots DIR] [--server URL]``: open the desktop app."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("desk", help="open the booking desk app")
    p.add_argument("--no-demo", action="store_true", help="do not load demo data on first run")
    p.add_argument(
        "--server", metavar="URL", help="use this sync server (ws://host:port/ws) for this run"
    )
    p.add_argument(
        "--screenshots",
        metavar="DIR",
        type=Path,
        help="render every main view and wizard step to PNG files in DIR, then exit",
    )
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.screenshots is not None:
        from desktop.tools.screenshots import render_all

        return render_all(args.screenshots, demo_data=not args.no_demo)
    from desktop.app import run

    return run(demo_data=not args.no_demo, server_url=args.server)
