"""Pictures of the trainer's screens for docs and ``rft desk --screenshots``: the session
list, the register online and offline, and page 1 of a certificate.

Builds its own small scenario (a trainer with a session today, upcoming and recent ones,
a register half taken, one mark changed on another device) in a throwaway database.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QThreadPool, QTime
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from core.attendance import merge
from core.attendance.hlc import HybridClock
from core.attendance.offline import DeviceRegister
from core.booking.attendees import AttendeeInput
from core.booking.bookings import record_booking
from core.catalogue import specs as catalogue
from core.certificates import marking
from core.certificates.pdf import pdf_for
from core.demo.sessions import add_session
from core.infra.actor import Actor
from core.infra.clock import now, today_london
from core.infra.config import load_settings
from core.infra.db import Database, migrate, open_database
from core.models import Course, User, Venue
from core.models.attendance import Certificate
from desktop.backend import LocalBackend
from desktop.tools.waiting import wait_until
from desktop.trainer.register_source import RegisterSource
from desktop.trainer.trainer_tab import TrainerTab

PEOPLE = (
    ("Amelia Clarke", "Wheelchair user", "07700 900101"),
    ("Oliver Hussain", None, "07700 900102"),
    ("Isla Sutcliffe", "Dyslexia: extra time", "07700 900103"),
    ("George Patel", None, "07700 900104"),
    ("Ava Holroyd", "Knee injury: floor work adapted", "07700 900105"),
    ("Noah Barker", None, "07700 900106"),
)


def _weekday(days: int) -> Any:
    day = today_london() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1 if days >= 0 else -1)
    return day


def _book(tx: Any, session: Any, count: int) -> list[int]:
    people = [
        AttendeeInput(
            name=name,
            email=f"{name.split()[0].lower()}@example.co.uk",
            date_of_birth=_weekday(0).replace(year=1990),
            special_requirements=needs,
            emergency_phone=phone,
        )
        for name, needs, phone in PEOPLE[:count]
    ]
    booking = record_booking(tx, session, people, Actor("Front Desk", "reception"))
    return [a.id for a in booking.attendees]


def scenario(db: Database) -> tuple[Actor, int]:
    """Sarah's sessions; returns her actor and today's session id."""
    with db.write() as tx:
        catalogue.install(tx, catalogue.default_catalogue())
        sarah = User(
            email="sarah.holt@rft-training.co.uk",
            name="Sarah Holt",
            role="trainer",
            created_at=now(),
        )
        tx.add(sarah)
        tx.flush()
        leeds, york = tx.get_one(Venue, "leeds"), tx.get_one(Venue, "york")
        today = add_session(tx, tx.get_one(Course, "activity"), leeds, _weekday(0), sarah)
        people = _book(tx, today, 6)
        for days, course, venue, count in (
            (3, "faw", york, 4),
            (9, "paediatric", leeds, 5),
            (-6, "efaw", york, 6),
        ):
            session = add_session(tx, tx.get_one(Course, course), venue, _weekday(days), sarah)
            booked = _book(tx, session, count)
            if days < 0:
                recent = (session, booked)
        actor = Actor("Sarah Holt", "trainer", user_id=sarah.id)
        clock = HybridClock()

        def marks(device: str, rows: list[tuple[int, str, str, str | None]]) -> list[Any]:
            return [
                (
                    merge.Mark(
                        f"shot-{uuid.uuid4().hex}", device, clock.tick(), who, 0, field, value, time
                    ),
                    None,
                )
                for who, field, value, time in rows
            ]

        past = recent[1]
        marking.record(
            tx,
            marks(
                "sarah-laptop",
                [
                    *((a, "attendance", "present", None) for a in past),
                    *((a, "outcome", "competent", None) for a in past[:-1]),
                    (past[-1], "outcome", "referred", None),
                    (people[0], "attendance", "present", None),
                    (people[1], "attendance", "present", None),
                    (people[2], "attendance", "present", None),
                    (people[0], "note", "Needs a chair for CPR practice", None),
                ],
            ),
            actor,
        )
        co_trainer = Actor("Dev Mistry", "manager")
        marking.record(
            tx, marks("dev-tablet", [(people[1], "attendance", "late", "09:35")]), co_trainer
        )
        return actor, today.id


def _wait(tab: TrainerTab, action: Callable[[], None]) -> None:
    """Do ``action`` and wait until the tab has shown what it loaded after it."""
    loads: list[None] = []

    def loaded() -> None:
        loads.append(None)

    tab.loaded.connect(loaded)
    action()
    wait_until(lambda: bool(loads))
    tab.loaded.disconnect(loaded)


def _unreachable(method: str, params: dict[str, Any]) -> Any:
    raise ConnectionError("no network in the church hall")


def render_trainer_views(
    out: Path, suffix: str = "", size: tuple[int, int] = (1280, 800)
) -> list[Path]:
    """Write the trainer's screens and a certificate's first page as PNGs into ``out``
    (``suffix`` e.g. ``@2x`` goes before ``.png``)."""
    app = QApplication.instance() or QApplication([])
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings().with_overrides(database_url=f"sqlite:///{tmp}/shots.sqlite3")
        db = open_database(settings)
        migrate(db)
        actor, today_id = scenario(db)
        backend = LocalBackend(db, actor)
        device = DeviceRegister(db, "Sarah's laptop")
        tab = TrainerTab(backend, None, RegisterSource(backend.call, device))
        tab.resize(*size)
        _wait(tab, tab.show)

        def shot(name: str) -> None:
            path = out / f"{name}{suffix}.png"
            tab.grab().save(str(path))
            written.append(path)

        shot("trainer-sessions")
        _wait(tab, lambda: tab.open_session(today_id))
        tab.register.table.selectRow(1)
        shot("trainer-register-online")
        tab.source.call = _unreachable
        table = tab.register.table
        table.selectRow(3)
        _wait(tab, lambda: QTest.keyClick(table, Qt.Key.Key_A))
        table.selectRow(4)
        tab.register.time.setTime(QTime(15, 10))
        _wait(tab, lambda: QTest.keyClick(table, Qt.Key.Key_E))
        shot("trainer-register-offline")
        tab.close()
        backend.close()
        QThreadPool.globalInstance().waitForDone(10_000)
        with db.read() as tx:
            cert = tx.query(Certificate).order_by(Certificate.id).first()
            pdf = pdf_for(tx, cert) if cert else None
        db.dispose()
        if pdf is not None:
            written += certificate_png(pdf, out / f"certificate-page1{suffix}.png")
    del app
    return written


def certificate_png(pdf: bytes, target: Path) -> list[Path]:
    """Page 1 of a certificate as PNG (needs poppler's pdftoppm; skipped without it)."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return []
    source = target.with_suffix(".pdf")
    source.write_bytes(pdf)
    subprocess.run(
        [
            tool,
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(target.with_suffix("")),
        ],
        check=True,
        timeout=60,
    )
    source.unlink()
    return [target]
