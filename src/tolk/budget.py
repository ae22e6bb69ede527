"""Spend caps: per run and per day (UTC), in the currency of the price table (USD).

Checked before each engine request (requests then leave at most `max_concurrency` at a time, so a run
passes its cap by no more than the requests already in flight — not by a whole chunk of them), between
chunks of a run, and before each event in the agent. Segments not sent for the cap are counted with
that reason; the run stops cleanly after committing what it has: nothing half-written, and running the
same command again continues where it stopped — what was translated is skipped, not paid twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tolk.core import TolkError, now
from tolk.store import activity
from tolk.store.repo import Store


class BudgetReached(TolkError):
    exit_code = 3


@dataclass(frozen=True)
class Budget:
    per_run: float | None = None
    per_day: float | None = None

    def check(self, store: Store, run_spent: float) -> None:
        """Raise BudgetReached when a cap is reached (the caller has committed its work)."""
        if self.per_run is not None and run_spent >= self.per_run:
            raise BudgetReached(f"run budget reached: ${run_spent:.4f} of ${self.per_run:.4f}")
        if self.per_day is not None:
            today = spent_today(store)
            if today >= self.per_day:
                raise BudgetReached(
                    f"daily budget reached: ${today:.4f} of ${self.per_day:.4f} (resets at 00:00 UTC)"
                )

    def seconds_to_reset(self) -> float:
        moment = now()
        tomorrow = datetime(moment.year, moment.month, moment.day) + timedelta(days=1)
        return max(1.0, (tomorrow - moment).total_seconds())


def spent_today(store: Store) -> float:
    moment = now()
    midnight = datetime(moment.year, moment.month, moment.day)
    return activity.spent_since(store, midnight)
