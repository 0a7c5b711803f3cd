"""Alembic environment: runs on the engine handed in by ``core.infra.db.migrate``."""

from __future__ import annotations

from alembic import context

from core.models import Base

MIGRATION_LOCK_KEY = 0x52465402  # beside the change feed's and the schedule's (0x52465400, 01)
config = context.config
engine = config.attributes.get("engine")
if engine is None:
    raise RuntimeError("Run migrations through `rft db upgrade`, which supplies the engine.")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Processes starting together take turns: each after the first finds the schema
            # already at its heads (SQLite's upgrade is one writer's transaction anyway).
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        context.run_migrations()
