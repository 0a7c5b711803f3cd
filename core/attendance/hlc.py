"""Hybrid logical clocks: timestamps that follow the wall clock yet never run backwards.

An HLC reads ``"<13-digit milliseconds since the epoch>-<4-digit counter>"``, so comparing the
strings compares the clocks. A device ticks its clock for every mark it makes and observes
every clock it receives, so a mark made after seeing another always sorts after it even
when the two devices' wall clocks disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.infra.clock import now

HLC_PATTERN = re.compile(r"^(\d{13})-(\d{4})$")
EARLIEST = datetime(2020, 1, 1, tzinfo=UTC)
MAX_COUNTER = 9999
ZERO = "0000000000000-0000"


@dataclass(frozen=True, order=True)
class Stamp:
    """One HLC reading: wall milliseconds, then a counter for events in the same millisecond."""

    millis: int
    counter: int

    def __str__(self) -> str:
        return f"{self.millis:013d}-{self.counter:04d}"

    @property
    def moment(self) -> datetime:
        return datetime.fromtimestamp(self.millis / 1000, tz=UTC)


def parse(text: str) -> Stamp:
    """Read an HLC string; ``ValueError`` with a plain message when it is malformed."""
    match = HLC_PATTERN.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"timestamp {text!r} is not a hybrid logical clock reading")
    stamp = Stamp(int(match[1]), int(match[2]))
    if stamp.moment < EARLIEST:
        raise ValueError(f"timestamp {text!r} is before 2020")
    return stamp


def check_not_future(stamp: Stamp, at: datetime, skew: timedelta) -> None:
    """Refuse a reading further ahead of ``at`` than a device's clock may plausibly drift."""
    if stamp.moment > at + skew:
        raise ValueError(f"timestamp {stamp} is in the future ({stamp.moment:%Y-%m-%d %H:%M} UTC)")


def wall_millis() -> int:
    return int(now().timestamp() * 1000)


class HybridClock:
    """A device's clock: ``tick()`` for a local event, ``observe()`` for a received reading."""

    def __init__(self, last: str = ZERO, wall: Callable[[], int] = wall_millis) -> None:
        self._last = Stamp(0, 0) if last == ZERO else parse(last)
        self._wall = wall

    @property
    def last(self) -> str:
        return str(self._last)

    def tick(self) -> str:
        wall = self._wall()
        if wall > self._last.millis:
            self._last = Stamp(wall, 0)
        else:
            self._last = self._bump(self._last.millis, self._last.counter)
        return str(self._last)

    def observe(self, reading: str) -> None:
        """Move past a reading seen from elsewhere (another device or the server)."""
        if reading == ZERO:
            return
        seen = parse(reading)
        wall = self._wall()
        top = max(wall, self._last.millis, seen.millis)
        if top == self._last.millis == seen.millis:
            self._last = self._bump(top, max(self._last.counter, seen.counter))
        elif top == self._last.millis:
            self._last = self._bump(top, self._last.counter)
        elif top == seen.millis:
            self._last = self._bump(top, seen.counter)
        else:
            self._last = Stamp(top, 0)

    @staticmethod
    def _bump(millis: int, counter: int) -> Stamp:
        return Stamp(millis + 1, 0) if counter >= MAX_COUNTER else Stamp(millis, counter + 1)
