"""Who is doing something: a staff member, the website, or the command line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The caller of a core service. ``role`` is None for the website's public scope."""

    label: str
    role: str | None
    channel: str = "desk"
    user_id: int | None = None
    visitor: bool = False  # an anonymous member of the public on the booking page

    @property
    def is_staff(self) -> bool:
        return self.role is not None


CLI = Actor(label="command line", role="admin", channel="cli")
