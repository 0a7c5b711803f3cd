"""Pictures of the Reports tab: one PNG per report screen, plus the first page of a PDF.

``capture_reports(window, out_dir)`` works on a running main window signed in as a manager
or admin (for ``rft desk --screenshots``);
``python -m desktop.tools.report_screenshots DIR`` makes a demo database in a scratch directory
and captures a manager's window on its own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from desktop.reports.reports_tab import SCREENS, ReportsTab
from desktop.tools.waiting import wait_until


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def capture_reports(window: Any, out_dir: Path, suffix: str = "") -> list[Path]:
    """For ``rft desk --screenshots``: a manager's or admin's main window, every report screen."""
    window.show_tab("Reports")
    tab = window.tab_named("Reports")
    assert isinstance(tab, ReportsTab)
    return capture(window, tab, out_dir, suffix)


def capture(window: QWidget, tab: ReportsTab, out_dir: Path, suffix: str = "") -> list[Path]:
    """Show each report screen in turn and save ``reports-<screen>.png``; then the PDF page."""
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = []
    for row, screen in enumerate(SCREENS):
        tab.report = None
        tab.screens.setCurrentRow(row)
        if row == 0:
            tab.refresh()
        wait_until(lambda: tab.report is not None and not tab.progress.isVisible())
        QApplication.processEvents()
        path = out_dir / f"reports-{slug(screen.title)}{suffix}.png"
        window.grab().save(str(path))
        saved.append(path)
    tab.screens.setCurrentRow(0)
    wait_until(lambda: tab.report is not None and tab.report.name == "utilisation")
    saved += pdf_page(tab, out_dir) if not suffix else []
    return saved


def pdf_page(tab: ReportsTab, out_dir: Path) -> list[Path]:
    """Export the shown report as PDF and render its first page with pdftoppm (if installed)."""
    if shutil.which("pdftoppm") is None:
        return []
    with tempfile.TemporaryDirectory(prefix="rft-pdf-") as tmp:
        pdf = Path(tmp) / "report.pdf"
        tab.write_pdf(pdf)
        wait_until(lambda: tab.summary.text() == f"Saved {pdf.name}")
        prefix = out_dir / "reports-pdf-page1"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "90",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(prefix),
            ],
            check=True,
        )
    return [prefix.with_suffix(".png")]


def main(out_dir: Path) -> int:
    from core.demo import data as demo
    from core.infra.actor import Actor
    from core.infra.db import migrate, open_database
    from desktop.app import application
    from desktop.backend import LocalBackend
    from desktop.main_window import MainWindow

    scratch = Path(tempfile.mkdtemp(prefix="rft-shots-"))
    os.environ.setdefault("RFT_DATA_DIR", str(scratch))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'rft.sqlite3'}")
    app = application()
    db = open_database()
    migrate(db)
    demo.seed(db)
    backend = LocalBackend(db, Actor("Helen Manager", "manager", user_id=2))
    backend.start()
    window = MainWindow(backend, QSettings(str(scratch / "desk.ini"), QSettings.Format.IniFormat))
    window.resize(1440, 900)
    window.show()
    for path in capture_reports(window, out_dir.resolve()):
        print(path)
    backend.close()
    window.close()
    app.processEvents()
    db.dispose()
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
