"""Scheduling sessions under the trade's teaching rules: create, repeat, edit or move, cancel.

Each service works inside the caller's transaction (``with db.write() as tx``), so a refused
plan or a conflict leaves nothing half changed.
"""

from core.scheduling.create import check_plan, create_session, repeat_session
from core.scheduling.plan import DayInput, SessionInput
from core.scheduling.rules import TRAVEL_LIMIT_KM, Failure, TeachingRuleBroken

__all__ = [
    "TRAVEL_LIMIT_KM",
    "DayInput",
    "Failure",
    "SessionInput",
    "TeachingRuleBroken",
    "check_plan",
    "create_session",
    "repeat_session",
]
