"""``make run`` on a fresh Debian/Ubuntu desktop: what Qt's xcb plugin lacks is read from
``ldd`` on the installed plugin and turned into the exact ``apt-get install`` line."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import qt_libs
from desktop.qt_libs import debian_package, install_line, missing_libraries, xcb_plugin

ROOT = Path(__file__).resolve().parent.parent
# ``ldd libqxcb.so`` on a fresh Debian 12 desktop, as reported in issue 13.
FRESH_DEBIAN = """\
\tlinux-vdso.so.1 (0x00007ffd5b7f2000)
\tlibQt6XcbQpa.so.6 => /x/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x7f1)
\tlibxkbcommon-x11.so.0 => /lib/x86_64-linux-gnu/libxkbcommon-x11.so.0 (0x00007f2)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f3)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-randr.so.0 => /lib/x86_64-linux-gnu/libxcb-randr.so.0 (0x00007f4)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f5)
"""


def test_the_missing_libraries_of_a_fresh_debian_become_one_apt_line() -> None:
    missing = missing_libraries(FRESH_DEBIAN)
    assert missing == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    packages = [debian_package(so) for so in missing]
    assert install_line(packages) == "sudo apt-get install libxcb-icccm4 libxcb-keysyms1"


def ldd_of_plugin() -> str:
    plugin = xcb_plugin()
    if plugin is None or shutil.which("ldd") is None:
        pytest.skip("no xcb plugin or no ldd here")
    return subprocess.run(["ldd", str(plugin)], capture_output=True, text=True).stdout


def test_real_ldd_output_of_the_installed_plugin_is_read_line_for_line() -> None:
    out = ldd_of_plugin()
    not_found = {line.split()[0] for line in out.splitlines() if "not found" in line}
    assert set(missing_libraries(out)) == not_found
    assert "libQt6Core.so.6" in out and "libQt6Core.so.6" not in missing_libraries(out)


def test_each_library_the_plugin_loads_maps_to_the_package_dpkg_says_ships_it() -> None:
    if shutil.which("dpkg") is None:
        pytest.skip("not a Debian system")
    checked = 0
    for line in ldd_of_plugin().splitlines():
        parts = line.split()
        if len(parts) < 3 or not parts[2].startswith("/") or "site-packages" in parts[2]:
            continue
        path = Path(parts[2])
        for candidate in (str(path), str(path.resolve()), f"/usr{path}"):
            owner = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if owner.returncode == 0:
                package = owner.stdout.split(":")[0]
                assert debian_package(parts[0]) == package, parts[0]
                checked += 1
                break
    assert checked >= 10


def test_make_run_asks_before_opening_the_desk() -> None:
    makefile = (ROOT / "Makefile").read_text()
    run = makefile[makefile.index("\nrun:") :].split("\n\n")[0]
    assert run.index("desktop.qt_libs") < run.index("rft desk")
    done = subprocess.run(
        [sys.executable, "-m", "desktop.qt_libs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0 and done.stderr == ""  # offscreen needs no window system


def test_without_root_or_sudo_it_stops_with_the_exact_apt_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = missing_libraries(ldd_of_plugin())
    if not missing:
        pytest.skip("this machine has every library the plugin needs")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(qt_libs.os, "geteuid", lambda: 1000)  # an ordinary desktop user
    monkeypatch.setattr(qt_libs.sys, "stdin", io.StringIO())  # no terminal to ask a password on

    assert qt_libs.main() == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"rft: Qt's window system plugin lacks {', '.join(missing)}."
    assert err[-1] == "  " + install_line(list(dict.fromkeys(map(debian_package, missing))))
