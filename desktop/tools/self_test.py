"""``rft --self-test``: prove a build works end to end, offscreen, in a throwaway data directory.

Migrates a new embedded database, loads demo data, opens every main window and each wizard
step, renders every email template, a certificate PDF and a report, and prints one line per
check: ``PASS name`` or ``FAIL name: reason``. Exit status 0 only if every check passed.

The checks are a list of functions (``CHECKS``). A check whose feature module is not in this
build fails with that reason rather than being skipped, so a bundle missing a feature is
never reported healthy. A check may fan out into named sub-checks by returning them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, TextIO

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QSettings, QThreadPool
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from core.infra.db import Database
from core.models.statuses import SessionStatus
from desktop.tools.waiting import wait_until

if TYPE_CHECKING:
    from desktop.backend import Backend

SubChecks = list[tuple[str, Callable[[], object]]]
CheckFn = Callable[["Context"], SubChecks | None]
ISOLATED_VARS = ("RFT_DATA_DIR", "RFT_DATA_KEY", "DATABASE_URL", "PYTHON_KEYRING_BACKEND")


class Missing(Exception):
    """A feature module this check needs is not part of this build."""


class NotReady(Exception):
    """An earlier check that this one depends on did not pass."""


@dataclass(frozen=True)
class Result:
    name: str
    error: str | None = None

    @property
    def line(self) -> str:
        return f"PASS {self.name}" if self.error is None else f"FAIL {self.name}: {self.error}"


@dataclass
class Context:
    """What the checks share: the data directory, the open database and the Qt application."""

    data_dir: Path
    app: QApplication
    db: Database | None = None
    backend: Backend | None = None
    cleanups: list[Callable[[], object]] = field(default_factory=list)

    def keep(self, widget: QWidget) -> QWidget:
        """Close ``widget`` when the self-test ends."""
        self.cleanups.append(widget.close)
        return widget

    def database(self) -> Database:
        if self.db is None:
            raise NotReady("needs the migrated database (see the database check)")
        return self.db


def need(module: str) -> ModuleType:
    """Import a feature module, or fail the check saying which one is missing."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            raise Missing(f"feature module {module} is not in this build") from None
        raise


def render(widget: QWidget) -> QPixmap:
    """Show a widget offscreen and paint it; an empty picture is a failure."""
    widget.show()
    QCoreApplication.processEvents()
    picture = widget.grab()
    if picture.isNull() or picture.width() < 10 or picture.height() < 10:
        raise AssertionError(f"{type(widget).__name__} painted nothing")
    return picture


CHECKS: list[tuple[str, CheckFn]] = []


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        CHECKS.append((name, fn))
        return fn

    return register


# --- the checks, in order ------------------------------------------------------------------


@check("qt offscreen platform")
def _qt_platform(ctx: Context) -> None:
    if ctx.app.platformName() != "offscreen":
        raise AssertionError(f"platform is {ctx.app.platformName()!r}, not offscreen")


@check("qt platform plugins")
def _qt_plugins(ctx: Context) -> None:
    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    native = {"win32": "windows", "darwin": "cocoa"}.get(sys.platform, "xcb")
    present = {p.stem.removeprefix("lib").removeprefix("q") for p in folder.glob("*q*.*")}
    missing = {"offscreen", native} - present
    if missing:
        raise AssertionError(f"no {', '.join(sorted(missing))} plugin in {folder}")


@check("version")
def _version(ctx: Context) -> None:
    from core import __version__

    if __version__.startswith("0.0.0"):
        raise AssertionError(f"no package metadata in this build (version {__version__})")


