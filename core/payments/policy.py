"""The refund policy: full refund when cancelled far enough ahead, none after, unless a
manager overrides. The threshold is ``RFT_REFUND_FULL_DAYS`` (default 14 days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.infra.config import Settings


@dataclass(frozen=True)
class RefundPolicy:
    full_refund_days: int = 14

    @classmethod
    def from_settings(cls, settings: Settings) -> RefundPolicy:
        return cls(full_refund_days=settings.refund_full_days)

    def refundable(
        self, paid_pence: int, course_start: datetime, at: datetime, *, override: bool = False
    ) -> int:
        """How much of ``paid_pence`` goes back when cancelling at ``at``."""
        if override or course_start - at >= timedelta(days=self.full_refund_days):
            return paid_pence
        return 0

    def explain(self, course_start: datetime, at: datetime) -> str:
        days = (course_start - at).days
        return (
            f"The course starts in {max(days, 0)} day{'s' if days != 1 else ''}; the policy "
            f"gives a full refund only {self.full_refund_days} or more days before. "
            "A manager can override."
        )
