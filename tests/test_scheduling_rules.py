"""Each teaching rule refuses a plan in plain English, and an admin (only) may override it with
a written reason, which is recorded against the session and in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.infra.db import Database
from core.infra.errors import Forbidden
from core.models import CourseSession
from core.models.admin import AuditEntry, RuleOverride
from core.scheduling import SessionInput, TeachingRuleBroken, create_session
from core.staff import trainers
from tests.admin_factories import ADMIN, MANAGER, add_trainer, at, day_input, weekday_ahead
from tests.factories import make_session

TINA = "tina@rft.test"
DAY = weekday_ahead(21, weekday=1)
Setup = Callable[[Database], SessionInput]


def efaw_at_leeds(**extra: object) -> SessionInput:
    fields: dict[str, object] = {
        "course": "efaw",
        "venue": "leeds",
        "room": "Aire Room",
        "trainers": [TINA],
        "days": [day_input(DAY)],
    }
    return SessionInput.model_validate(fields | extra)


def trainer_busy_elsewhere(db: Database) -> SessionInput:
    add_trainer(db)
    with db.write() as tx:
        create_session(tx, ADMIN, efaw_at_leeds(venue="york", room="Ouse Room"))
    return efaw_at_leeds()


def trainer_at_far_venue_same_day(db: Database) -> SessionInput:
    add_trainer(db, courses=("efaw", "cpr-aed"))
    make_session(db, course="cpr-aed", venue="hull", first_day=DAY, trainer_email=TINA)
    return efaw_at_leeds(days=[day_input(DAY, 13, 20)])


def room_taken(db: Database) -> SessionInput:
    make_session(db, course="efaw", venue="leeds", first_day=DAY)
    return efaw_at_leeds(trainers=[])


def trainer_not_approved(db: Database) -> SessionInput:
    add_trainer(db, courses=("efaw",))
    with db.write() as tx:
        trainers.add_qualification(
            tx, ADMIN, TINA, "Oxygen instructor", ["oxygen"], DAY + timedelta(days=400)
        )
    return efaw_at_leeds(course="oxygen", days=[day_input(DAY, 9, 12)])


def qualification_expires_first(db: Database) -> SessionInput:
    add_trainer(db, qualified_until=DAY - timedelta(days=1))
    return efaw_at_leeds()


def trainer_on_holiday(db: Database) -> SessionInput:
    add_trainer(db)
    with db.write() as tx:
        trainers.add_unavailable(tx, ADMIN, TINA, DAY, reason="holiday")
    return efaw_at_leeds()


def faw_in_two_long_days(db: Database) -> SessionInput:
    add_trainer(db)
    return efaw_at_leeds(
        course="faw", days=[day_input(DAY, 8, 18), day_input(DAY + timedelta(days=1), 8, 18)]
    )


def efaw_in_five_hours(db: Database) -> SessionInput:
    add_trainer(db)
    return efaw_at_leeds(days=[day_input(DAY, 9, 14)])


def requal_with_a_short_block(db: Database) -> SessionInput:
    add_trainer(db)
    return efaw_at_leeds(
        course="faw-requal",
        days=[
            day_input(DAY, 9, 17),
            day_input(DAY + timedelta(days=1), 9, 15, break_minutes=0),
            day_input(DAY + timedelta(days=2), 9, 10),
        ],
    )


def faw_over_eleven_weeks(db: Database) -> SessionInput:
    add_trainer(db)
    return efaw_at_leeds(
        course="faw",
        days=[day_input(DAY + timedelta(weeks=w)) for w in (0, 1, 11)],
    )


RULE_CASES: list[tuple[str, Setup, str]] = [
    ("trainer_free", trainer_busy_elsewhere, "Tina Trainer is already teaching"),
    ("travel_distance", trainer_at_far_venue_same_day, "too far for one day"),
    ("room_free", room_taken, "The Aire Room at Leeds is already booked"),
    ("trainer_approved", trainer_not_approved, "is not approved to teach Oxygen"),
    ("qualification_valid", qualification_expires_first, "before the last course day"),
    ("trainer_available", trainer_on_holiday, "is unavailable on"),
    ("enough_days", faw_in_two_long_days, "taught over at least 3 days"),
    ("contact_hours", efaw_in_five_hours, "needs at least 6 hours of teaching"),
    ("teaching_blocks", requal_with_a_short_block, "no teaching block may be shorter"),
    ("completion_span", faw_over_eleven_weeks, "must be completed within 10 weeks"),
]


def _sessions(db: Database) -> int:
    with db.read() as tx:
        return int(tx.scalar(select(func.count()).select_from(CourseSession)) or 0)


@pytest.mark.parametrize(("rule", "setup", "words"), RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_a_broken_rule_is_refused_in_plain_english(
    sqlite_db: Database, rule: str, setup: Setup, words: str
) -> None:
    plan = setup(sqlite_db)
    before = _sessions(sqlite_db)
    with pytest.raises(TeachingRuleBroken) as caught, sqlite_db.write() as tx:
        create_session(tx, ADMIN, plan)
    assert [f["rule"] for f in caught.value.data["failures"]] == [rule]
    assert words in caught.value.message
    assert "An admin may override this with a written reason." in caught.value.message
    assert "\n" not in caught.value.message
    assert _sessions(sqlite_db) == before


@pytest.mark.parametrize(("rule", "setup", "words"), RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_an_admin_may_override_a_rule_with_a_reason_which_is_recorded(
    sqlite_db: Database, rule: str, setup: Setup, words: str
) -> None:
    plan = setup(sqlite_db)
    reason = "Agreed with the client; second trainer covering"
    with sqlite_db.write() as tx:
        session_id = create_session(tx, ADMIN, plan, override=reason).id
    with sqlite_db.read() as tx:
        overrides = list(
            tx.scalars(select(RuleOverride).where(RuleOverride.session_id == session_id))
        )
        logged = tx.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "session.override", AuditEntry.entity_id == str(session_id)
            )
        )
    assert [(o.rule, o.reason, o.actor) for o in overrides] == [(rule, reason, "Office Admin")]
    assert words in overrides[0].failure
    assert logged is not None and logged.reason == reason


@pytest.mark.parametrize(
    ("rule", "setup", "words"), RULE_CASES[:3], ids=[c[0] for c in RULE_CASES[:3]]
)
def test_a_manager_may_not_override(
    sqlite_db: Database, rule: str, setup: Setup, words: str
) -> None:
    plan = setup(sqlite_db)
    before = _sessions(sqlite_db)
    with pytest.raises(Forbidden, match="Only an admin may override"), sqlite_db.write() as tx:
        create_session(tx, MANAGER, plan, override="I am sure it is fine")
    assert _sessions(sqlite_db) == before


def test_a_manager_schedules_when_every_rule_is_kept(sqlite_db: Database) -> None:
    add_trainer(sqlite_db)
    with sqlite_db.write() as tx:
        session = create_session(tx, MANAGER, efaw_at_leeds())
        assert (session.trainer.email, session.room, session.capacity) == (TINA, "Aire Room", 12)


@pytest.mark.parametrize("override", [None, "The room really is bigger"])
def test_capacity_over_twelve_is_refused_even_with_an_override(
    sqlite_db: Database, override: str | None
) -> None:
    add_trainer(sqlite_db)
    with (
        pytest.raises(TeachingRuleBroken, match="at most 12 attendees") as caught,
        sqlite_db.write() as tx,
    ):
        create_session(tx, ADMIN, efaw_at_leeds(capacity=13), override=override)
    assert "override" not in caught.value.message
    assert _sessions(sqlite_db) == 0


def test_an_override_needs_a_written_reason(sqlite_db: Database) -> None:
    plan = room_taken(sqlite_db)
    with pytest.raises(TeachingRuleBroken), sqlite_db.write() as tx:
        create_session(tx, ADMIN, plan, override="   ")
    assert _sessions(sqlite_db) == 1


def test_faw_days_spread_within_ten_weeks_are_fine(sqlite_db: Database) -> None:
    add_trainer(sqlite_db)
    plan = efaw_at_leeds(
        course="faw", days=[day_input(DAY + timedelta(weeks=w)) for w in (0, 4, 9)]
    )
    with sqlite_db.write() as tx:
        session = create_session(tx, ADMIN, plan)
        assert len(session.days) == 3


def test_sessions_start_at_the_given_london_time_across_the_clock_change(
    sqlite_db: Database,
) -> None:
    add_trainer(sqlite_db)
    with sqlite_db.write() as tx:
        session = create_session(
            tx, ADMIN, efaw_at_leeds(days=None, start=at(DAY, 9, 30).replace(tzinfo=None))
        )
        local = session.start_at.astimezone(at(DAY, 0).tzinfo)
        assert (local.hour, local.minute) == (9, 30)
