"""Starting the desk: pick the backend (embedded database or a server), open the main window.

The embedded database is opened, migrated and seeded with demo data on a worker thread,
so even start-up never blocks the GUI thread.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from core import background, demo
from core.config import APP_NAME, load_settings
from core.db import Database, migrate, open_database
from desktop.backend import Backend, LocalBackend
from desktop.main_window import MainWindow
from desktop.tasks import Op, plain_message


def desk_settings() -> QSettings:
    """The desk's own preferences (window layout, server URL), kept in the data directory."""
    path = load_settings().data_dir / "desk.ini"
    return QSettings(str(path), QSettings.Format.IniFormat)


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("RFT First Aid Training")
    return app


def prepare_local(demo_data: bool) -> Database:
    """Open the embedded database, bring it up to date, load demo data on first run."""
    db = open_database()
    migrate(db)
    if demo_data:
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

    def prepare() -> tuple[Database, background.Workers]:
        db = prepare_local(demo_data)
        return db, background.Workers(db, background.plan(db.settings).loops)

    def opened(prepared: tuple[Database, background.Workers]) -> None:
        db, workers = prepared
        ready(LocalBackend(db, workers=workers))

    Op(app, prepare).success(opened).failure(failed).run()


def start_desk(
    app: QApplication, demo_data: bool = True, server_url: str | None = None
) -> list[MainWindow]:
    """Show a splash, open the configured backend and then the main window (returned in the
    list once it exists). The caller runs the event loop."""
    settings = desk_settings()
    url = server_url or str(settings.value("server/url", "") or "") or None
    splash = QLabel(f"Opening {APP_NAME}…")
    splash.setMargin(40)
    splash.show()
    windows: list[MainWindow] = []

    def ready(backend: Backend) -> None:
        window = MainWindow(backend, settings)
        windows.append(window)
        splash.close()
        window.show()
        backend.start()
        app.aboutToQuit.connect(backend.close)

    open_backend(app, url, demo_data, ready)
    return windows


def run(demo_data: bool = True, server_url: str | None = None) -> int:
    app = application()
    _windows = start_desk(app, demo_data, server_url)  # keeps the window alive while it runs
    return app.exec()
