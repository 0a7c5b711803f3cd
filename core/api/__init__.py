"""The service API: every operation a client may call, by name, with role checks.

Importing this package registers every method module.
"""

from core.api import auth, bookings, catalogue, changes, holds, sessions  # noqa: F401
from core.api.registry import METHODS, Call, dispatch

__all__ = ["METHODS", "Call", "dispatch"]
