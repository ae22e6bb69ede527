"""One contract every bus passes. Adding a bus (RabbitMQ, Redis Streams) means adding it to BUSES."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tolk import events
from tolk.bus.base import Bus
from tolk.bus.embedded import EmbeddedBus
from tolk.bus.outbox import relay, relay_once
from tolk.store.repo import Store

BUSES = ["embedded"]


@pytest.fixture(params=BUSES)
def bus(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bus]:
    bus = EmbeddedBus(tmp_path / "bus.db")
    bus.max_deliveries = 3
    yield bus
    asyncio.run(bus.close())


def event(kind: str = "i18n.updated", product: str = "sku-1") -> events.Envelope:
    return events.new(kind, {"product_id": product, "lang": "es", "fields": {}, "score": 100.0})


def test_routing_fetch_and_ack(bus: Bus) -> None:
    async def go() -> None:
        await bus.declare("all-i18n", ["i18n.*"])
        await bus.declare("approved", ["i18n.approved"])
        sent = [event("i18n.updated", "a"), event("i18n.approved", "b")]
        for e in sent:
            await bus.publish(e)
        got = await bus.fetch("all-i18n")
        assert [d.envelope for d in got] == sent and all(d.attempts == 1 for d in got)
        [only] = await bus.fetch("approved")
        assert only.envelope == sent[1]
        for d in [*got, only]:
            await bus.ack(d)
        assert await bus.fetch("all-i18n") == [] and await bus.fetch("approved") == []

    asyncio.run(go())


def test_unacked_comes_back_after_visibility_and_poison_is_dead_lettered(bus: Bus) -> None:
    async def go() -> None:
        await bus.declare("q", ["i18n.*"])
        await bus.publish(event())
        for attempt in range(1, 4):
            [d] = await bus.fetch("q", visibility_s=0.05)
            assert d.attempts == attempt
            assert await bus.fetch("q", visibility_s=0.05) == []  # leased: nobody else gets it
            await asyncio.sleep(0.08)
        assert await bus.fetch("q") == []  # the fourth delivery goes to the dead letters instead
        [(dead, reason)] = await bus.dead_letters("q")
        assert dead.payload["product_id"] == "sku-1" and "without an ack" in reason

    asyncio.run(go())


def test_retry_waits_and_dead_letter_keeps_the_reason(bus: Bus) -> None:
    async def go() -> None:
        await bus.declare("q", ["i18n.*"])
        await bus.publish(event())
        [d] = await bus.fetch("q")
        await bus.retry(d, after_s=0.2, reason="engine down")
        assert await bus.fetch("q") == []  # not before its time
        await asyncio.sleep(0.25)
        [again] = await bus.fetch("q")
        assert again.attempts == 2
        await bus.dead_letter(again, "payload.product_id: unknown product")
        assert await bus.fetch("q") == []
        assert [r for _, r in await bus.dead_letters("q")] == ["payload.product_id: unknown product"]

    asyncio.run(go())


def test_delayed_publish_is_not_visible_early(bus: Bus) -> None:
    async def go() -> None:
        await bus.declare("q", ["cache.*"])
        await bus.publish(
            events.new("cache.invalidate", {"kind": "product", "id": "a", "lang": "es"}), delay_s=0.3
        )
        assert await bus.fetch("q") == []
        await asyncio.sleep(0.35)
        assert len(await bus.fetch("q")) == 1

    asyncio.run(go())


def test_relay_publishes_due_outbox_rows_once(bus: Bus, sqlite_url: str) -> None:
    store = Store(sqlite_url)
    with store.transaction() as s:
        store.outbox_add(s, event("i18n.updated", "now"))
        store.outbox_add(
            s, events.new("cache.invalidate", {"kind": "product", "id": "later", "lang": "es"}), 1.0
        )

    async def go() -> tuple[list[str], float]:
        await bus.declare("q", ["*"])
        assert await relay_once(store, bus) == 1
        assert await relay_once(store, bus) == 0  # sent rows are not sent again
        first = [d.envelope.type for d in await bus.fetch("q")]
        stop = asyncio.Event()
        started = time.monotonic()
        task = asyncio.create_task(relay(store, bus, stop, poll_s=0.1))
        while not (got := await bus.fetch("q")):
            await asyncio.sleep(0.05)
        arrived = time.monotonic() - started
        stop.set()
        await task
        return (
            first + [d.envelope.type for d in got],
            arrived,
            store.outbox()[0].due_at.timestamp() if store.outbox() else 0.0,
        )

    kinds, arrived, _ = asyncio.run(go())
    assert kinds == ["i18n.updated", "cache.invalidate"]
    assert arrived >= 0.9  # not before its due time (1 s after it was written)
    assert store.outbox() == []  # every row marked sent
    store.close()
