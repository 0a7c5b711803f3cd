"""Before the desk opens (``make run``): the system libraries Qt's xcb platform plugin lacks.

The plugin is asked, not a list guessed: ``ldd`` on ``libqxcb.so`` from the installed PySide6
names every shared library it cannot find. Each missing ``.so`` maps to its Debian/Ubuntu
package by the Debian shared-library naming rule, which ``apt-get`` then installs when this
runs as root or with sudo; otherwise the exact ``apt-get install`` line is printed.

    python -m desktop.qt_libs    # 0: nothing missing (or installed now); 1: see the line

No Qt is imported here: the point is to run before Qt can load.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

NOT_FOUND = re.compile(r"^\s*(\S+\.so[.\d]*)\s+=>\s+not found\s*$")
SONAME = re.compile(r"^lib(?P<name>.+?)\.so\.(?P<version>[\d.]+)$")
ODD_NAMES = {
    **dict.fromkeys(("libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0"), "libc6"),
    **dict.fromkeys(("libglib-2.0.so.0", "libgthread-2.0.so.0"), "libglib2.0-0"),
    **dict.fromkeys(("libbrotlicommon.so.1", "libbrotlidec.so.1"), "libbrotli1"),
    "libGLdispatch.so.0": "libglvnd0",
    "libz.so.1": "zlib1g",
}
"""Libraries the plugin loads whose package breaks the naming rule."""


def xcb_plugin() -> Path | None:
    """``libqxcb.so`` of the installed PySide6 (None when PySide6 or the plugin is absent)."""
    spec = find_spec("PySide6")
    if spec is None or spec.origin is None:
        return None
    plugin = Path(spec.origin).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.exists() else None


def missing_libraries(ldd_output: str) -> list[str]:
    """The ``.so`` names ``ldd`` reports as ``not found``, each once, in order."""
    found = (NOT_FOUND.match(line) for line in ldd_output.splitlines())
    return list(dict.fromkeys(m.group(1) for m in found if m))


def debian_package(soname: str) -> str:
    """The package that ships ``soname``: ``libxcb-icccm.so.4`` → ``libxcb-icccm4``,
    ``libxkbcommon-x11.so.0`` → ``libxkbcommon-x11-0`` (Debian policy 8.1)."""
    if soname in ODD_NAMES:
        return ODD_NAMES[soname]
    match = SONAME.match(soname)
    if match is None:
        return soname
    name, version = match["name"].lower().replace("_", "-"), match["version"]
    return f"lib{name}{'-' if name[-1].isdigit() else ''}{version}"


def install_line(packages: list[str]) -> str:
    return "sudo apt-get install " + " ".join(packages)


def missing_for(plugin: Path) -> list[str]:
    done = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=False)
    return missing_libraries(done.stdout)


def main() -> int:
    plugin = xcb_plugin()
    platform = os.environ.get("QT_QPA_PLATFORM", "xcb")
    if plugin is None or not platform.startswith("xcb") or shutil.which("ldd") is None:
        return 0
    missing = missing_for(plugin)
    if not missing:
        return 0
    packages = list(dict.fromkeys(debian_package(so) for so in missing))
    print(f"rft: Qt's window system plugin lacks {', '.join(missing)}.", file=sys.stderr)
    command = ["apt-get", "install", "--yes", *packages]
    if shutil.which("apt-get") is not None:
        if os.geteuid() == 0:
            if subprocess.run(command, check=False).returncode != 0:  # a fresh machine's lists
                subprocess.run(["apt-get", "update"], check=False)
                subprocess.run(command, check=False)
        elif shutil.which("sudo") is not None and sys.stdin.isatty():
            print(f"Installing them: {install_line(packages)}", file=sys.stderr)
            subprocess.run(["sudo", *command], check=False)
        if not missing_for(plugin):
            return 0
    print(
        f"rft: install them, then run make run again:\n  {install_line(packages)}", file=sys.stderr
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
