"""``rft``: the command line. Core commands live here; server and desktop plug theirs in
through the ``rft.commands`` entry point group, so core never imports them."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from importlib.metadata import entry_points

from core import __version__
from core.cli import admin as admin_commands
from core.cli import (
    bookings,
    catalogue,
    certificates,
    database,
    payments,
    privacy,
    reports,
    sessions,
)
from core.cli import users as user_commands
from core.errors import DomainError

Registrar = Callable[[argparse._SubParsersAction], None]  # type: ignore[type-arg]
CORE_COMMANDS: tuple[Registrar, ...] = (
    database.register,
    catalogue.register,
    sessions.register,
    bookings.register,
    payments.register,
    certificates.register,
    privacy.register,
    reports.register,
    user_commands.register,
    admin_commands.register,
)


def plugin_commands() -> list[Registrar]:
    return [ep.load() for ep in entry_points(group="rft.commands")]


def build_parser(plugins: Iterable[Registrar] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rft", description="RFT first-aid training: booking desk, sync server and tools."
    )
    parser.add_argument("--version", action="version", version=f"rft {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in (*CORE_COMMANDS, *(plugin_commands() if plugins is None else plugins)):
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None, plugins: Iterable[Registrar] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser(plugins).parse_args(argv)
    try:
        result = args.func(args)
    except DomainError as exc:
        print(f"rft: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return int(result or 0)
