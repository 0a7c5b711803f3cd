"""``rft``: the command line. Core commands live here; server and desktop plug theirs in
through the ``rft.commands`` entry point group, so core never imports them."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterable, Sequence
from importlib.metadata import entry_points
from typing import NoReturn

from core import __version__
from core.infra.errors import DomainError

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
        "organisations",
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


class OneLineParser(argparse.ArgumentParser):
    """Argument mistakes on one ``rft:`` line that names what to type, like every other
    refusal (``--help`` still prints the usage)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"rft: {message} (see {self.prog} --help)\n")


def build_parser(
    plugins: Iterable[Registrar] | None = None, command: str | None = None
) -> argparse.ArgumentParser:
    """The whole command line; with ``command`` naming a plugin command, only that command,
    so ``rft desk`` opens its window without first importing every tool."""
    parser = OneLineParser(
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


def _is_text(arg: str) -> bool:
    """Whether ``arg`` came as UTF-8 (bytes that did not are held as lone surrogates)."""
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def main(argv: Sequence[str] | None = None, plugins: Iterable[Registrar] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    argv = list(sys.argv[1:] if argv is None else argv)
    unreadable = next((a for a in argv if not _is_text(a)), None)
    if unreadable is not None:
        typed = repr(unreadable.encode("utf-8", "surrogateescape"))[1:]
        print(
            f"rft: {typed} is not UTF-8 text; retype it or set the terminal to UTF-8.",
            file=sys.stderr,
        )
        return 2
    args = build_parser(plugins, command=argv[0] if argv else None).parse_args(argv)
    try:
        result = args.func(args)
        sys.stdout.flush()
    except DomainError as exc:
        print(f"rft: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_gone()
    except OSError as exc:
        if exc.filename is None:
            raise
        # --out naming a folder or a file in a missing one, a file that may not be written
        print(f"rft: Cannot use {exc.filename}: {exc.strerror}.", file=sys.stderr)
        return 1
    except Exception as exc:
        refusal = _model_refusal(exc)
        if refusal is None:
            raise
        print(f"rft: {refusal}", file=sys.stderr)
        return 1
    return int(result or 0)


def _model_refusal(exc: Exception) -> str | None:
    """Options a model checked before core saw them, refused in plain words; None for any
    other error. pydantic is imported here, not with the CLI: a half-imported pydantic
    breaks when the desk then loads Qt (PySide's import hook inspects it mid-import)."""
    from pydantic import ValidationError

    from core.infra.validation_text import plain

    return plain(exc) if isinstance(exc, ValidationError) else None


def _reader_gone() -> int:
    """The reader of our output went away (``rft sessions | head``): stop quietly, as a
    shell tool does, with stdout pointed at nowhere so the exit flush cannot fail again."""
    with contextlib.suppress(OSError):  # io.UnsupportedOperation: stdout is not a file
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 128 + signal.SIGPIPE
