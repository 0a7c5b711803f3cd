"""Demo data and the Stripe double are tooling: with ``core.demo`` gone the product still runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WITHOUT_DEMO = textwrap.dedent(
    """
    import importlib.abc, sys

    class NoDemo(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "core.demo" or name.startswith("core.demo."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NoDemo())
    import desktop.app, server.app  # the desk and the server load without it
    from core.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def rft_without_demo(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'no-demo.sqlite3'}",
        "RFT_DATA_DIR": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
    }
    env.pop("STRIPE_API_BASE", None)
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_DEMO, *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_product_runs_without_the_demo_package(tmp_path: Path) -> None:
    assert rft_without_demo(tmp_path, "db", "upgrade").returncode == 0
    listed = rft_without_demo(tmp_path, "sessions", "--all", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []

    demo = rft_without_demo(tmp_path, "demo")
    assert demo.returncode == 1
    assert "demo tooling (core/demo) is not installed" in demo.stderr
