"""One contract every bus passes: embedded (SQLite), RabbitMQ and Redis Streams, the brokers real.

Each test opens its buses inside its event loop through `make_bus` (a fresh namespace per test);
several instances of one bus stand for several workers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC
from typing import Any

import pytest

from tolk import events
from tolk.bus.base import Bus, Delivery, Unroutable
from tolk.bus.outbox import relay, relay_once
from tolk.store.repo import Store

MakeBus = Callable[..., Bus]


def event(kind: str = "i18n.updated", product: str = "sku-1") -> events.Envelope:
    if kind == "cache.invalidate":
        return events.new(kind, {"kind": "product", "id": product, "lang": "es"})
    return events.new(kind, {"product_id": product, "lang": "es", "fields": {}, "score": 100.0})


def run(make_bus: MakeBus, body: Callable[..., Awaitable[Any]], buses: int = 1) -> Any:
    async def go() -> Any:
        opened = [make_bus() for _ in range(buses)]
        try:
            return await body(*opened)
        finally:
            for bus in opened:
                await bus.close()

    return asyncio.run(go())


async def take(bus: Bus, queue: str, n: int, *, timeout: float = 10.0, **kw: Any) -> list[Delivery]:
    """Fetch until `n` deliveries arrived (brokers push asynchronously)."""
    got: list[Delivery] = []
    deadline = time.monotonic() + timeout
    while len(got) < n and time.monotonic() < deadline:
        got += await bus.fetch(queue, limit=n - len(got), wait_s=0.5, **kw)
    return got


async def nothing(bus: Bus, queue: str, wait_s: float = 0.3, **kw: Any) -> bool:
    return await bus.fetch(queue, wait_s=wait_s, **kw) == []


def test_routing_fetch_and_ack(make_bus: MakeBus) -> None:
    async def body(bus: Bus) -> None:
        await bus.ping()  # what /readyz asks
        await bus.declare("all-i18n", ["i18n.*"])
        await bus.declare("approved", ["i18n.approved"])
        sent = [event("i18n.updated", "a"), event("i18n.approved", "b"), event("cache.invalidate", "c")]
        for e in sent:
            await bus.publish(e)
        got = await take(bus, "all-i18n", 2)
        assert [d.envelope for d in got] == sent[:2] and all(d.attempts == 1 for d in got)
        [only] = await take(bus, "approved", 1)
        assert only.envelope == sent[1]
        for d in [*got, only]:
            await bus.ack(d)
        assert await nothing(bus, "all-i18n") and await nothing(bus, "approved")
        assert await bus.depth("all-i18n") == 0

    run(make_bus, body)


def test_a_delivery_is_one_workers_until_settled(make_bus: MakeBus) -> None:
    async def body(one: Bus, two: Bus) -> None:
        one.prefetch = two.prefetch = 2
        await one.declare("q", ["i18n.#"])
        for n in range(4):
            await one.publish(event(product=f"p{n}"))
        first = await take(one, "q", 2, visibility_s=30)
        second = await take(two, "q", 2, visibility_s=30)
        ids = [d.envelope.id for d in first + second]
        assert len(ids) == 4 == len(set(ids))  # nobody got a message another worker holds
        for d in first:
            await one.ack(d)
        for d in second:
            await two.ack(d)
        assert await nothing(two, "q", visibility_s=0.05)

    run(make_bus, body, buses=2)


def test_a_dead_workers_message_comes_back_and_poison_is_dead_lettered(make_bus: MakeBus) -> None:
    """A worker that dies holding a message (kill -9): another gets it; the broker counts deliveries."""

    async def body() -> None:
        setup = make_bus()
        await setup.declare("q", ["i18n.*"])
        await setup.publish(event())
        await setup.close()
        for attempt in range(1, 4):
            worker = make_bus()
            [d] = await take(worker, "q", 1, visibility_s=0.2)
            assert d.attempts == attempt
            await worker.close()  # dies without an ack
            await asyncio.sleep(0.25)
        last = make_bus()
        assert await nothing(last, "q", wait_s=1.0, visibility_s=0.2)  # the 4th goes to the dead letters
        [(dead, reason)] = await last.dead_letters("q")
        assert dead.payload["product_id"] == "sku-1" and "without an ack" in reason
        assert await last.dead_letters("q") == [(dead, reason)]  # looking does not consume them
        await last.close()

    asyncio.run(body())


def test_retry_waits_and_dead_letter_keeps_the_reason(make_bus: MakeBus) -> None:
    async def body(bus: Bus) -> None:
        await bus.declare("q", ["i18n.*"])
        await bus.publish(event())
        [d] = await take(bus, "q", 1)
        await bus.retry(d, after_s=0.5, reason="engine down")
        assert await nothing(bus, "q", wait_s=0.3)  # not before its time
        [again] = await take(bus, "q", 1)
        assert again.attempts == 2 and again.envelope == d.envelope
        await bus.dead_letter(again, "payload.product_id: unknown product")
        assert await nothing(bus, "q")
        assert [r for _, r in await bus.dead_letters("q")] == ["payload.product_id: unknown product"]

    run(make_bus, body)


def test_retried_copies_are_not_poison(make_bus: MakeBus) -> None:
    """Deliberate retries (parking, engine outages) start a new copy: only silent deaths count."""

    async def body(bus: Bus) -> None:
        await bus.declare("q", ["i18n.*"])
        await bus.publish(event())
        for attempt in range(1, 6):
            [d] = await take(bus, "q", 1)
            assert d.attempts == attempt
            await bus.retry(d, after_s=0.05, reason="waiting for the classifier")
        [d] = await take(bus, "q", 1)
        await bus.ack(d)
        assert await bus.dead_letters("q") == []

    run(make_bus, body)


def test_delayed_publish_is_not_visible_early(make_bus: MakeBus) -> None:
    async def body(bus: Bus) -> float:
        await bus.declare("q", ["cache.*"])
        started = time.monotonic()
        await bus.publish(
            events.new("cache.invalidate", {"kind": "product", "id": "a", "lang": "es"}), delay_s=1.0
        )
        assert await nothing(bus, "q", wait_s=0.6)
        [d] = await take(bus, "q", 1)
        await bus.ack(d)
        return time.monotonic() - started

    assert 1.0 <= run(make_bus, body) < 3.0


def test_relay_publishes_due_outbox_rows_once(make_bus: MakeBus, sqlite_url: str) -> None:
    store = Store(sqlite_url)
    with store.transaction() as s:
        store.outbox_add(s, event("i18n.updated", "now"))
        store.outbox_add(
            s, events.new("cache.invalidate", {"kind": "product", "id": "later", "lang": "es"}), 1.0
        )
    [later] = [row for row in store.outbox() if row.type == "cache.invalidate"]
    due = later.due_at.replace(tzinfo=UTC).timestamp()

    async def body(bus: Bus) -> tuple[list[str], float]:
        await bus.declare("q", ["#"])
        assert await relay_once(store, bus) == 1
        assert await relay_once(store, bus) == 0  # sent rows are not sent again
        [sent] = await take(bus, "q", 1)
        await bus.ack(sent)
        first = [sent.envelope.type]
        stop = asyncio.Event()
        task = asyncio.create_task(relay(store, bus, stop, poll_s=0.1))
        got = await take(bus, "q", 1)
        arrived = time.time()
        stop.set()
        await task
        return first + [d.envelope.type for d in got], arrived

    kinds, arrived = run(make_bus, body)
    assert kinds == ["i18n.updated", "cache.invalidate"]
    assert arrived >= due  # not before its due time (1 s after it was written)
    assert store.outbox() == []  # every row marked sent
    store.close()


@pytest.mark.parametrize("pattern", ["i18n.up*", "#x"])
def test_patterns_are_whole_words(make_bus: MakeBus, pattern: str) -> None:
    from tolk.core import InputError

    async def body(bus: Bus) -> None:
        with pytest.raises(InputError, match="whole words"):
            await bus.declare("q", [pattern])

    run(make_bus, body)


def drop_connections(bus: Bus, kind: str) -> None:
    """The broker closes every client connection (a restart, a network blip)."""
    if kind == "rabbitmq":
        import shutil
        import subprocess

        if shutil.which("rabbitmqctl") is None:
            pytest.skip("rabbitmqctl is not on this machine")
        subprocess.run(["rabbitmqctl", "close_all_connections", "tolk test"], check=True, capture_output=True)
    elif kind == "redis_streams":
        import redis

        client = redis.Redis.from_url(bus.url)
        client.client_kill_filter(_type="normal", skipme=True)
        client.close()


async def eventually(call: Callable[[], Awaitable[Any]], tries: int = 40) -> Any:
    """What a worker does: a call that fails is made again after a pause."""
    for _ in range(tries - 1):
        try:
            return await call()
        except Exception:
            await asyncio.sleep(0.25)
    return await call()


def test_a_dropped_connection_is_replaced(make_bus: MakeBus, bus_kind: str) -> None:
    async def body(bus: Bus) -> None:
        await bus.declare("q", ["i18n.*"])
        await bus.publish(event(product="before"))
        [d] = await take(bus, "q", 1)
        await bus.ack(d)
        drop_connections(bus, bus_kind)
        await eventually(lambda: bus.publish(event(product="after")))
        [again] = await eventually(lambda: _one(bus))
        assert again.envelope.payload["product_id"] == "after"
        await bus.ack(again)

    run(make_bus, body)


async def _one(bus: Bus) -> list[Delivery]:
    got = await take(bus, "q", 1, timeout=2.0)
    if not got:
        raise LookupError("nothing yet")
    return got


def test_a_mandatory_publish_that_no_queue_receives_is_refused(make_bus: MakeBus) -> None:
    async def body(bus: Bus) -> None:
        await bus.declare("approved", ["i18n.approved"])
        with pytest.raises(Unroutable):  # nobody is bound to i18n.updated: not accepted, not stored
            await bus.publish(event("i18n.updated"), mandatory=True)
        await bus.publish(event("i18n.updated"))  # an announcement nobody listens to: dropped, as usual
        await bus.publish(event("i18n.approved"), mandatory=True)
        [d] = await take(bus, "approved", 1)
        await bus.ack(d)
        assert await nothing(bus, "approved")

    run(make_bus, body)


def test_a_temporary_queue_goes_away_with_its_reader(make_bus: MakeBus) -> None:
    """`tolk events tail`'s queue: a tail that is killed (no delete) leaves nothing collecting events."""

    async def body(reader: Bus, publisher: Bus) -> None:
        for bus in (reader, publisher):
            bus.temporary_ttl_s = 0.5
        await reader.declare("tail-1", ["i18n.*"], temporary=True)
        await publisher.publish(event("i18n.updated"), mandatory=True)
        [d] = await take(reader, "tail-1", 1)
        await reader.ack(d)
        await reader.close()  # killed: RabbitMQ drops an exclusive queue with its connection
        await asyncio.sleep(1.0)  # elsewhere it expires when nobody reads it
        with pytest.raises(Unroutable):
            await publisher.publish(event("i18n.updated"), mandatory=True)

    run(make_bus, body, buses=2)
