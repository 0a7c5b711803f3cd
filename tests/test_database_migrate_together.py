"""Several ``rft server`` processes on one PostgreSQL start together after a release (the
README's load-balanced setup): each migrates on start, and all of them must come up. Found by
the attack: on a fresh database the second died with a traceback, both having tried to create
``alembic_version`` at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_processes_migrating_one_fresh_database_at_once_all_succeed(postgres_url: str) -> None:
    env = os.environ | {"DATABASE_URL": postgres_url, "RFT_DATA_KEY": "A" * 43 + "="}
    upgrade = "from core.cli import main; raise SystemExit(main(['db', 'upgrade']))"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", upgrade],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [(p.wait(timeout=120), *p.communicate()) for p in processes]
    assert [status for status, _out, _err in outcomes] == [0, 0, 0], outcomes
