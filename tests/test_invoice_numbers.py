"""Invoice numbers stay sequential and unique when several server processes issue them at once."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading

import pytest
from sqlalchemy import select

from core.infra.actor import Actor
from core.infra.clock import today_london
from core.infra.config import load_settings
from core.infra.db import Database, open_database
from core.models.organisations import Invoice
from core.orders import bulk
from core.orders.order_csv import parse_rows
from tests.factories import make_session
from tests.test_organisations import acme, row

WORKERS = 4
ORDERS_EACH = 2


def _order_twice(args: tuple[str, int, int, int, threading.Barrier]) -> list[str]:
    url, org, session_id, n, barrier = args
    os.environ["DATABASE_URL"] = url
    db = open_database(load_settings())
    actor = Actor(label=f"server {n}", role="reception")
    barrier.wait(timeout=60)
    numbers = []
    try:
        for k in range(ORDERS_EACH):
            rows = parse_rows([row(session_id, n * 10 + k)])
            with db.write() as tx:
                order = bulk.start_order(tx, db.settings, org, rows, None, actor)
                _, invoice = bulk.confirm_order(tx, db.settings, order.id, actor)
                numbers.append(invoice.number)
    finally:
        db.dispose()
    return numbers


@pytest.mark.slow
def test_processes_issuing_invoices_at_once_never_share_or_skip_a_number(
    any_db: Database,
) -> None:
    org = acme(any_db)
    sid = make_session(any_db, "efaw")
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(WORKERS)
        with ctx.Pool(WORKERS) as pool:
            args = [(any_db.settings.database_url, org, sid, n, barrier) for n in range(WORKERS)]
            issued = [n for numbers in pool.map(_order_twice, args) for n in numbers]
    year = today_london().year
    expected = [f"INV-{year}-{i:04d}" for i in range(1, WORKERS * ORDERS_EACH + 1)]
    assert sorted(issued) == expected
    with any_db.read() as tx:
        assert sorted(tx.scalars(select(Invoice.number))) == expected
