"""Entry point of the frozen app: ``rft`` behaves like the command line of a source install.

No arguments opens the desk app; ``--self-test`` runs the bundle's self-test; anything else
(``--version``, ``db upgrade``, ``demo``, ...) goes to ``core.cli``, which finds ``rft desk``
and ``rft server`` through the ``rft.commands`` entry points copied into the bundle.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    if os.environ.get("RFT_STARTUP_PROBE"):
        import startup_probe

        startup_probe.install()
    if argv[:1] == ["--self-test"]:
        from desktop.tools.self_test import main as self_test

        return self_test(argv[1:])
    from core.cli import main as cli

    return cli(argv or ["desk"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
