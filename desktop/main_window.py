"""The main window: role-dependent tabs, menus and shortcuts, connection banner, status bar.

Screens are added by role. Either list a ``TabSpec`` in ``TABS`` (one line per screen) or,
at run time, ``window.add_tab(widget, "Title", roles=OFFICE)``. A tab factory is called as
``factory(backend, window)`` and returns the widget; it talks to the service only through
``backend`` (see ``desktop.backend``) and ``desktop.tasks.BackendOp``.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core import __version__
from core.api.admin import ADMIN
from core.api.registry import DESK, OFFICE
from core.config import APP_NAME
from desktop.admin.audit_tab import AuditTab
from desktop.admin.catalogue_tab import CatalogueTab
from desktop.admin.schedule_tab import ScheduleTab
from desktop.admin.staff_tab import StaffTab
from desktop.admin.trainers_tab import TrainersTab
from desktop.backend import Backend
from desktop.bookings_tab import BookingsTab
from desktop.calendar_view import CalendarView
from desktop.reports import ReportsTab
from desktop.session_list import SessionListView
from desktop.tasks import activity
from desktop.trainer.trainer_tab import TrainerTab

TabFactory = Callable[[Backend, "MainWindow"], QWidget]


@dataclass(frozen=True)
class TabSpec:
    """A screen in the main window, shown to users whose role is in ``roles``."""

    title: str
    factory: TabFactory
    roles: frozenset[str]


TABS: tuple[TabSpec, ...] = (
    TabSpec("Calendar", CalendarView, DESK),
    TabSpec("Sessions", SessionListView, DESK),
    TabSpec("Bookings", BookingsTab, DESK),
    TabSpec("My sessions", TrainerTab, frozenset({"trainer"})),
    TabSpec("Schedule", ScheduleTab, OFFICE),
    TabSpec("Trainers", TrainersTab, OFFICE),
    TabSpec("Catalogue", CatalogueTab, ADMIN),
    TabSpec("Staff", StaffTab, ADMIN),
    TabSpec("Audit", AuditTab, ADMIN),
    TabSpec("Reports", ReportsTab, OFFICE),
)

BANNER_STYLE = {
    "down": "background:#b3261e;color:white;padding:8px;font-weight:bold;",
    "back": "background:#1e7d32;color:white;padding:8px;font-weight:bold;",
}


class MainWindow(QMainWindow):
    """The desk: calendar, session list and bookings, plus any tabs other areas add."""

    def __init__(self, backend: Backend, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.backend = backend
        self.settings = settings
        self._tabs: list[tuple[QWidget, str, frozenset[str] | None]] = []
        self.setWindowTitle(APP_NAME)

        self.banner = QLabel()
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.tab_widget = QTabWidget()
        self.tab_widget.setDocumentMode(True)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.tab_widget)
        self.setCentralWidget(central)

        self.where = QLabel()
        self.busy = QLabel()
        self.statusBar().addWidget(self.where)
        self.statusBar().addPermanentWidget(self.busy)
        activity.busy_changed.connect(self._show_busy)

        for spec in TABS:
            self.add_tab(spec.factory(backend, self), spec.title, spec.roles)
        self.calendar: CalendarView = self.tab_named("Calendar")  # type: ignore[assignment]
        self.sessions: SessionListView = self.tab_named("Sessions")  # type: ignore[assignment]
        self.bookings: BookingsTab = self.tab_named("Bookings")  # type: ignore[assignment]
        self._build_menus()

        backend.connection_changed.connect(self._show_connection)
        backend.role_changed.connect(lambda _role: self._apply_roles())
        self._banner_timer = QTimer(self)
        self._banner_timer.setSingleShot(True)
        self._banner_timer.timeout.connect(self.banner.hide)
        self._show_connection(backend.connected, "")
        self._restore()

    # -- tabs -------------------------------------------------------------------------
    def add_tab(self, widget: QWidget, title: str, roles: Iterable[str] | None = None) -> None:
        """Add a screen; ``roles=None`` shows it to everyone signed in."""
        allowed = frozenset(roles) if roles is not None else None
        self._tabs.append((widget, title, allowed))
        index = self.tab_widget.addTab(widget, title)
        self.tab_widget.setTabVisible(index, self._allowed(allowed))

    def tab_named(self, title: str) -> QWidget:
        for widget, name, _roles in self._tabs:
            if name == title:
                return widget
        raise KeyError(title)

    def show_tab(self, title: str) -> None:
        self.tab_widget.setCurrentWidget(self.tab_named(title))

    def _allowed(self, roles: frozenset[str] | None) -> bool:
        return roles is None or (self.backend.role or "") in roles

    def _apply_roles(self) -> None:
        for index, (_widget, _title, roles) in enumerate(self._tabs):
            self.tab_widget.setTabVisible(index, self._allowed(roles))
        self.new_booking_action.setEnabled(self._allowed(DESK))
        self._show_where()

    # -- menus and shortcuts ----------------------------------------------------------
    def _action(self, text: str, slot: Callable[[], Any], shortcut: Any = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self._action("&Settings…", self.open_settings))
        file_menu.addAction(self._action("Sign &in…", self.sign_in))
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit))

        booking = bar.addMenu("&Booking")
        self.new_booking_action = self._action("&New booking…", self.new_booking, "Ctrl+N")
        booking.addAction(self.new_booking_action)
        booking.addAction(self._action("&Find a booking", self.find_booking, "Ctrl+F"))
        booking.addAction(self._action("Go to &today", self.go_today, "Ctrl+T"))

        view = bar.addMenu("&View")
        for i, (_w, title, _r) in enumerate(self._tabs):
            view.addAction(self._action(title, partial(self.show_tab, title), f"Ctrl+{i + 1}"))

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&About", self.about))

    def new_booking(self, session: dict[str, Any] | None = None) -> None:
        """Open the booking wizard, optionally on a chosen session."""
        from desktop.wizard import BookingWizard

        wizard = BookingWizard(self.backend, self, session=session)
        wizard.booked.connect(lambda _booking: self.bookings.refresh())
        wizard.open()

    def find_booking(self) -> None:
        self.show_tab("Bookings")
        self.bookings.focus_search()

    def go_today(self) -> None:
        current = self.tab_widget.currentWidget()
        if current is self.sessions:
            self.sessions.go_today()
        else:
            self.show_tab("Calendar")
            self.calendar.go_today()

    def open_settings(self) -> None:
        from desktop.settings_dialog import SettingsDialog

        SettingsDialog(self.settings, self).exec()

    def sign_in(self) -> None:
        self.ask_sign_in()

    def ask_sign_in(self) -> None:
        """Show the sign-in dialog (once at a time); reload the views when it succeeds."""
        from desktop.login_dialog import LoginDialog

        if self.findChild(LoginDialog) is not None:
            return
        dialog = LoginDialog(self.backend, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.reload_views)
        dialog.open()

    def reload_views(self) -> None:
        self.catalogue_reload()
        self.calendar.reload()
        self.sessions.reload()

    def catalogue_reload(self) -> None:
        from desktop.catalogue_cache import CatalogueCache

        CatalogueCache.of(self.backend).load(self)

    def about(self) -> None:
        if importlib.util.find_spec("desktop.about") is not None:
            about = importlib.import_module("desktop.about")  # written by the packaging area
            about.show_about(self)
            return
        QMessageBox.about(self, f"About {APP_NAME}", f"{APP_NAME} {__version__}")

    # -- live state -------------------------------------------------------------------
    def _show_connection(self, connected: bool, message: str) -> None:
        if connected and self.backend.needs_sign_in:
            QTimer.singleShot(0, self.ask_sign_in)
        self._show_where()
        if connected and self.banner.isVisible():
            self.banner.setStyleSheet(BANNER_STYLE["back"])
            self.banner.setText(message or "Connection is back. Everything is up to date.")
            self._banner_timer.start(5000)
        elif not connected and message:
            self._banner_timer.stop()
            self.banner.setStyleSheet(BANNER_STYLE["down"])
            self.banner.setText(message)
            self.banner.show()

    def _show_where(self) -> None:
        self.where.setText(
            f"Signed in as {self.backend.user_label} · data on {self.backend.description}"
            if self.backend.user_label
            else f"Data on {self.backend.description}"
        )

    def _show_busy(self, running: int) -> None:
        self.busy.setText("Loading…" if running else "")

    # -- remembered layout ------------------------------------------------------------
    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        last = self.settings.value("window/tab", "Calendar")
        for index, (_w, title, roles) in enumerate(self._tabs):
            if title == last and self._allowed(roles):
                self.tab_widget.setCurrentIndex(index)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.settings.setValue("window/geometry", self.saveGeometry())
        current = self.tab_widget.tabText(self.tab_widget.currentIndex())
        self.settings.setValue("window/tab", current)
        self.settings.sync()
        super().closeEvent(event)
