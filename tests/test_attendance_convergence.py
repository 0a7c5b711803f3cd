"""The convergence rule, without a database: any delivery order gives the same register."""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.attendance import hlc, merge
from core.attendance.hlc import HybridClock
from core.infra.clock import now
from core.infra.db import Database

DEVICES = ("tablet-a", "laptop-b", "phone-c")
BASE_MS = 1_790_000_000_000

mark_choice = st.one_of(
    st.tuples(st.just("attendance"), st.sampled_from(merge.ATTENDANCE)),
    st.tuples(st.just("outcome"), st.sampled_from(merge.OUTCOMES)),
    st.tuples(st.just("note"), st.text(max_size=12)),
)

step = st.tuples(
    st.integers(0, 2),  # which device acts
    st.integers(0, 3),  # ms its wall clock moves on
    st.integers(1, 3),  # attendee
    st.integers(0, 1),  # day
    mark_choice,
    st.booleans(),  # the device first hears what another device did
)


def _play(
    steps: list[tuple[int, int, int, int, tuple[str, str], bool]], skews: list[int]
) -> list[merge.Mark]:
    """Three devices with skewed wall clocks make marks, sometimes hearing each other first."""
    walls = [BASE_MS + s for s in skews]
    clocks = [HybridClock(wall=functools.partial(walls.__getitem__, i)) for i in range(3)]
    made: list[merge.Mark] = []
    for n, (who, advance, attendee, day, (field, value), hears) in enumerate(steps):
        walls[who] += advance
        if hears and made:
            clocks[who].observe(made[(n * 7) % len(made)].hlc)
        time = "09:30" if value in merge.TIMED else None
        made.append(
            merge.Mark(
                f"op-{n:04d}", DEVICES[who], clocks[who].tick(), attendee, day, field, value, time
            )
        )
    return made


@settings(max_examples=300, deadline=None)
@given(
    steps=st.lists(step, min_size=1, max_size=40),
    skews=st.lists(st.integers(-5_000, 5_000), min_size=3, max_size=3),
    orders=st.lists(st.randoms(use_true_random=False), min_size=3, max_size=3),
    repeats=st.lists(st.integers(0, 39), max_size=10),
)
def test_three_devices_converge_whatever_the_delivery_order(steps, skews, orders, repeats) -> None:
    ops = _play(steps, skews)
    registers = []
    for rng in orders:
        delivery = ops + [ops[i % len(ops)] for i in repeats]  # resent batches
        rng.shuffle(delivery)
        registers.append(merge.converge(delivery))
    assert registers[0] == registers[1] == registers[2] == merge.converge(ops)


@given(
    steps=st.lists(step, min_size=1, max_size=30),
    skews=st.lists(st.integers(-5_000, 5_000), min_size=3, max_size=3),
)
def test_a_mark_made_after_seeing_another_always_wins_over_it(steps, skews) -> None:
    ops = _play(steps, skews)
    clock = HybridClock(wall=lambda: BASE_MS - 60_000)  # a device whose clock is a minute slow
    for op in ops:
        clock.observe(op.hlc)
    later = clock.tick()
    assert all(later > op.hlc for op in ops)


def test_each_device_clock_only_moves_forward() -> None:
    wall = [BASE_MS]
    clock = HybridClock(wall=lambda: wall[0])
    first = clock.tick()
    wall[0] -= 10_000  # the laptop's clock is put back
    second = clock.tick()
    assert second > first and hlc.parse(second).millis == BASE_MS


def test_ties_on_the_clock_go_to_the_greater_device_id() -> None:
    stamp = f"{BASE_MS:013d}-0000"
    a = merge.Mark("op-a", "tablet-a", stamp, 1, 0, "attendance", "present")
    b = merge.Mark("op-b", "laptop-b", stamp, 1, 0, "attendance", "absent")
    assert merge.converge([a, b])[a.cell] == merge.converge([b, a])[a.cell] == a


def test_overridden_lists_the_other_devices_losing_marks() -> None:
    a = merge.Mark("op-a", "tablet-a", f"{BASE_MS:013d}-0000", 1, 0, "attendance", "present")
    b = merge.Mark("op-b", "laptop-b", f"{BASE_MS + 5:013d}-0000", 1, 0, "attendance", "absent")
    winner = merge.converge([a, b])[a.cell]
    assert winner == b and merge.overridden([a, b], winner) == [a]


@pytest.mark.parametrize("bad", ["yesterday", "123-1", f"{BASE_MS:013d}", "0000000000001-0000"])
def test_malformed_clock_readings_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        hlc.parse(bad)


def test_far_future_clock_readings_are_refused() -> None:
    far = hlc.Stamp(BASE_MS + 3_600_000, 0)
    with pytest.raises(ValueError, match="future"):
        hlc.check_not_future(far, hlc.Stamp(BASE_MS, 0).moment, timedelta(minutes=10))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(step, min_size=1, max_size=25),
    skews=st.lists(st.integers(-5_000, 5_000), min_size=3, max_size=3),
    order=st.randoms(use_true_random=False),
    batch=st.integers(1, 6),
)
def test_the_server_applies_any_arrival_order_to_the_same_register(
    sqlite_db: Database, steps, skews, order, batch
) -> None:
    """The server's register equals the pure rule's, however batches arrive and repeat."""
    from core.attendance.register import ops_applied, register_of
    from core.certificates import marking
    from core.infra.actor import Actor
    from tests.attendance_helpers import booked_session

    sid, people = booked_session(sqlite_db, None, people=3, course="faw-requal")
    base = int((now() - timedelta(hours=1)).timestamp() * 1000)
    ops = [
        replace(
            m,
            op_id=f"{sid}-{m.op_id}",
            attendee_id=people[m.attendee_id - 1],
            hlc=str(hlc.Stamp(base + hlc.parse(m.hlc).millis - BASE_MS, hlc.parse(m.hlc).counter)),
        )
        for m in _play(steps, skews)
    ]
    arrivals = ops + ops[: len(ops) // 2]  # some batches are sent twice
    order.shuffle(arrivals)
    office = Actor("Office", "admin")
    for i in range(0, len(arrivals), batch):
        with sqlite_db.write() as tx:
            marking.record(tx, [(m, sid) for m in arrivals[i : i + batch]], office)
    with sqlite_db.read() as tx:
        assert register_of(tx, sid) == merge.converge(ops)
        assert ops_applied(tx, sid) == len(ops)
