"""The one clock: UTC in storage, Europe/London on screen."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


def today_london() -> date:
    return now().astimezone(LONDON).date()


def london(day: date, at: time) -> datetime:
    """A wall-clock time in London on ``day``, as aware UTC (clock changes handled by zoneinfo)."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def to_london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def uk_date(moment: datetime | date) -> str:
    """``Tue 3 Mar 2026`` style date as UK staff read it."""
    if isinstance(moment, datetime):
        moment = to_london(moment).date()
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def uk_datetime(moment: datetime) -> str:
    local = to_london(moment)
    return f"{uk_date(local.date())} {local:%H:%M}"
