"""Adaptive concurrency inside one worker: how many events it has in flight, found by AIMD.

TCP's rule for a link whose capacity nobody states: add one slot after each full round at the current
limit while the engine keeps up (no 429 or 5xx, and event latency within `slack` times the best seen);
halve the limit when it pushes back (a 429 or 5xx from the provider, or the engine paused), at most
once per `cut_every_s` so that one burst of refusals counts once. Latency growing past the slack
without refusals means requests queue inside the engine: one slot less.

`low == high` is a fixed limit (a plain semaphore): what `agent.concurrency` alone gives.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable


class Adaptive:
    def __init__(
        self,
        start: int,
        low: int,
        high: int,
        *,
        slack: float = 2.0,
        cut_every_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 1 <= low <= high:
            raise ValueError(f"concurrency bounds {low}..{high}: need 1 <= low <= high")
        self.low, self.high, self.slack, self.cut_every_s = low, high, slack, cut_every_s
        self.limit = float(min(high, max(low, start)))
        self.inflight = 0
        self.raised = self.cut = 0  # how often, for the heartbeat's stats
        self._clock = clock
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._ewma: float | None = None
        self._best = math.inf
        self._round = 0
        self._last_cut = -math.inf

    @property
    def adaptive(self) -> bool:
        return self.high > self.low

    async def acquire(self) -> None:
        while self.inflight >= int(self.limit):
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake()  # it was woken for a slot it will not take: pass the slot on
                raise
        self.inflight += 1

    def release(self) -> None:
        self.inflight -= 1
        self._wake()

    def observe(self, seconds: float, *, pushback: bool) -> None:
        """One event done in `seconds`; `pushback`: the engine refused or failed meanwhile."""
        if not self.adaptive:
            return
        now = self._clock()
        if pushback:
            if now - self._last_cut >= self.cut_every_s:
                self.limit = max(float(self.low), self.limit / 2)
                self._last_cut, self._round = now, 0
                self.cut += 1
            return
        self._ewma = seconds if self._ewma is None else 0.8 * self._ewma + 0.2 * seconds
        self._best = min(self._best * 1.01, self._ewma)  # forgets slowly: an engine may get slower for good
        self._round += 1
        if self._round < int(self.limit):  # a full round at this limit before judging it
            return
        self._round = 0
        if self._ewma > self._best * self.slack:
            self.limit = max(float(self.low), self.limit - 1)
        elif self.limit < self.high:
            self.limit = min(float(self.high), self.limit + 1)
            self.raised += 1
            self._wake()

    def _wake(self) -> None:
        free = int(self.limit) - self.inflight
        while free > 0 and self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                free -= 1
