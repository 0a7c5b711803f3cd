"""Two lanes of worker threads for handlers: staff calls never queue behind the website's.

A busy public page (hundreds of visitors reading the calendar) fills the public lane; the
desks' calls run in their own, so reception keeps booking at the speed of the database.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from core.infra.actor import Actor
from core.staff.roles import STAFF

T = TypeVar("T")


class Lanes:
    def __init__(self, staff_threads: int, public_threads: int) -> None:
        self.staff = ThreadPoolExecutor(staff_threads, thread_name_prefix="rft-staff")
        self.public = ThreadPoolExecutor(public_threads, thread_name_prefix="rft-public")

    async def run(self, actor: Actor | None, fn: Callable[..., T], *args: object) -> T:
        """Run ``fn(*args)`` in the lane of whoever called: staff, or everyone else."""
        lane = self.staff if actor is not None and actor.role in STAFF else self.public
        return await asyncio.get_running_loop().run_in_executor(lane, functools.partial(fn, *args))

    def close(self) -> None:
        self.staff.shutdown(wait=False, cancel_futures=True)
        self.public.shutdown(wait=False, cancel_futures=True)
