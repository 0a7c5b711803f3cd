"""Bundle size and cold start of the frozen desk app against a bare PySide6 window.

    python bench/startup_bench.py [--runs N] [--rebuild]      (or ``make dist-bench``)

Both apps are frozen in this run by the same spec (build/rft.spec, the bare one with
``-- --bare``), so they share PyInstaller, Qt and the exclusions. Each start is a new process
with ``RFT_STARTUP_PROBE=1``: the probe (build/startup_probe.py) prints ``PAINTED`` once the
first main window has painted, and the time from spawning the process to that line is the
start time. The desk paints its window first and builds its screens once the database is
open; the probe then prints ``READY``, reported as the time to a usable desk. The desk starts
on an embedded database migrated and filled with demo data by an untimed first run; that
first start (new database, migrations, demo data) is reported too. Offscreen Qt platform, so
it runs on a headless machine. Goals: size under 200 MB and a start at most twice the bare
window's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build" / "rft.spec"
APP = ROOT / "build" / "dist" / "rft"
BARE_WORK = ROOT / "build" / "work" / "bench"
BARE = BARE_WORK / "dist" / "bare"
SIZE_GOAL_MB = 200
RATIO_GOAL = 2.0
TIMEOUT_S = 180


def freeze(*extra: str, distpath: Path, workpath: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(distpath),
            "--workpath",
            str(workpath),
            str(SPEC),
            *extra,
        ],
        check=True,
    )


def size_mb(folder: Path) -> float:
    """Bytes on disk in MB, counting each file once (PyInstaller adds symlinks to libraries)."""
    files = (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return sum(p.stat().st_size for p in files) / 1_000_000


def start_time(executable: Path, env: dict[str, str], *args: str) -> tuple[float, float]:
    """Seconds from spawning ``executable`` to its first painted main window, and to its
    screens being ready (the same moment for a window that is complete when painted)."""
    began = time.perf_counter()
    seen: dict[str, float] = {}
    with subprocess.Popen(
        [str(executable), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tempfile.gettempdir(),
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.setdefault(line.strip(), time.perf_counter() - began)
            if "READY" in seen:
                break
        if not {"PAINTED", "READY"} <= seen.keys():
            raise RuntimeError(f"{executable.name} exited ({proc.wait()}) without painting")
        proc.wait(timeout=TIMEOUT_S)
    return seen["PAINTED"], seen["READY"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed starts of each app")
    parser.add_argument("--rebuild", action="store_true", help="refreeze the desk app too")
    args = parser.parse_args()

    if args.rebuild or not (APP / "rft").exists():
        freeze(distpath=APP.parent, workpath=ROOT / "build" / "work")
    freeze("--", "--bare", distpath=BARE.parent, workpath=BARE_WORK)

    with tempfile.TemporaryDirectory(prefix="rft-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONPATH")}
        env.update(
            QT_QPA_PLATFORM="offscreen",
            RFT_STARTUP_PROBE="1",
            RFT_DATA_DIR=str(Path(tmp) / "data"),
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        )
        first_paint, first_ready = start_time(APP / "rft", env, "desk")
        app_times, ready_times, bare_times = [], [], []
        for _ in range(args.runs):
            bare_times.append(start_time(BARE / "bare", env)[0])
            painted, ready = start_time(APP / "rft", env, "desk")
            app_times.append(painted)
            ready_times.append(ready)

    app_mb, bare_mb = size_mb(APP), size_mb(BARE)
    app_s, bare_s = statistics.median(app_times), statistics.median(bare_times)
    ratio, best_ratio = app_s / bare_s, min(app_times) / min(bare_times)
    print(f"size:  desk app {app_mb:.0f} MB, bare window {bare_mb:.0f} MB")
    print(
        f"start: desk app {app_s:.2f} s (best {min(app_times):.2f}), bare window {bare_s:.2f} s "
        f"(best {min(bare_times):.2f}), ratio {ratio:.1f} (best {best_ratio:.1f}); "
        f"median of {args.runs}"
    )
    print(
        f"desk ready (screens built on the open database): {statistics.median(ready_times):.2f} s"
        f" (best {min(ready_times):.2f})"
    )
    print(
        f"first start with a new database and demo data: painted {first_paint:.2f} s, "
        f"ready {first_ready:.2f} s"
    )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    size_ok, start_ok = app_mb < SIZE_GOAL_MB, ratio <= RATIO_GOAL
    print(
        f"goals: size < {SIZE_GOAL_MB} MB {'met' if size_ok else 'MISSED'}; "
        f"start <= {RATIO_GOAL:.0f}x bare {'met' if start_ok else 'MISSED'}"
    )
    return 0 if size_ok and start_ok else 1


if __name__ == "__main__":
    sys.exit(main())
