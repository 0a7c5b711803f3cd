"""The main window: role-dependent tabs, menus and shortcuts, connection banner, status bar.

The window is shown before the service layer is loaded: ``MainWindow(None, settings)`` paints
its frame, menus and an "Opening…" page at once, and ``attach(backend)`` fills in the screens
when the database or server is ready (``MainWindow(backend, settings)`` does both).

Screens are added by role. Either list a ``TabSpec`` in ``TABS`` (one line per screen, the
widget class named by ``"module:Class"`` and imported on attach) or, at run time,
``window.add_tab(widget, "Title", roles=OFFICE)``. A tab class is called as
``Class(backend, window)``; it talks to the service only through ``backend`` (see
``desktop.backend``) and ``desktop.tasks.BackendOp``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.infra.config import APP_NAME
from core.staff.roles import ADMIN, DESK, OFFICE, TRAINER
from desktop.style_sheet import set_state
from desktop.tasks import activity

if TYPE_CHECKING:
    from desktop.backend import Backend
    from desktop.bookings_tab import BookingsTab
    from desktop.calendar_view import CalendarView
    from desktop.session_list import SessionListView
    from desktop.today_tab import TodayTab


@dataclass(frozen=True)
class TabSpec:
    """A screen in the main window, shown to users whose role is in ``roles``."""

    title: str
    widget: str  # "module:Class", imported when the window is attached to a backend
    roles: frozenset[str]

    def build(self, backend: Backend, window: MainWindow) -> QWidget:
        module, name = self.widget.split(":")
        widget: QWidget = getattr(importlib.import_module(module), name)(backend, window)
        return widget


TABS: tuple[TabSpec, ...] = (
    TabSpec("Today", "desktop.today_tab:TodayTab", DESK),
    TabSpec("Calendar", "desktop.calendar_view:CalendarView", DESK),
    TabSpec("Sessions", "desktop.session_list:SessionListView", DESK),
    TabSpec("Bookings", "desktop.bookings_tab:BookingsTab", DESK),
    TabSpec("My sessions", "desktop.trainer.trainer_tab:TrainerTab", TRAINER),
    TabSpec("Schedule", "desktop.admin.schedule_tab:ScheduleTab", OFFICE),
    TabSpec("Trainers", "desktop.admin.trainers_tab:TrainersTab", OFFICE),
    TabSpec("Catalogue", "desktop.admin.catalogue_tab:CatalogueTab", ADMIN),
    TabSpec("Staff", "desktop.admin.staff_tab:StaffTab", ADMIN),
    TabSpec("Audit", "desktop.admin.audit_tab:AuditTab", ADMIN),
    TabSpec("Reports", "desktop.reports:ReportsTab", OFFICE),
    TabSpec("Organisations", "desktop.organisations:OrganisationsTab", DESK),
)


class MainWindow(QMainWindow):
    """The desk: calendar, session list and bookings, plus any tabs other areas add."""

    ready = Signal()  # the screens are built on a backend (see ``attach``)
    restart_requested = Signal()  # settings changed where the data lives

    calendar: CalendarView
    sessions: SessionListView
    bookings: BookingsTab
    today: TodayTab

    def __init__(
        self, backend: Backend | None, settings: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._backend: Backend | None = None
        self.settings = settings
        self._tabs: list[tuple[QWidget, str, frozenset[str] | None]] = []
        self.setWindowTitle(APP_NAME)

        self.banner = QLabel()
        self.banner.setObjectName("connectionBanner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.opening = QLabel(f"Opening {APP_NAME}…")
        self.opening.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.opening.setObjectName("opening")
        self.tab_widget = QTabWidget()
        self.tab_widget.setDocumentMode(True)
        self.tab_widget.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.opening, 1)
        layout.addWidget(self.tab_widget, 1)
        self.setCentralWidget(central)

        self.where = QLabel()
        self.busy = QLabel()
        self.statusBar().addWidget(self.where)
        self.statusBar().addPermanentWidget(self.busy)
        activity.busy_changed.connect(self._show_busy)
        self._banner_timer = QTimer(self)
        self._banner_timer.setSingleShot(True)
        self._banner_timer.timeout.connect(self.banner.hide)
        self._build_menus()
        self._restore_geometry()
        if backend is not None:
            self.attach(backend)

    @property
    def backend(self) -> Backend:
        assert self._backend is not None, "attach() the window to a backend first"
        return self._backend

    @property
    def attached(self) -> bool:
        return self._backend is not None

    def attach(self, backend: Backend) -> None:
        """Build the screens on ``backend`` (once) and follow its connection and role."""
        assert self._backend is None, "a window works on one backend"
        self._backend = backend
        for spec in TABS:
            self.add_tab(spec.build(backend, self), spec.title, spec.roles)
        self.calendar = self.tab_named("Calendar")  # type: ignore[assignment]
        self.sessions = self.tab_named("Sessions")  # type: ignore[assignment]
        self.bookings = self.tab_named("Bookings")  # type: ignore[assignment]
        self.today = self.tab_named("Today")  # type: ignore[assignment]
        self.opening.hide()
        self.tab_widget.show()
        backend.connection_changed.connect(self._show_connection)
        backend.role_changed.connect(self._role_changed)
        self._apply_roles()
        self._show_connection(backend.connected, "")
        self._restore_tab()
        self.ready.emit()

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
        """Bring up the screen called ``title`` if this user's role may see it."""
        for widget, name, roles in self._tabs:
            if name == title and self._allowed(roles):
                self.tab_widget.setCurrentWidget(widget)

    def _allowed(self, roles: frozenset[str] | None) -> bool:
        role = self.backend.role if self.attached else None
        return roles is None or (role or "") in roles

    def _role_changed(self, _role: str) -> None:
        self._apply_roles()

    def _apply_roles(self) -> None:
        for index, (_widget, _title, roles) in enumerate(self._tabs):
            self.tab_widget.setTabVisible(index, self._allowed(roles))
        for action in self._backend_actions:
            action.setEnabled(self.attached)
        for spec, action in self._tab_actions.items():
            action.setVisible(self._allowed(spec.roles))  # no shortcut into another role's tab
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
        sign_in = self._action("Sign &in…", self.sign_in)
        file_menu.addAction(sign_in)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit))

        booking = bar.addMenu("&Booking")
        self.new_booking_action = self._action("&New booking…", self.new_booking, "Ctrl+N")
        booking.addAction(self.new_booking_action)
        find = self._action("&Find a booking", self.find_booking, "Ctrl+F")
        today = self._action("Go to &today", self.go_today, "Ctrl+T")
        booking.addActions([find, today])

        view = bar.addMenu("&View")
        tabs = [
            self._action(
                spec.title, partial(self.show_tab, spec.title), f"Ctrl+{i + 1}" if i < 9 else None
            )
            for i, spec in enumerate(TABS)
        ]
        self._tab_actions = dict(zip(TABS, tabs, strict=True))
        view.addActions(tabs)
        self._backend_actions = [sign_in, self.new_booking_action, find, today, *tabs]
        for action in self._backend_actions:
            action.setEnabled(False)  # until the window is attached to its backend

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&About", self.about))

    def new_booking(self, session: dict[str, Any] | None = None) -> None:
        """Open the booking wizard, optionally on a chosen session."""
        from desktop.wizard import BookingWizard

        wizard = BookingWizard(self.backend, self, session=session)
        wizard.booked.connect(lambda _booking: self.bookings.refresh())
        wizard.again.connect(self.new_booking)
        wizard.open()

    def open_booking(self, reference: str) -> None:
        """Show the booking with ``reference`` in the Bookings tab."""
        self.show_tab("Bookings")
        self.bookings.open_reference(reference)

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
        """Edit where the desk's data lives; a new place takes a restart, offered at once."""
        from desktop.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.changed:
            return
        answer = QMessageBox.question(
            self,
            "Restart the desk?",
            f"The desk will work on {dialog.where()} from its next start. Restart it now?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.restart_requested.emit()

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
        from desktop.about import show_about

        show_about(self)

    # -- live state -------------------------------------------------------------------
    def _show_connection(self, connected: bool, message: str) -> None:
        if connected and self.backend.needs_sign_in:
            QTimer.singleShot(0, self.ask_sign_in)
        self._show_where()
        if connected and self.banner.isVisible():
            set_state(self.banner, "back")
            self.banner.setText(message or "Connection is back. Everything is up to date.")
            self._banner_timer.start(5000)
        elif not connected and message:
            self._banner_timer.stop()
            set_state(self.banner, "down")
            self.banner.setText(message)
            self.banner.show()

    def _show_where(self) -> None:
        if not self.attached:
            return
        backend = self.backend
        if backend.single_user:
            text = (
                f"Single-user {backend.role or 'desk'} mode: nobody signs in on this "
                f"computer's own database (working as {backend.user_label})"
            )
        elif backend.user_label:
            text = f"Signed in as {backend.user_label} · data on {backend.description}"
        else:
            text = f"Data on {backend.description}"
        self.where.setText(text)

    def _show_busy(self, running: int) -> None:
        self.busy.setText("Loading…" if running else "")

    # -- remembered layout ------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)

    def _restore_tab(self) -> None:
        last = self.settings.value("window/tab", "Today")
        for index, (_w, title, roles) in enumerate(self._tabs):
            if title == last and self._allowed(roles):
                self.tab_widget.setCurrentIndex(index)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.settings.setValue("window/geometry", self.saveGeometry())
        if self.attached:
            current = self.tab_widget.tabText(self.tab_widget.currentIndex())
            self.settings.setValue("window/tab", current)
        self.settings.sync()
        super().closeEvent(event)
