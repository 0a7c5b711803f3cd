"""Staff roles and the groups of them that screens and service methods are open to.

Plain data with no imports, so the desk can lay out its window before loading anything else.
"""

ROLES = ("admin", "manager", "reception", "trainer")
STAFF = frozenset(ROLES)
OFFICE = frozenset({"admin", "manager"})  # managers and administrators
DESK = frozenset({"admin", "manager", "reception"})  # who takes bookings
ADMIN = frozenset({"admin"})
TRAINER = frozenset({"trainer"})
