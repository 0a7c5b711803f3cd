"""Starting the desk: show the main window at once, then open the backend and fill it in.

The window is painted before the service layer is even imported; the embedded database is
then opened, migrated and seeded with demo data on a worker thread, so start-up never blocks
the GUI thread.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QProcess, QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from core.infra.config import APP_NAME, load_settings
from desktop import style_sheet
from desktop.main_window import MainWindow
from desktop.tasks import Op, plain_message

if TYPE_CHECKING:
    from core.infra.db import Database
    from desktop.backend import Backend


def desk_settings() -> QSettings:
    """The desk's own preferences (window layout, server URL), kept in the data directory."""
    path = load_settings().data_dir / "desk.ini"
    return QSettings(str(path), QSettings.Format.IniFormat)


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("RFT First Aid Training")
    style_sheet.apply(app)
    return app


def prepare_local(demo_data: bool) -> Database:
    """Open the embedded database, bring it up to date, load demo data on first run."""
    from core.infra.db import migrate, open_database

    db = open_database()
    migrate(db)
    if demo_data:
        from core.demo import data as demo

        demo.seed(db)
    return db


def open_backend(
    app: QApplication,
    server_url: str | None,
    demo_data: bool,
    ready: Callable[[Backend], None],
) -> None:
    """Create the configured backend off the GUI thread, then call ``ready(backend)``."""
    if server_url:
        from desktop.remote_backend import RemoteBackend

        ready(RemoteBackend(server_url))
        return

    def failed(error: BaseException) -> None:
        QMessageBox.critical(None, APP_NAME, f"The desk could not start: {plain_message(error)}")
        app.exit(1)

    def prepare() -> Callable[[], Backend]:
        from core import background
        from desktop.backend import LocalBackend

        db = prepare_local(demo_data)
        workers = background.Workers(db, background.plan(db.settings).loops)
        return lambda: LocalBackend(db, workers=workers)  # a QObject: made on the GUI thread

    Op(app, prepare).success(lambda make: ready(make())).failure(failed).run()


def start_desk(
    app: QApplication, demo_data: bool = True, server_url: str | None = None
) -> MainWindow:
    """Show the main window, then open the configured backend and attach the window to it.
    The caller runs the event loop."""
    settings = desk_settings()
    url = server_url or str(settings.value("server/url", "") or "") or None
    window = MainWindow(None, settings)
    window.restart_requested.connect(lambda: restart(app, window))
    window.show()
    app.processEvents()  # paint the window now, before the service layer is loaded

    def ready(backend: Backend) -> None:
        window.attach(backend)
        backend.start()
        app.aboutToQuit.connect(backend.close)

    open_backend(app, url, demo_data, ready)
    return window


def restart_command() -> tuple[str, list[str]]:
    """How to start this desk again: the frozen app, or Python on the ``rft`` command line."""
    if getattr(sys, "frozen", False):
        return sys.executable, ["desk"]
    return sys.executable, ["-m", "core.cli", "desk"]


def restart(app: QApplication, window: MainWindow) -> None:
    """Start a new desk process (it reads the saved settings), then close this one."""
    program, arguments = restart_command()
    if not QProcess.startDetached(program, arguments)[0]:
        QMessageBox.warning(window, APP_NAME, "The desk could not restart; please start it again.")
        return
    window.close()
    app.quit()


def run(demo_data: bool = True, server_url: str | None = None) -> int:
    app = application()
    _window = start_desk(app, demo_data, server_url)  # keeps the window alive while it runs
    return app.exec()
