"""``rft db upgrade`` and ``rft demo``."""

from __future__ import annotations

import argparse

from core.catalogue import specs as catalogue
from core.cli.context import database
from core.infra.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = db_sub.add_parser("upgrade", help="create or migrate the schema to the newest version")
    up.set_defaults(func=_upgrade)
    d = sub.add_parser("demo", help="load demo data (safe to run twice)")
    d.set_defaults(func=_demo)


def _upgrade(args: argparse.Namespace) -> int:
    db = database()
    with db.write() as tx:
        catalogue.install(tx, catalogue.default_catalogue())
    print(f"Database is up to date ({db.dialect}).")
    return 0


def _demo(args: argparse.Namespace) -> int:
    try:
        from core.demo import data as demo  # optional tooling: the product runs without it
    except ModuleNotFoundError:
        raise ConfigError("The demo tooling (core/demo) is not installed here.") from None
    db = database()
    print("Demo data loaded." if demo.seed(db) else "Demo data was already loaded; nothing added.")
    return 0
