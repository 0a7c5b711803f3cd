"""The shape of core: domain packages whose imports point one way, and nothing above core below it.

Every import counts, including those inside functions: a cycle hidden in a function is still
a cycle to the next engineer.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "core"
# Packages that use core but that nothing else in core may use.
ADAPTERS = {"api", "cli", "demo", "background"}
FORBIDDEN_ROOTS = {"desktop", "server", "PySide6", "websockets"}
# docs/ARCHITECTURE.md's map, top to bottom: a package imports only packages after it.
LAYERS = [
    "customers",
    "scheduling",
    "certificates",
    "attendance",
    "orders",
    "payments",
    "booking",
    "invoicing",
    "organisations",
    "reports",
    "notify",
    "catalogue",
    "seats",
    "staff",
    "journal",
    "models",
    "infra",
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in CORE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(CORE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> Iterator[str]:
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + [base]
                )
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield candidate if candidate in known else base


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {
        name: {
            target
            for target in _imports(name, path, known)
            if target.split(".")[0] in ("core", *FORBIDDEN_ROOTS)
        }
        for name, path in modules.items()
    }


def _domain(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "core"


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(edges):
        if node not in index:
            visit(node)
    return found


def test_core_never_imports_the_desk_the_server_qt_or_websockets() -> None:
    offenders = {
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if target.split(".")[0] in FORBIDDEN_ROOTS
    }
    assert not offenders


def test_no_module_in_core_is_part_of_an_import_cycle() -> None:
    graph = _graph()
    edges = {m: {t for t in ts if t in graph and t != m} for m, ts in graph.items()}
    assert _cycles(edges) == []


def test_domain_packages_depend_on_each_other_one_way() -> None:
    packages: dict[str, set[str]] = {}
    for module, targets in _graph().items():
        source = _domain(module)
        for target in targets:
            if target.startswith("core.") and _domain(target) not in (source, "models"):
                packages.setdefault(source, set()).add(_domain(target))
    assert _cycles(packages) == []


def test_every_domain_import_points_down_the_documented_map() -> None:
    upward = {
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if target.startswith("core.")
        and _domain(module) in LAYERS
        and _domain(target) in LAYERS
        and LAYERS.index(_domain(target)) < LAYERS.index(_domain(module))
    }
    assert not upward


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
def test_nothing_in_the_domain_imports_an_adapter_or_the_demo_tooling(adapter: str) -> None:
    offenders = {
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if _domain(target) == adapter and _domain(module) not in ADAPTERS
    }
    assert not offenders