@check("commands")
def _commands(ctx: Context) -> None:
    from core.cli import build_parser

    commands = next(
        action
        for action in build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    names = set(commands.choices)
    missing = {"desk", "db", "demo"} - names
    if missing:
        raise AssertionError(f"rft is missing the commands {sorted(missing)}")


@check("resources")
def _resources(ctx: Context) -> None:
    from core.catalogue import specs as catalogue
    from core.infra.resources import resource

    cat = catalogue.default_catalogue()
    if not cat.courses or not cat.venues:
        raise AssertionError("the catalogue has no courses or venues")
    for size in (16, 32, 64, 256):
        if QPixmap(str(resource("icons", f"rft-{size}.png"))).isNull():
            raise AssertionError(f"icon rft-{size}.png is missing or unreadable")


@check("style sheet")
def _style_sheet(ctx: Context) -> None:
    from desktop import style_sheet

    style_sheet.apply(ctx.app)  # raises if the sheet uses a colour its palette does not name
    ctx.cleanups.append(lambda: style_sheet.remove(ctx.app))
    if "error" not in style_sheet.palette():
        raise AssertionError("resources/desk.qss names no error colour")


@check("bundled data")
def _bundled_data(ctx: Context) -> None:
    """Data files third-party packages load by path or by name, which freezing can miss."""
    from importlib.resources import files

    if not files("tzdata").joinpath("zoneinfo", "Europe", "London").is_file():
        raise AssertionError("the tzdata package has no Europe/London")
    stripe = need("stripe")
    if not Path(stripe.ca_bundle_path).is_file():
        raise AssertionError(f"Stripe's CA bundle is missing ({stripe.ca_bundle_path})")


@check("database migrates")
def _database(ctx: Context) -> None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from core.infra.db import alembic_config, migrate, open_database

    db = open_database()
    migrate(db)
    heads = set(ScriptDirectory.from_config(alembic_config(db)).get_heads())
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current != heads:
        raise AssertionError(f"schema at {sorted(current)}, expected {sorted(heads)}")
    ctx.db = db


@check("demo data")
def _demo(ctx: Context) -> None:
    from sqlalchemy import func, select

    from core.demo import data as demo
    from core.models import Booking, CourseSession

    db = ctx.database()
    demo.seed(db)
    with db.read() as tx:
        sessions = tx.scalar(select(func.count()).select_from(CourseSession))
        bookings = tx.scalar(select(func.count()).select_from(Booking))
    if not sessions or not bookings:
        raise AssertionError(f"{sessions} sessions and {bookings} bookings after loading demo")


@check("about dialog")
def _about(ctx: Context) -> None:
    from core import __version__
    from desktop.about import AboutDialog

    dialog = AboutDialog()
    ctx.keep(dialog)
    render(dialog)
    if __version__ not in dialog.version_label.text():
        raise AssertionError("the version is not shown")
    if dialog.table.rowCount() < 10:
        raise AssertionError(f"only {dialog.table.rowCount()} components listed")


@check("main window")
def _main_window(ctx: Context) -> SubChecks:
    backend_module = need("desktop.backend")
    window_module = need("desktop.main_window")
    tasks = need("desktop.tasks")
    backend = backend_module.LocalBackend(ctx.database())
    settings = QSettings(str(ctx.data_dir / "desk.ini"), QSettings.Format.IniFormat)
    window = window_module.MainWindow(backend, settings)
    ctx.cleanups.append(lambda: tasks.pool().waitForDone(10_000))  # last: calls in flight end
    ctx.cleanups.append(backend.close)
    ctx.keep(window)
    ctx.backend = backend
    backend.start()
    render(window)
    tabs = window.tab_widget

    def show_tab(index: int) -> None:
        tabs.setCurrentIndex(index)
        wait_until(lambda: tasks.activity.running == 0, timeout_s=30)
        render(tabs.widget(index))

    return [(tabs.tabText(i), partial(show_tab, i)) for i in range(tabs.count())]


@check("wizard step")
def _wizard(ctx: Context) -> SubChecks:
    """Book one attendee for cash through every step, painting each on the way."""
    from sqlalchemy import select

    from core.infra.clock import now
    from core.models import Course, CourseSession

    steps = need("desktop.wizard.wizard")
    if ctx.backend is None:
        raise NotReady("needs the main window's backend (see the main window check)")
    with ctx.database().read() as tx:
        sessions = tx.scalars(
            select(CourseSession)
            .join(Course, Course.id == CourseSession.course_id)
            .where(Course.requalifies_id.is_(None))  # no certificate to check for a newcomer
            .where(CourseSession.status == SessionStatus.SCHEDULED, CourseSession.start_at > now())
            .where(CourseSession.booked < CourseSession.capacity)
            .order_by(CourseSession.start_at.desc())
        )
        session_id = next(iter(sessions)).id
    wizard = steps.BookingWizard(ctx.backend, None, session={"id": session_id})
    # Back on the first step nothing is held, so closing asks no question.
    ctx.cleanups.append(lambda: (wizard.go(steps.SESSION), wizard.close()))
    wizard.show()
    reached: list[int] = []

    def step(index: int, prepare: Callable[[], object], ready: Callable[[], bool]) -> None:
        if index and reached[-1:] != [index - 1]:
            raise NotReady("needs the previous wizard step")
        prepare()
        wait_until(ready, timeout_s=30)
        render(wizard)
        reached.append(index)

    def first() -> None:
        wait_until(lambda: wizard.session is not None and wizard.catalogue.ready, 30)

    def attendee() -> None:
        wizard.next()
        wait_until(lambda: wizard.step == steps.ATTENDEES)
        model = wizard.attendees_step.model
        person = ("Self Test", "self.test@example.co.uk", "", "01/02/1990", "")
        for col, value in enumerate(person):
            model.setData(model.index(0, col), value)

    def review() -> None:
        wizard.next()
        wait_until(lambda: wizard.step == steps.REVIEW)
        for box in wizard.review_step.boxes:
            box.setChecked(True)

    def payment() -> None:
        wizard.next()
        wait_until(lambda: wizard.step == steps.PAYMENT)
        wizard.payment_step.choose("cash")

    def confirmed() -> bool:
        reference = wizard.confirmation_step.reference.text()
        return wizard.step == steps.DONE and re.fullmatch(r"RFT-\d{4}-\d{4}", reference) is not None

    return [
        ("session", lambda: step(0, first, lambda: wizard.next_button.isEnabled())),
        ("attendees", lambda: step(1, attendee, lambda: wizard.next_button.isEnabled())),
        ("review", lambda: step(2, review, lambda: wizard.next_button.isEnabled())),
        ("payment", lambda: step(3, payment, lambda: wizard.next_button.isEnabled())),
        ("confirmation", lambda: step(4, wizard.next, confirmed)),
    ]


@check("email template")
def _email_templates(ctx: Context) -> SubChecks:
    render_module = need("core.notify.render")
    samples = need("core.notify.samples")

    def render_one(name: str) -> None:
        email = render_module.render(name, samples.sample_context(name))
        if not email.subject or not email.text.strip() or "<html" not in email.html.lower():
            raise AssertionError("rendered an empty subject, text or HTML part")

    names = render_module.template_names()
    if not names:
        raise AssertionError("no email templates found in resources/templates/email")
    return [(name, partial(render_one, name)) for name in names]


@check("certificate pdf")
def _certificate_pdf(ctx: Context) -> None:
    from sqlalchemy import select

    pdf = need("core.certificates.pdf")
    models = need("core.models.attendance")
    with ctx.database().read() as tx:
        certificate = tx.scalars(select(models.Certificate).limit(1)).first()
        if certificate is None:
            raise AssertionError("the demo data has no certificate to render")
        data = pdf.pdf_for(tx, certificate)
    if not data.startswith(b"%PDF") or len(data) < 1000:
        raise AssertionError(f"not a PDF ({len(data)} bytes)")


@check("report")
def _reports(ctx: Context) -> SubChecks:
    reports = need("core.reports")
    export = need("core.reports.export")
    pdf = need("core.reports.pdf")

    def render_one(name: str) -> None:
        with ctx.database().read() as tx:
            report = reports.run(tx, name)
        if not export.to_csv(report).strip():
            raise AssertionError("empty CSV")
        if not pdf.to_pdf(report).startswith(b"%PDF"):
            raise AssertionError("the PDF export is not a PDF")

    return [(name, partial(render_one, name)) for name in reports.REPORT_NAMES]


# --- running ----------------------------------------------------------------------------------


def _describe(exc: BaseException) -> str:
    if isinstance(exc, Missing | NotReady):
        return str(exc)
    where = traceback.extract_tb(exc.__traceback__)[-1]
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message} ({Path(where.filename).name}:{where.lineno})"


