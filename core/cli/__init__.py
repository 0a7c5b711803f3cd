"""``rft``: the command line. Core commands live here; server and desktop plug theirs in
through the ``rft.commands`` entry point group, so core never imports them."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from importlib.metadata import entry_points

from core import __version__
from core.errors import DomainError

Registrar = Callable[[argparse._SubParsersAction], None]  # type: ignore[type-arg]
CORE_COMMANDS = tuple(
    f"core.cli.{name}"
    for name in (
        "database",
        "catalogue",
        "sessions",
        "bookings",
        "payments",
        "certificates",
        "privacy",
        "reports",
        "users",
        "admin",
        "waitlist",
    )
)
"""Modules that each add their commands with ``register(subparsers)``."""


def core_commands() -> list[Registrar]:
    return [importlib.import_module(name).register for name in CORE_COMMANDS]


def plugin_commands(only: str | None = None) -> list[Registrar]:
    """The ``rft.commands`` entry points (``desk``, ``server``), or just the one named ``only``."""
    found = entry_points(group="rft.commands")
    return [ep.load() for ep in found if only is None or ep.name == only]


def build_parser(
    plugins: Iterable[Registrar] | None = None, command: str | None = None
) -> argparse.ArgumentParser:
    """The whole command line; with ``command`` naming a plugin command, only that command,
    so ``rft desk`` opens its window without first importing every tool."""
    parser = argparse.ArgumentParser(
        prog="rft", description="RFT first-aid training: booking desk, sync server and tools."
    )
    parser.add_argument("--version", action="version", version=f"rft {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    alone = plugin_commands(command) if plugins is None and command else []
    registrars = alone or [
        *core_commands(),
        *(plugin_commands() if plugins is None else plugins),
    ]
    for register in registrars:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None, plugins: Iterable[Registrar] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(plugins, command=argv[0] if argv else None).parse_args(argv)
    try:
        result = args.func(args)
    except DomainError as exc:
        print(f"rft: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return int(result or 0)
