"""The service API: every operation a client may call, by name, with role checks.

Importing this package registers every method module.
"""

from core.api import (  # noqa: F401  (imported to register their methods)
    admin,
    attendance,
    auth,
    bookings,
    catalogue,
    changes,
    desk,
    holds,
    organisations,
    payments,
    pricing,
    reports,
    sessions,
    waitlist,
)
from core.api.registry import METHODS, Call, dispatch

__all__ = ["METHODS", "Call", "dispatch"]
