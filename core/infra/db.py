"""Opening the database: engines, units of work, bounded lock waits and migrations.

SQLite (embedded default) runs in WAL mode with ``secure_delete`` and takes its write lock
up front (``BEGIN IMMEDIATE``); PostgreSQL uses row locks, each connection with a
``lock_timeout``.
Either way a wait longer than ``Settings.lock_timeout_s`` ends in ``LockTimeout``.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import Session

from core.infra import crypto
from core.infra.config import Settings, load_settings
from core.infra.errors import ConfigError, LockTimeout

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
IDLE_BEFORE_PING_S = 2.0
COMMITTED = "rft_committed_changes"  # a write's feed messages, set as it commits
ChangeListener = Callable[[list[dict[str, Any]]], None]


def _sqlite_engine(settings: Settings) -> Engine:
    path = settings.database_url.removeprefix("sqlite:///")
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.database_url, connect_args={"timeout": settings.lock_timeout_s})
    busy_ms = int(settings.lock_timeout_s * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA secure_delete=ON")  # deleted and replaced data is overwritten
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("rft_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _postgres_engine(settings: Settings) -> Engine:
    """Every connection waits at most ``lock_timeout_s`` for a lock (set once per connection,
    not per transaction). A connection that sat in the pool for more than
    ``IDLE_BEFORE_PING_S`` is pinged before use and replaced if the server has gone; one in
    constant use (the busy server's) is not pinged before every unit of work."""
    ms = int(settings.lock_timeout_s * 1000)
    engine = create_engine(
        settings.database_url,
        pool_size=10,
        max_overflow=10,
        connect_args={"options": f"-c lock_timeout={ms}"},
    )

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_from"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_from = record.info.get("idle_from")
        if idle_from is None or time.monotonic() - idle_from <= IDLE_BEFORE_PING_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(str(exc)) from exc  # the pool connects afresh

    return engine


def _is_lock_timeout(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return (
        "database is locked" in text
        or "lock timeout" in text
        or "canceling statement due to lock" in text
    )


SETTINGS = "rft_settings"


def settings_of(tx: Session) -> Settings:
    """The settings of the database a unit of work belongs to (for rules deep in a
    transaction that need one, such as the booking page's address in an emailed link)."""
    found = tx.info.get(SETTINGS)
    return found if isinstance(found, Settings) else Settings()


class Database:
    """An open database: units of work for reads and writes, and change notifications."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self._writer = engine.execution_options(rft_write=True)
        self._reader = (  # one snapshot for the whole read, as SQLite's read transaction has
            engine.execution_options(isolation_level="REPEATABLE READ")
            if self.dialect == "postgresql"
            else engine
        )
        self._glancer = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if self.dialect == "postgresql"
            else engine
        )
        self._listeners: list[ChangeListener] = []
        self._backends: set[int] = set()  # PostgreSQL server processes of our connections
        if self.dialect == "postgresql":
            event.listen(engine, "connect", self._connected)
            event.listen(engine, "close", self._closed)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _connected(self, dbapi_conn: Any, record: Any) -> None:
        record.info["backend_pid"] = dbapi_conn.info.backend_pid
        self._backends.add(record.info["backend_pid"])

    def _closed(self, _dbapi_conn: Any, record: Any) -> None:
        self._backends.discard(record.info.get("backend_pid", 0))

    def is_own_backend(self, pid: int) -> bool:
        """Whether PostgreSQL server process ``pid`` serves one of this process's
        connections (a NOTIFY from it reports a write made here)."""
        return pid in self._backends

    def on_change(self, listener: ChangeListener) -> None:
        """Call ``listener(committed)`` after each write that appended to the feed, with the
        feed messages it committed (``core.journal.changes.as_message``), oldest first."""
        self._listeners.append(listener)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A unit of work whose statements all see the database as it was at the first one
        (on PostgreSQL, REPEATABLE READ: under READ COMMITTED a booking committing between
        two statements would leave its seats counted neither held nor booked)."""
        with Session(self._reader, expire_on_commit=False) as session, session.begin():
            session.info[SETTINGS] = self.settings
            yield session

    @contextmanager
    def glance(self) -> Iterator[Session]:
        """A read whose statements each see what is committed when they run, with no
        transaction around them: on PostgreSQL no ``BEGIN`` or ``COMMIT`` round trip, so
        a one-query read (the month view, the change feed) costs one round trip. Use
        ``read`` when several statements must agree."""
        with Session(self._glancer, expire_on_commit=False) as session:
            session.info[SETTINGS] = self.settings
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One atomic unit of work; lock waits are bounded by the configured timeout."""
        try:
            with Session(self._writer, expire_on_commit=False) as session:
                session.info[SETTINGS] = self.settings
                with session.begin():
                    yield session
                committed = session.info.get(COMMITTED)  # numbered as it committed
        except OperationalError as exc:
            if _is_lock_timeout(exc):
                raise LockTimeout(
                    "The booking system is busy; please try again in a moment.",
                    waited_s=self.settings.lock_timeout_s,
                ) from None
            raise
        if committed:
            for listener in list(self._listeners):
                listener(committed)

    def scrub(self) -> bool:
        """After an erasure: on SQLite, copy the write-ahead log into the database file and
        empty it, so no earlier version of a row is left in the log (``secure_delete`` has
        already overwritten the freed space). False if a reader kept part of the log."""
        if self.dialect != "sqlite":
            return True
        with self.engine.connect() as conn:
            busy, _pages, _done = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        return not busy

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(
    settings: Settings | None = None, *, env: dict[str, str] | None = None
) -> Database:
    """Load the data key, create the engine; does not migrate (see ``migrate``)."""
    settings = settings or load_settings(env)
    crypto.install(crypto.FieldCipher(crypto.load_data_key(settings, env)))
    if settings.embedded:
        engine = _sqlite_engine(settings)
    elif settings.database_url.startswith("postgresql"):
        engine = _postgres_engine(settings)
    else:
        raise ConfigError("DATABASE_URL must be an sqlite:/// or postgresql+psycopg:// URL.")
    return Database(settings, engine)


def alembic_config(db: Database) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = db.engine
    return config


def migrate(db: Database) -> None:
    """Bring the schema to the newest revision (``heads``: safe while a branch is open)."""
    from alembic import command

    command.upgrade(alembic_config(db), "heads")
