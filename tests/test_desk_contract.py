"""Every method the desk calls exists on the server with the shapes the desk uses: the
names it calls, the params it sends by name, and the typed methods it invokes (the same
params and result models over a real server as in-process)."""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from core.api import METHODS
from core.api import desk as desk_api
from core.api import payments as payments_api
from core.api.params import NoParams
from core.api.registry import Method
from core.infra.actor import Actor
from core.infra.db import Database
from desktop.backend import LocalBackend
from desktop.remote_backend import RemoteBackend
from tests.server_support import PASSWORD, ServerProcess, add_staff
from tests.test_desktop_remote import connect_desk, remote_desks, server  # noqa: F401

DESKTOP = Path(__file__).resolve().parent.parent / "desktop"
NAME = re.compile(r"^[a-z]+(\.[a-z_]+)+$")
PUSHED = {"changes.push", "auth.ended"}  # notifications the server sends, not methods
FILES = {"audit.csv", "desk.ini", "desk.qss"}  # file names that look like method names
NAMESPACES = {name.split(".")[0] for name in METHODS}


def desk_sources() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(DESKTOP.rglob("*.py")):
        module = ".".join(path.relative_to(DESKTOP.parent).with_suffix("").parts)
        yield module, ast.parse(path.read_text(), str(path))


def method_names(tree: ast.Module) -> set[str]:
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and NAME.match(node.value)
        and node.value.split(".")[0] in NAMESPACES
        and node.value not in PUSHED | FILES
    }


def test_every_method_the_desk_names_is_on_the_server() -> None:
    named = set().union(*(method_names(tree) for _, tree in desk_sources()))
    assert named, "the scan found no method names"
    assert sorted(named - METHODS.keys()) == []


def test_params_the_desk_sends_by_name_are_the_servers() -> None:
    """A ``{...}`` literal next to a method name in one call: its keys are that method's."""
    checked = 0
    for module, tree in desk_sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            names = [a.value for a in node.args if isinstance(a, ast.Constant)]
            sent = [a for a in node.args if isinstance(a, ast.Dict)]
            if len(names) != 1 or names[0] not in METHODS or len(sent) != 1:
                continue
            keys = {k.value for k in sent[0].keys if isinstance(k, ast.Constant)}
            fields = METHODS[names[0]].params.model_fields
            assert keys <= fields.keys(), (
                f"{module}:{node.lineno} {names[0]} {keys - fields.keys()}"
            )
            checked += 1
    assert checked > 10


def test_the_desks_typed_calls_are_the_registered_methods() -> None:
    typed = 0
    for module, tree in desk_sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "ApiOp":
                typed += 1
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                # every core.api method the module names (passed to ApiOp, or on to a helper
                # that passes it: hold.py's _call) is the one the server registers
                namespace = vars(importlib.import_module(module))
                if node.value.id not in namespace:
                    continue
                found = getattr(namespace[node.value.id], node.attr, None)
                if isinstance(found, Method):
                    assert METHODS[found.name] is found, f"{module}:{node.lineno}"
    assert typed >= 3


@pytest.mark.slow
def test_typed_calls_answer_alike_in_process_and_over_the_server(
    qtbot: QtBot,
    sqlite_db: Database,
    server: ServerProcess,  # noqa: F811
    remote_desks: list[RemoteBackend],  # noqa: F811
) -> None:
    email = add_staff(sqlite_db, "reception")
    remote = connect_desk(qtbot, server.url, remote_desks)
    remote.client.wait_connected(10)
    remote.login(email, PASSWORD)
    local = LocalBackend(sqlite_db, Actor("Desk", "reception", "desk", None))
    terms, methods = desk_api.booking_terms, payments_api.payment_methods
    assert remote.invoke(terms, NoParams()) == local.invoke(terms, NoParams())
    assert remote.invoke(methods, NoParams()) == local.invoke(methods, NoParams())
    local.close()
