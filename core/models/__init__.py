"""All ORM models; importing this package registers every table on ``Base.metadata``."""

from core.models import admin as admin  # trainers, audit log, overrides (issue 9)
from core.models import attendance as attendance  # registers the attendance tables
from core.models import organisations as organisations  # employers and invoices (issue 18)
from core.models.auth import ApiKey, RefreshToken  # noqa: F401
from core.models.base import Base
from core.models.bookings import Attendee, Booking, Payment, ReferenceCounter, SeatHold
from core.models.catalogue import Course, Venue
from core.models.changes import Change
from core.models.payments import OutboxMessage, PaymentState, StripeEvent
from core.models.sessions import MAX_CAPACITY, CourseSession, SessionDay
from core.models.statuses import BookingStatus, SessionStatus
from core.models.users import User
from core.models.waitlist import WaitlistEntry

__all__ = [
    "MAX_CAPACITY",
    "Attendee",
    "Base",
    "Booking",
    "BookingStatus",
    "Change",
    "Course",
    "CourseSession",
    "OutboxMessage",
    "Payment",
    "PaymentState",
    "ReferenceCounter",
    "SeatHold",
    "SessionDay",
    "SessionStatus",
    "StripeEvent",
    "User",
    "WaitlistEntry",
    "Venue",
]
