"""The sign-in limits have one home (``core.staff.sign_in_limits``): nothing else in core,
the server or the desk writes its own copy of a number."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / "core" / "staff" / "sign_in_limits.py"
LIMITS = {"MAX_FAILED_LOGINS", "LOCKOUT", "MIN_PASSWORD_LENGTH", "failed_logins"}


def _numbers_given_to_limits(path: Path) -> list[str]:
    """``name = <a number or a timedelta of numbers>`` for the limit names, in ``path``
    (a counter starting at 0 is not a limit)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            written = [n for n in ast.walk(node.value) if isinstance(n, ast.Constant)]
            if names & LIMITS and any(isinstance(c.value, int) and c.value for c in written):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_only_the_sign_in_limits_module_writes_the_numbers() -> None:
    copies = [
        where
        for package in ("core", "server", "desktop")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != HOME and "migrations" not in path.parts
        for where in _numbers_given_to_limits(path)
    ]
    assert copies == []
    assert _numbers_given_to_limits(HOME)  # the numbers are there


def test_the_desk_asks_for_the_password_length_core_requires() -> None:
    source = (ROOT / "desktop" / "admin" / "staff_tab.py").read_text(encoding="utf-8")
    assert "{MIN_PASSWORD_LENGTH}+ characters" in source
