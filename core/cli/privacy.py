"""``rft privacy export|erase EMAIL``: subject access and erasure requests."""

from __future__ import annotations

import argparse

from core.cli.context import database, emit_json
from core.customers import privacy
from core.infra.actor import CLI


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("privacy", help="export or erase what is held about a person")
    actions = p.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="print everything held about EMAIL as JSON")
    export.add_argument("email", metavar="EMAIL")
    export.set_defaults(func=_export)
    erase = actions.add_parser("erase", help="erase EMAIL's personal data, keeping the accounts")
    erase.add_argument("email", metavar="EMAIL")
    erase.add_argument("--yes", action="store_true", required=True, help="confirm the erasure")
    erase.set_defaults(func=_erase)


def _export(args: argparse.Namespace) -> int:
    with database().read() as tx:
        emit_json(privacy.export_person(tx, args.email))
    return 0


def _erase(args: argparse.Namespace) -> int:
    count = privacy.erase(database(), args.email, CLI)
    print(f"Erased personal data in {count} record{'s' if count != 1 else ''}.")
    return 0
