"""``rft user add|list|disable|mfa`` and ``rft apikey add``: staff accounts and website keys."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import select

from core.cli.context import database, emit_json, table
from core.infra.actor import CLI
from core.infra.errors import ValidationFailed
from core.models import User
from core.staff import accounts, auth
from core.staff.roles import ROLES


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    user = sub.add_parser("user", help="staff accounts")
    actions = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a staff account")
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--name", help="display name (default: from the email address)")
    add.add_argument(
        "--password-stdin", action="store_true", required=True, help="read the password from stdin"
    )
    add.set_defaults(func=_add)
    listing = actions.add_parser("list", help="list staff accounts")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(func=_list)
    disable = actions.add_parser("disable", help="stop an account signing in")
    disable.add_argument("email", metavar="EMAIL")
    disable.set_defaults(func=_disable)
    mfa = actions.add_parser("mfa", help="turn on a TOTP second factor; prints an otpauth URI")
    mfa.add_argument("email", metavar="EMAIL")
    mfa.set_defaults(func=_mfa)
    key = sub.add_parser("apikey", help="API keys for the public website")
    key_actions = key.add_subparsers(dest="apikey_command", metavar="ACTION", required=True)
    key_add = key_actions.add_parser("add", help="create a key; it is shown once")
    key_add.add_argument("name", metavar="NAME")
    key_add.set_defaults(func=_apikey_add)


def _name_from(email: str) -> str:
    """``kim.lee@…`` → ``Kim Lee``; an address too short for a name, or without letters
    before the ``@``, stands for itself."""
    name = " ".join(p.capitalize() for p in email.split("@")[0].replace("_", ".").split("."))
    return name if len(name.strip()) >= 2 and any(c.isalpha() for c in name) else email


def _add(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise ValidationFailed("No password was given on stdin.")
    db = database()
    with db.write() as tx:
        name = _name_from(args.email) if args.name is None else args.name
        added = accounts.add_staff(tx, CLI, args.email, name, args.role, password)
        print(f"Added {added.user.email} ({added.user.role}).")
    if added.otpauth_uri:
        uri = added.otpauth_uri
        article = "An" if added.user.role[0] in "aeiou" else "A"
        print(f"{article} {added.user.role} signs in with a second factor; set it up from: {uri}")
    return 0


def _list(args: argparse.Namespace) -> int:
    db = database()
    with db.read() as tx:
        users = list(tx.scalars(select(User).order_by(User.email)))
    if args.json:
        emit_json(
            [
                {
                    "email": u.email,
                    "name": u.name,
                    "role": u.role,
                    "active": u.active,
                    "mfa": bool(u.totp_secret),
                }
                for u in users
            ]
        )
        return 0
    rows = [
        [
            u.email,
            u.name,
            u.role,
            "yes" if u.active else "disabled",
            "yes" if u.totp_secret else "-",
        ]
        for u in users
    ]
    print(table(rows, ["EMAIL", "NAME", "ROLE", "ACTIVE", "MFA"]))
    return 0


def _disable(args: argparse.Namespace) -> int:
    db = database()
    with db.write() as tx:
        user = accounts.disable_staff(tx, CLI, args.email)
        print(f"Disabled {user.email}; their sign-ins have been ended.")
    return 0


def _mfa(args: argparse.Namespace) -> int:
    db = database()
    with db.write() as tx:
        uri = accounts.reset_second_factor(tx, CLI, args.email)
    print(uri)
    return 0


def _apikey_add(args: argparse.Namespace) -> int:
    db = database()
    with db.write() as tx:
        key = auth.add_api_key(tx, args.name)
    print(key)
    print("Store this key now; it cannot be shown again.", file=sys.stderr)
    return 0
