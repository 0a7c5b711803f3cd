"""The sign-in limits, in one place: the account lock, the per-connection hang-up and the
shortest password. ``core.staff.auth`` enforces them, the server's connections and the desk
read them from here."""

from __future__ import annotations

from datetime import timedelta

MAX_FAILED_LOGINS = 10  # wrong passwords or codes in a row before the account is locked
LOCKOUT = timedelta(minutes=15)  # how long the account then stays locked
FAILED_LOGINS_PER_CONNECTION = 5  # wrong passwords or codes before a server hangs up
MIN_PASSWORD_LENGTH = 10
