"""Liveness, readiness and the sampled gauges of /metrics.

/healthz   the process answers
/readyz    the store answers a query, the bus (when one is configured) answers, and the default engine
           says it can translate; each check is cached for a few seconds so probes do not hammer them
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from tolk.bus import open_bus
from tolk.bus.base import Bus
from tolk.config import Settings
from tolk.core import now
from tolk.engines import registry
from tolk.engines.base import Engine
from tolk.store import ledger
from tolk.store.repo import Store
from tolk.telemetry import Telemetry

router = APIRouter()
CACHE_S = 5.0
CHECK_TIMEOUT_S = 3.0


class Readiness:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings, self.store = settings, store
        self._bus: Bus | None = None
        self._engine: Engine | None = None
        self._checked: tuple[float, dict[str, str]] | None = None
        self._lock = asyncio.Lock()

    @property
    def bus(self) -> Bus | None:
        """The agent's bus when the configuration names one (the embedded default is the store's file)."""
        if self._bus is None and self.settings.agent.bus:
            self._bus = open_bus(self.settings.agent.bus, namespace=self.settings.agent.namespace)
        return self._bus

    async def checks(self) -> dict[str, str]:
        async with self._lock:
            if self._checked and time.monotonic() - self._checked[0] < CACHE_S:
                return self._checked[1]
            found = {
                "db": await self._db(),
                "bus": await self._bus_check(),
                "engine": await self._engine_check(),
            }
            self._checked = (time.monotonic(), found)
            return found

    async def _db(self) -> str:
        return await _guarded(asyncio.to_thread(self.store.ping))

    async def _bus_check(self) -> str:
        bus = self.bus
        if bus is None:
            return "ok"  # embedded: lives in the store's directory, checked with the store
        return await _guarded(bus.ping())

    async def _engine_check(self) -> str:
        name = self.settings.default_engine
        if name is None:
            return "error: no default_engine configured"
        if self._engine is None:
            self._engine = registry.build(self.settings, name)

        async def status() -> None:
            assert self._engine is not None
            ok, why = await self._engine.status()
            if not ok:
                raise RuntimeError(f"{name}: {why}")

        return await _guarded(status())

    async def aclose(self) -> None:
        if self._bus is not None:
            await self._bus.close()
        if self._engine is not None:
            await self._engine.aclose()


async def _guarded(check: Any) -> str:
    try:
        await asyncio.wait_for(check, CHECK_TIMEOUT_S)
    except TimeoutError:
        return f"error: no answer within {CHECK_TIMEOUT_S:.0f} s"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}: {str(exc)[:200]}"
    return "ok"


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    checks = await request.app.state.readiness.checks()
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"ready": ok, "checks": checks}, status_code=200 if ok else 503)


async def sample(readiness: Readiness, telemetry: Telemetry) -> None:
    """Gauges read at scrape time: the outbox's backlog and the agents' queue depths."""
    store = readiness.store

    pending, oldest = await asyncio.to_thread(store.outbox_due)
    telemetry.outbox_pending.set(pending)
    telemetry.outbox_lag.set((now() - oldest).total_seconds() if oldest else 0.0)
    bus = readiness.bus
    if bus is None:
        return
    queues = {q for w in await asyncio.to_thread(ledger.workers, store) for q in w.queues}
    for queue in sorted(queues):
        depth = await _depth(bus, queue)
        if depth is not None:
            telemetry.queue_depth.labels(queue).set(depth)


async def _depth(bus: Bus, queue: str) -> int | None:
    try:
        return await asyncio.wait_for(bus.depth(queue), CHECK_TIMEOUT_S)
    except Exception:  # a scrape must not fail because the broker is slow; the gauge keeps its last value
        return None
