"""`tolk agent run`: one worker process consuming the per-language queues.

A worker runs, in one event loop: a consumer per language queue (sharing `concurrency` slots), the
outbox relay, and a heartbeat that also picks up `tolk agent restart`. It settles every message after
the database commit (ack, delayed retry or dead letter). When the engine is unavailable it pauses
consumption instead of failing messages; when the broker or database goes away it backs off and
reconnects. SIGTERM stops fetching, lets in-flight events finish (or returns them after a grace
period) and flushes the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from tolk import assemble
from tolk.agent import registry as registry_mod
from tolk.agent.dedupe import Dedupe
from tolk.agent.limits import Adaptive
from tolk.agent.translator import Outcome, Translator
from tolk.budget import Budget
from tolk.bus import open_bus
from tolk.bus.base import Bus, Delivery
from tolk.bus.outbox import relay_once
from tolk.bus.webhooks import Webhooks
from tolk.config import Settings
from tolk.core import TolkError, now
from tolk.pipeline import Pipeline
from tolk.store import ledger
from tolk.store.repo import Store
from tolk.telemetry import Telemetry

log = logging.getLogger(__name__)
RECONNECT_MAX_S = 30.0
PRUNE_EVERY_S = 60.0  # the relay deletes events published longer ago than [events] keep_sent_days
GRACE_S = 30.0  # in-flight events get this long to finish on shutdown


@dataclass
class Options:
    bus_url: str
    languages: list[str]
    concurrency: int
    concurrency_max: int | None = None  # set: adaptive between 1 and this (tolk.agent.limits)
    fetch_wait_s: float = 1.0
    relay_poll_s: float = 0.5
    drain: bool = False  # stop once the queues are empty, nothing is in flight or parked, the outbox sent
    quiet_s: float = 2.0  # … and has stayed so this long
    # more work for the worker's lifetime, given the settings, the store and the event that says leave
    # (the CLI adds the scheduled reports: operations sit above the agent, which does not import them)
    chores: Sequence[Callable[[Settings, Store, asyncio.Event], Coroutine[Any, Any, None]]] = ()


@dataclass
class _State:
    stats: Counter[str] = field(default_factory=Counter)
    paused_until: float = 0.0
    restart: bool = False
    inflight: set[asyncio.Task[None]] = field(default_factory=set)
    due: float = 0.0  # monotonic time the last retry this worker asked for comes due
    told: set[str] = field(default_factory=set)  # events whose unexpected error was logged with a traceback
    seconds: deque[float] = field(default_factory=lambda: deque(maxlen=512))  # recent events' durations


class Worker:
    def __init__(self, load_settings: Callable[[], Settings], options: Options) -> None:
        self.load_settings, self.options = load_settings, options
        self.id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.telemetry = Telemetry()  # one per process, across restarts

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`; a restart an operator asked for re-reads the settings and starts over."""
        while not stop.is_set():
            state = await self._life(stop)
            if not state.restart:
                return
            log.warning("worker %s restarting on request", self.id)

    async def _life(self, stop: asyncio.Event) -> _State:
        s = self.load_settings()
        store = Store(s.store, vault=s.encryption.vault())
        spec_registry = registry_mod.load(s.agent.registry, s.agent.name)
        kit = assemble.kit(
            s,
            store,
            engine=s.agent.engine,
            profile=s.agent.profile,
            glossary=Path(s.agent.glossary) if s.agent.glossary else None,
        )
        self.telemetry.attach(*kit.engines())
        job = kit.job(
            s,
            fields=s.agent.fields,
            origin="agent",
            telemetry=self.telemetry,
            budget=Budget(None, s.budget.per_day),
        )
        pipeline = Pipeline(job)
        dedupe = (
            Dedupe(s.agent.dedupe, ttl_s=s.agent.dedupe_ttl_s, namespace=s.agent.namespace)
            if s.agent.dedupe
            else None
        )
        translator = Translator(
            spec_registry.get(s.agent.name),
            spec_registry.dependencies(s.agent.name),
            pipeline,
            s.agent,
            dedupe,
            served=s.agent.languages or s.targets or self.options.languages,
        )
        start, top = self.options.concurrency, self.options.concurrency_max or self.options.concurrency
        slots = Adaptive(start, 1 if top > start else start, top)
        bus = open_bus(self.options.bus_url, namespace=s.agent.namespace)
        bus.max_deliveries, bus.prefetch = s.agent.max_deliveries, top
        pushback = functools.partial(_pushback, kit)
        state, leave = _State(), asyncio.Event()
        queues = [translator.queue(lang) for lang in self.options.languages]
        hooks = Webhooks(s.webhooks) if s.webhooks else None
        try:
            await self._declare(bus, translator, stop)
            ledger.register(store, self.id, s.agent.name, socket.gethostname(), os.getpid(), queues)
            consumers = [
                asyncio.create_task(self._consume(bus, translator, lang, slots, state, leave, s, pushback))
                for lang in self.options.languages
            ]
            chores = [
                asyncio.create_task(self._relay(store, bus, leave, s.events.keep_sent_days * 86400)),
                asyncio.create_task(self._heartbeat(store, state, slots, leave, s.agent.heartbeat_s)),
                *(asyncio.create_task(chore(s, store, leave)) for chore in self.options.chores),
            ]
            if hooks is not None:  # subscribers without a broker get the same events
                chores.append(asyncio.create_task(hooks.run(store, leave)))
            if self.options.drain:
                chores.append(asyncio.create_task(self._until_drained(store, bus, queues, state, leave)))
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait([stopper, asyncio.create_task(leave.wait())], return_when="FIRST_COMPLETED")
            stopper.cancel()
            leave.set()
            await asyncio.gather(*consumers, return_exceptions=True)  # no new fetches from here on
            await self._drain(state)
            await asyncio.gather(*chores, return_exceptions=True)
            with contextlib.suppress(Exception):
                await relay_once(store, bus, batch=10_000)  # what the last events produced
            if hooks is not None:
                with contextlib.suppress(Exception):
                    await hooks.once(store)  # and to the subscribers; what fails waits for a next runner
            with contextlib.suppress(Exception):
                ledger.heartbeat(store, self.id, "stopped", dict(state.stats))
        finally:
            with contextlib.suppress(Exception):
                await bus.close()
            if hooks is not None:
                await hooks.aclose()
            await kit.aclose()
            if dedupe:
                await dedupe.close()
            store.close()
        return state

    async def _declare(self, bus: Bus, translator: Translator, stop: asyncio.Event) -> None:
        delay = 0.5
        while True:
            try:
                for lang in self.options.languages:
                    await bus.declare(translator.queue(lang), translator.patterns())
                return
            except TolkError:  # a configuration problem: retrying will not help
                raise
            except Exception as exc:  # broker not up yet
                if stop.is_set():
                    raise
                log.warning("bus not reachable (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(RECONNECT_MAX_S, delay * 2)

    async def _consume(
        self,
        bus: Bus,
        translator: Translator,
        lang: str,
        slots: Adaptive,
        state: _State,
        leave: asyncio.Event,
        s: Settings,
        pushback: Callable[[], int],
    ) -> None:
        queue, backoff = translator.queue(lang), 0.5
        while not leave.is_set():
            if (wait := state.paused_until - time.monotonic()) > 0:  # the engine is out: do not fetch
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(leave.wait(), wait)
                continue
            await slots.acquire()
            try:
                got = await bus.fetch(
                    queue, limit=1, visibility_s=s.agent.visibility_s, wait_s=self.options.fetch_wait_s
                )
                backoff = 0.5
            except Exception as exc:  # broker gone: back off, the client reconnects
                slots.release()
                log.warning("fetch from %s failed (%s); retrying in %.1f s", queue, exc, backoff)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(leave.wait(), backoff)
                backoff = min(RECONNECT_MAX_S, backoff * 2)
                continue
            if not got:
                slots.release()
                continue
            work = self._one(bus, translator, got[0], lang, state, s, slots, pushback)
            task = asyncio.create_task(work)
            state.inflight.add(task)
            task.add_done_callback(functools.partial(_finished, state, slots))

    async def _one(
        self,
        bus: Bus,
        translator: Translator,
        delivery: Delivery,
        lang: str,
        state: _State,
        s: Settings,
        slots: Adaptive,
        pushback: Callable[[], int],
    ) -> None:
        started, refused = time.perf_counter(), pushback()
        try:
            outcome = await translator.handle(delivery, lang)
        except asyncio.CancelledError:  # shutdown grace ran out: hand it back now, not after a lease
            with contextlib.suppress(Exception):
                await bus.retry(delivery, after_s=0, reason="worker stopped")
            raise
        except Exception as exc:  # never lose the worker to one event (the store failed while counting)
            if delivery.envelope.id in state.told:
                log.warning("event %s: unexpected error again: %r", delivery.envelope.id, exc)
            else:
                if len(state.told) > 10_000:
                    state.told.clear()
                state.told.add(delivery.envelope.id)
                log.exception("event %s: unexpected error", delivery.envelope.id)
            outcome = Outcome("retry", repr(exc), s.agent.retry_base_s)
        seconds = time.perf_counter() - started
        state.stats[outcome.action] += 1
        state.seconds.append(seconds)
        slots.observe(seconds, pushback=outcome.action == "pause" or pushback() > refused)
        try:
            if outcome.action == "ack":
                await bus.ack(delivery)
            elif outcome.action == "dead":
                log.warning("event %s dead-lettered: %s", delivery.envelope.id, outcome.why)
                await bus.dead_letter(delivery, outcome.why)
            else:
                if outcome.action == "pause":
                    log.warning("pausing %s for %.0f s: %s", lang, outcome.after_s, outcome.why)
                    state.paused_until = max(state.paused_until, time.monotonic() + outcome.after_s)
                state.due = max(state.due, time.monotonic() + outcome.after_s)
                await bus.retry(delivery, after_s=outcome.after_s, reason=outcome.why)
        except Exception as exc:  # settling failed (broker gone): it comes back and is deduplicated
            log.warning("could not settle event %s: %s", delivery.envelope.id, exc)

    async def _drain(self, state: _State) -> None:
        if not state.inflight:
            return
        _, pending = await asyncio.wait(set(state.inflight), timeout=GRACE_S)
        for task in pending:  # not finished in time: unsettled, so the bus hands it to another worker
            task.cancel()

    async def _until_drained(
        self, store: Store, bus: Bus, queues: list[str], state: _State, leave: asyncio.Event
    ) -> None:
        """`--drain`: leave once every queue is empty, nothing is in flight, no retry this worker asked
        for is still due and the outbox is sent, and that has held for `quiet_s` (a backfill's end)."""
        quiet_since: float | None = None
        while not leave.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(leave.wait(), 0.25)
            try:
                idle = not state.inflight and time.monotonic() > state.due
                idle = idle and not store.outbox_pending() and all([await bus.depth(q) == 0 for q in queues])
            except Exception:  # the broker or database is away: not drained
                idle = False
            if not idle:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= self.options.quiet_s:
                log.warning("worker %s: queues drained, stopping", self.id)
                leave.set()

    async def _relay(self, store: Store, bus: Bus, leave: asyncio.Event, keep_sent_s: float) -> None:
        backoff, pruned = 0.5, 0.0
        while not leave.is_set():
            try:
                sent = await relay_once(store, bus)
                backoff = 0.5
                if not sent and time.monotonic() - pruned > PRUNE_EVERY_S:  # idle: published events go
                    store.outbox_prune(now() - timedelta(seconds=keep_sent_s))
                    pruned = time.monotonic()
            except Exception as exc:
                log.warning("outbox relay failed (%s); retrying in %.1f s", exc, backoff)
                sent, backoff = 0, min(RECONNECT_MAX_S, backoff * 2)
            if not sent:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        leave.wait(), self.options.relay_poll_s if backoff <= 0.5 else backoff
                    )

    async def _heartbeat(
        self, store: Store, state: _State, slots: Adaptive, leave: asyncio.Event, every_s: float
    ) -> None:
        while not leave.is_set():
            paused = state.paused_until > time.monotonic()
            stats: dict[str, Any] = dict(state.stats) | {
                "inflight": len(state.inflight),
                "limit": int(slots.limit),
            }
            if slots.adaptive:
                stats |= {"raised": slots.raised, "cut": slots.cut}
            if state.seconds:  # what an autoscaler reads: how long events take here lately
                stats["p95_s"] = round(sorted(state.seconds)[int(0.95 * (len(state.seconds) - 1))], 3)
            try:
                if ledger.heartbeat(store, self.id, "paused" if paused else "running", stats):
                    state.restart = True  # the next life registers afresh
                    leave.set()
                    return
            except Exception as exc:
                log.warning("heartbeat failed: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(leave.wait(), every_s)


def _pushback(kit: assemble.Kit) -> int:
    """The 429s and 5xx the worker's engines (and their fallbacks) have met so far."""
    return sum(e.pushback() for first in kit.engines() for e in first.chain())


def _finished(state: _State, slots: Adaptive, task: asyncio.Task[None]) -> None:
    state.inflight.discard(task)
    slots.release()
