"""``rft desk``: open the desktop app."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("desk", help="open the booking desk app")
    p.add_argument("--no-demo", action="store_true", help="do not load demo data on first run")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from desktop.app import run

    return run(demo_data=not args.no_demo)
