"""One owner per state: only core/booking/state.py writes a booking's status or a session's
seats and status. Read from the source, so a new path that changes them by hand fails here."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "core"
OWNER = "core/booking/state.py"
# ``.status`` of other tables, assigned where those tables are owned: (module, variable).
OTHER_STATUSES = {
    ("core/attendance/register.py", "cell"),
    ("core/demo/stripe_double.py", "self"),
    ("core/notify/sender.py", "row"),
    ("core/orders/bulk.py", "order"),
    ("core/payments/invoice_links.py", "failed"),
    ("core/payments/invoice_links.py", "link"),
    ("core/payments/ledger.py", "payment"),
    ("core/booking/waitlist/entries.py", "entry"),
    ("core/booking/waitlist/enrol.py", "entry"),
    ("core/booking/waitlist/offers.py", "entry"),
}
OWNED_TABLES = {"Booking", "CourseSession"}


def _targets(node: ast.AST) -> Iterator[ast.expr]:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            nodes = ast.walk(target) if isinstance(target, ast.Tuple) else [target]
            yield from (n for n in nodes if isinstance(n, ast.expr))
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        yield node.target


def _writes(path: Path, module: str) -> Iterator[str]:
    """Every write to owned state in one module, as ``line: what``."""
    for node in ast.walk(ast.parse(path.read_text())):
        for target in _targets(node):
            if not isinstance(target, ast.Attribute):
                continue
            owner = target.value.id if isinstance(target.value, ast.Name) else "?"
            if target.attr == "booked" or (
                target.attr == "status" and (module, owner) not in OTHER_STATUSES
            ):
                yield f"{node.lineno}: {ast.unparse(target)} ="
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            args = [a.id for a in node.args if isinstance(a, ast.Name)]
            if node.func.id == "update" and OWNED_TABLES & set(args):
                yield f"{node.lineno}: {ast.unparse(node)}"
            named = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id == "setattr" and {"booked", "status"} & set(named):
                yield f"{node.lineno}: {ast.unparse(node)}"


def test_only_the_owner_changes_booking_status_and_session_seats() -> None:
    found = []
    for path in sorted(CORE.rglob("*.py")):
        module = path.relative_to(CORE.parent).as_posix()
        if "migrations" in path.parts or module == OWNER:
            continue
        found += [f"{module}:{where}" for where in _writes(path, module)]
    assert found == []


def test_the_walk_sees_a_write_by_hand(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "booking.status = 'CANCELLED'\n"
        "session.booked -= booking.seats\n"
        "entry.status, s.status = 'offered', 'FULL'\n"
        "tx.execute(update(CourseSession).values(booked=0))\n"
        "setattr(course, name, value)\n"
        "setattr(booking, 'status', 'CONFIRMED')\n"
    )
    found = sorted(
        _writes(sample, "core/booking/waitlist/offers.py"), key=lambda w: int(w.split(":")[0])
    )
    assert found == [
        "1: booking.status =",
        "2: session.booked =",
        "3: s.status =",
        "4: update(CourseSession)",
        "6: setattr(booking, 'status', 'CONFIRMED')",
    ]