def _attempt(name: str, fn: Callable[[], object]) -> Result:
    try:
        fn()
    except Exception as exc:  # every failure is reported, none stops the run
        return Result(name, _describe(exc))
    return Result(name)


def run_checks(ctx: Context, out: TextIO) -> list[Result]:
    """Run every check in order, printing each result line as it is known."""
    results: list[Result] = []

    def report(result: Result) -> None:
        results.append(result)
        print(result.line, file=out, flush=True)

    for name, fn in CHECKS:
        try:
            subchecks = fn(ctx)
        except Exception as exc:  # every failure is reported, none stops the run
            report(Result(name, _describe(exc)))
            continue
        if not subchecks:
            report(Result(name))
        for sub_name, thunk in subchecks or ():
            report(_attempt(f"{name}: {sub_name}", thunk))
    return results


@contextmanager
def isolated_environment(data_dir: Path) -> Iterator[None]:
    """Point the app at ``data_dir`` with a fresh key, no keyring and no server; undo after."""
    from core.infra.crypto import new_key_text

    saved = {name: os.environ.get(name) for name in ISOLATED_VARS}
    os.environ.pop("DATABASE_URL", None)
    os.environ["RFT_DATA_DIR"] = str(data_dir)
    os.environ["RFT_DATA_KEY"] = new_key_text()
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def self_test(out: TextIO = sys.stdout) -> bool:
    """Run every check in a temporary data directory; True when all passed."""
    if QApplication.instance() is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = QApplication.instance() or QApplication([sys.argv[0], "-platform", "offscreen"])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory(prefix="rft-self-test-") as tmp:
        ctx = Context(data_dir=Path(tmp), app=app)
        with isolated_environment(ctx.data_dir):
            try:
                results = run_checks(ctx, out)
            finally:
                for cleanup in reversed(ctx.cleanups):
                    cleanup()
                QThreadPool.globalInstance().waitForDone(10_000)  # background calls end first
                QCoreApplication.processEvents()
                dispose = getattr(ctx.db, "dispose", None)
                if dispose is not None:
                    dispose()
    failed = [r for r in results if r.error is not None]
    count = f"{len(results)} check{'' if len(results) == 1 else 's'}"
    summary = f"{len(failed)} of {count} FAILED" if failed else f"all {count} passed"
    print(f"self-test: {summary}", file=out)
    return not failed


def main(argv: Sequence[str] = ()) -> int:
    """Command-line entry: ``rft --self-test`` (or ``python -m desktop.tools.self_test``)."""
    del argv
    return 0 if self_test() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
