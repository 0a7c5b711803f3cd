"""``rft desk [--screenshots DIR [--size WxH]] [--server URL]``: open the desktop app."""

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
    p.add_argument(
        "--size",
        metavar="WxH",
        type=_size,
        default=(1280, 800),
        help="with --screenshots: the main window's size (default 1280x800)",
    )
    p.set_defaults(func=_run)


def _size(text: str) -> tuple[int, int]:
    """640x480 up to 8K: far beyond it Qt cannot make the picture and the process crashes."""
    width, _, height = text.lower().partition("x")
    if not (
        width.isdigit()
        and height.isdigit()
        and 640 <= int(width) <= 7680
        and 480 <= int(height) <= 4320
    ):
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r} is not a size like 1920x1080 (640x480 to 7680x4320)"
        )
    return int(width), int(height)


def _run(args: argparse.Namespace) -> int:
    if args.screenshots is not None:
        from desktop.tools.screenshots import render_all

        return render_all(args.screenshots, demo_data=not args.no_demo, size=args.size)
    from desktop.app import run

    return run(demo_data=not args.no_demo, server_url=args.server)
