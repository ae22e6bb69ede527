"""`tolk agent run --autoscale MIN:MAX`: workers on one host, added and stopped as the queues ask.

Every `every_s` the supervisor reads three things — the events waiting in the served queues (the
bus's depth), the error rate (retries and dead letters over the events its workers settled since the
last look, from their heartbeats) and the slowest worker's p95 event time — and `decide` turns them
into a number of workers:

- enough workers for the backlog (`backlog_per_worker` waiting events each), one more when events take
  longer than `max_latency_s` while some wait; between MIN and MAX;
- none added while the error rate is above `max_error_rate` (more workers would only hammer an engine
  that is failing), nor within `up_cooldown_s` of the last change;
- one stopped at a time, once fewer are needed and have been for `down_cooldown_s` (a burst's tail
  does not make it flap).

Workers are `tolk agent run` processes of the same configuration; a stopped one gets SIGTERM and
finishes what it holds, as any worker does; one that dies is replaced at the next look. This is the
one-host scaler; on Kubernetes KEDA scales the Deployment on the same queue depth (deploy/k8s/).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from tolk.agent import topology
from tolk.bus import open_bus
from tolk.bus.base import Bus
from tolk.config import Settings
from tolk.config.operations import AutoscaleSettings
from tolk.store import ledger
from tolk.store.repo import Store

log = logging.getLogger(__name__)
STOP_GRACE_S = 60.0  # a stopped worker's in-flight events get this long (its own grace is 30 s)
FAILED = ("retry", "dead", "pause")  # outcomes that count as errors


@dataclass(frozen=True, slots=True)
class Reading:
    backlog: int  # events waiting in the queues
    error_rate: float  # over the events settled since the last look; 0 when none were
    p95_s: float | None  # the slowest worker's recent p95 event time


@dataclass(frozen=True, slots=True)
class Decision:
    workers: int
    why: str


def decide(
    policy: AutoscaleSettings, current: int, reading: Reading, since_change_s: float, calm_s: float
) -> Decision:
    """How many workers, now (see the module's docstring). `since_change_s`: since the count last
    changed; `calm_s`: how long fewer workers than `current` have sufficed."""
    wanted = math.ceil(reading.backlog / policy.backlog_per_worker)
    slow = (
        policy.max_latency_s is not None
        and reading.p95_s is not None
        and reading.p95_s > policy.max_latency_s
    )
    if slow and reading.backlog > 0:
        wanted = max(wanted, current + 1)
    wanted = min(policy.max, max(policy.min, wanted))
    if wanted > current:
        if reading.error_rate > policy.max_error_rate:
            return Decision(
                current, f"error rate {reading.error_rate:.0%} above {policy.max_error_rate:.0%}: none added"
            )
        if since_change_s < policy.up_cooldown_s:
            return Decision(current, "cooling down")
        reason = f"p95 {reading.p95_s:.2f} s" if slow else f"{reading.backlog} waiting"
        return Decision(wanted, reason)
    if wanted < current and calm_s >= policy.down_cooldown_s and since_change_s >= policy.down_cooldown_s:
        return Decision(current - 1, f"{reading.backlog} waiting for {calm_s:.0f} s")
    return Decision(current, "steady")


@dataclass
class _Seen:
    totals: dict[str, tuple[int, int]] = field(default_factory=dict)  # worker id → (settled, failed)


class Supervisor:
    def __init__(
        self,
        settings: Settings,
        bus_url: str,
        queues: Sequence[str],
        policy: AutoscaleSettings,
        command: Sequence[str],
    ) -> None:
        self.settings, self.bus_url, self.queues, self.policy = settings, bus_url, list(queues), policy
        self.command = list(command)  # one worker: `python -m tolk agent run …` without --autoscale
        self.children: list[subprocess.Popen[bytes]] = []
        self._stopping: list[subprocess.Popen[bytes]] = []  # sent SIGTERM, finishing what they hold

    async def run(self, stop: asyncio.Event) -> None:
        store = Store(self.settings.store, vault=self.settings.encryption.vault())
        bus = open_bus(self.bus_url, namespace=self.settings.agent.namespace)
        seen, changed, calm_since = _Seen(), time.monotonic(), None
        try:
            # the queues' arguments as the workers make them: depth needs the queues before any worker
            bus.max_deliveries = self.settings.agent.max_deliveries
            for queue in self.queues:
                await bus.declare(queue, topology.of(self.settings).patterns)
            self._scale_to(self.policy.min, "start")
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.policy.every_s)
                if stop.is_set():
                    break
                self._reap()
                reading = await self._read(bus, store, seen)
                if reading is None:
                    continue
                current, now = len(self.children), time.monotonic()
                fewer = min(
                    self.policy.max,
                    max(self.policy.min, math.ceil(reading.backlog / self.policy.backlog_per_worker)),
                )
                calm_since = (calm_since or now) if fewer < current else None
                decision = decide(
                    self.policy, current, reading, now - changed, now - calm_since if calm_since else 0.0
                )
                if decision.workers != current:
                    self._scale_to(decision.workers, decision.why)
                    changed, calm_since = time.monotonic(), None
        finally:
            self._scale_to(0, "stopping")
            await asyncio.to_thread(self._wait_all)
            with contextlib.suppress(Exception):
                await bus.close()
            store.close()

    async def _read(self, bus: Bus, store: Store, seen: _Seen) -> Reading | None:
        try:
            backlog = sum([await bus.depth(q) for q in self.queues])
            rows = await asyncio.to_thread(ledger.workers, store)
        except Exception as exc:  # the broker or database is away: look again later
            log.warning("autoscale: cannot read the queues (%s)", exc)
            return None
        mine = {c.pid for c in self.children}
        host = socket.gethostname()
        settled = failed = 0
        p95: float | None = None
        for w in rows:
            if w.pid not in mine or w.host != host or w.state == "stopped":
                continue
            stats = w.stats or {}
            total = sum(int(v) for k, v in stats.items() if k in ("ack", *FAILED))
            bad = sum(int(stats.get(k, 0)) for k in FAILED)
            before = seen.totals.get(w.id, (0, 0))
            settled, failed = settled + total - before[0], failed + bad - before[1]
            seen.totals[w.id] = (total, bad)
            if isinstance(stats.get("p95_s"), int | float):
                p95 = max(p95 or 0.0, float(stats["p95_s"]))
        return Reading(backlog, failed / settled if settled > 0 else 0.0, p95)

    def _scale_to(self, n: int, why: str) -> None:
        while len(self.children) < n:
            self.children.append(subprocess.Popen(self.command, start_new_session=True))
        while len(self.children) > n:
            child = self.children.pop()  # the newest first: the oldest keeps its warm caches
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGTERM)
            self._stopping.append(child)
        log.warning("autoscale: %d worker(s) (%s)", n, why)

    def _reap(self) -> None:
        """Workers that died on their own: gone from the count, replaced by the next decision."""
        for child in [c for c in self.children if c.poll() is not None]:
            log.warning("autoscale: worker pid %d exited with %s", child.pid, child.returncode)
            self.children.remove(child)
        self._stopping = [c for c in self._stopping if c.poll() is None]

    def _wait_all(self) -> None:
        deadline = time.monotonic() + STOP_GRACE_S
        for child in self._stopping:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
