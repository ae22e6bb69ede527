"""The agent on the shape of real traffic, on every bus (embedded, RabbitMQ, Redis Streams):

the seed's registry as written (name, priority, depends_on; no `publishes:`), a backfill of two-day-old
product events in the docs' shape (the classifier's `product.normalized` without `fields`, and with
empty `fields`, before and after the crawler's `product.created`), all published before any worker
has started, and one poison event. The worker runs with `drain` and must stop on its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tolk import events
from tolk.agent import topology
from tolk.agent.worker import Options, Worker
from tolk.bus.base import Bus
from tolk.config import Settings
from tolk.store.models import Item, Translation
from tolk.store.repo import Store

from .test_agent import MakeBus, published

SEED_REGISTRY = """\
agents:
  - name: crawler
    priority: 1
  - name: classifier
    priority: 2
    depends_on: ["crawler"]
  - name: translator
    priority: 3
    depends_on: ["classifier"]
"""
TWO_DAYS_AGO = datetime.now(UTC) - timedelta(days=2)
MAX_ATTEMPTS = 3


def envelope(kind: str, source: str, payload: dict[str, Any], minutes: int) -> events.Envelope:
    env = events.new(kind, payload, source=source)
    return env.model_copy(update={"occurred_at": TWO_DAYS_AGO + timedelta(minutes=minutes)})


def created(pid: str, name: str, *, lang: str = "en", minutes: int = 0) -> events.Envelope:
    fields = {"name": name, "description": f"{name}, lightweight."}
    payload = {"id": pid, "lang": lang, "category": "Footwear", "fields": fields}
    return envelope("product.created", "crawler", payload, minutes)


def normalized(pid: str, *, empty_fields: bool, minutes: int = 1) -> events.Envelope:
    payload: dict[str, Any] = {"id": pid, "category": "Footwear > Running"}  # docs/events.md's shape
    if empty_fields:
        payload["fields"] = {}
    return envelope("product.normalized", "classifier", payload, minutes)


def backfill() -> list[events.Envelope]:
    """Four products, each order of created/normalized, with and without `fields`; one poison."""
    return [
        created("sku-1", "Trail running shoes"),
        normalized("sku-1", empty_fields=False),
        normalized("sku-2", empty_fields=False),
        created("sku-2", "Road running shoes"),
        created("sku-3", "Running socks"),
        normalized("sku-3", empty_fields=True),
        normalized("sku-4", empty_fields=True),
        created("sku-4", "Running cap"),
        # poison: schema-valid, but its language is no language; handling it raises every time
        normalized("sku-5", empty_fields=False),
        created("sku-5", "Cursed shoes", lang="not a language"),
    ]


def settings(tmp_path: Path, bus: Bus) -> Settings:
    registry = tmp_path / "agents.yaml"
    registry.write_text(SEED_REGISTRY, encoding="utf-8")
    return Settings(
        default_engine="dummy",
        engines={"dummy": {"kind": "dummy", "external": False}},
        store=f"sqlite:///{tmp_path / 'tolk.db'}",
        targets=["es", "ko"],
        invalidate_after_s=0,
        agent={
            "registry": str(registry),
            "namespace": bus.ns or "tolk",
            "heartbeat_s": 0.2,
            "retry_base_s": 0.1,
            "retry_max_s": 0.2,
            "park_delay_s": 0.2,
            "max_attempts": MAX_ATTEMPTS,
            "max_deliveries": 5,
        },
    )


def test_a_backfill_before_any_worker_ends_translated_and_the_poison_dead_lettered(
    make_bus: MakeBus, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    sent = backfill()
    poison = sent[-1]

    async def go() -> tuple[Settings, dict[str, list[tuple[events.Envelope, str]]]]:
        publisher = make_bus(5)
        s = settings(tmp_path, publisher)
        await topology.declare(publisher, s)  # what `tolk events publish` does first
        for env in sent:  # before any worker has ever started
            await publisher.publish(env, mandatory=True)
        options = Options(
            bus_url=publisher.url,
            languages=["es", "ko"],
            concurrency=4,
            fetch_wait_s=0.2,
            relay_poll_s=0.1,
            drain=True,
            quiet_s=1.0,
        )
        worker = Worker(lambda: s, options)
        await asyncio.wait_for(worker.run(asyncio.Event()), 180)  # ends on its own: nobody stops it
        dead = {q: await publisher.dead_letters(q) for q in ("translator.es", "translator.ko")}
        await publisher.close()
        return s, dead

    s, dead = asyncio.run(go())
    store = Store(s.store)
    with store.sessions() as session:
        texts = {(t.item_id, t.field, t.lang): t.text for t in session.scalars(select(Translation))}
        categories = dict(session.execute(select(Item.id, Item.category)).all())
    for pid, name in (
        ("sku-1", "Trail running shoes"),
        ("sku-2", "Road running shoes"),
        ("sku-3", "Running socks"),
        ("sku-4", "Running cap"),
    ):
        for lang in ("es", "ko"):
            assert texts[(pid, "name", lang)] == f"[{lang}] {name}"
            assert texts[(pid, "description", lang)] == f"[{lang}] {name}, lightweight."
        assert categories[pid] == "Footwear > Running"  # the classifier's, merged, not overwritten
    assert not any(key[0] == "sku-5" for key in texts)
    for queue, letters in dead.items():  # the poison only, in each language's queue, with its reason
        assert [(e.id, e.type) for e, _ in letters] == [(poison.id, "product.created")], queue
        assert f"failed {MAX_ATTEMPTS} times" in letters[0][1] and "not a language" in letters[0][1]
    failed = [e["payload"] for e in published(store, "i18n.failed")]
    assert sorted((p["product_id"], p["lang"], p["event_id"]) for p in failed) == [
        ("sku-5", "es", poison.id),
        ("sku-5", "ko", poison.id),
    ]
    updated = {(e["payload"]["product_id"], e["payload"]["lang"]) for e in published(store, "i18n.updated")}
    assert updated == {(f"sku-{i}", lang) for i in range(1, 5) for lang in ("es", "ko")}
    tracebacks = Counter(r.getMessage() for r in caplog.records if r.exc_info)
    assert tracebacks and all(n == 1 for n in tracebacks.values()), tracebacks  # logged once, not per try
    assert not any("waited" in r.getMessage() for r in caplog.records)  # two days old, never given up
    store.close()


async def put_raw(bus: Bus, queue: str, body: bytes) -> None:
    """A message another producer wrote straight to the broker, not through tolk."""
    if bus.url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(bus.url.removeprefix("sqlite:///")) as db:
            db.execute(
                "INSERT INTO bus_messages (queue, envelope, available_at) VALUES (?, ?, 0)",
                (queue, body.decode()),
            )
    elif bus.url.startswith("redis"):
        import redis.asyncio as redis

        client = redis.Redis.from_url(bus.url)
        await client.xadd(f"{bus.ns}:q:{queue}", {"body": body, "attempts": 0})
        await client.aclose()
    else:
        import aio_pika

        conn = await aio_pika.connect(bus.url)
        async with conn:
            channel = await conn.channel()
            exchange = await channel.get_exchange(f"{bus.ns}.events")
            await exchange.publish(aio_pika.Message(body), routing_key="product.created")


def test_a_message_that_is_no_event_is_dead_lettered_at_once(make_bus: MakeBus, tmp_path: Path) -> None:
    async def go() -> tuple[Settings, list[tuple[events.Envelope, str]]]:
        publisher = make_bus(5)
        s = settings(tmp_path, publisher)
        s.targets = ["es"]
        await topology.declare(publisher, s)
        await put_raw(publisher, "translator.es", b"<xml>not json</xml>")
        await publisher.publish(created("sku-9", "Blue hat"), mandatory=True)
        await publisher.publish(normalized("sku-9", empty_fields=False), mandatory=True)
        options = Options(
            bus_url=publisher.url,
            languages=["es"],
            concurrency=2,
            fetch_wait_s=0.2,
            relay_poll_s=0.1,
            drain=True,
            quiet_s=1.0,
        )
        await asyncio.wait_for(Worker(lambda: s, options).run(asyncio.Event()), 120)
        dead = await publisher.dead_letters("translator.es")
        await publisher.close()
        return s, dead

    s, dead = asyncio.run(go())
    [(letter, reason)] = dead
    assert letter.type == "unreadable" and "not json" in letter.payload["body"]
    assert reason.startswith("not a tolk event: ")
    store = Store(s.store)
    assert [e["payload"]["product_id"] for e in published(store, "i18n.updated")] == ["sku-9"]  # went on
    store.close()


def test_the_seed_registry_loads_as_written_and_priority_orders_the_agents(tmp_path: Path) -> None:
    from tolk.agent.registry import load
    from tolk.ops import answers as ops
    from tolk.store.models import AgentWorker

    path = tmp_path / "agents.yaml"
    path.write_text(SEED_REGISTRY, encoding="utf-8")
    registry = load(path, "translator")
    assert [a.name for a in registry.ordered()] == ["crawler", "classifier", "translator"]
    assert [d.name for d in registry.dependencies("translator")] == ["classifier"]
    workers = [
        AgentWorker(id=f"w-{name}", agent=name, host="h", pid=1, queues=[], state="running", stats={})
        for name in ("translator", "ops-helper", "classifier")
    ]
    assert [w.agent for w in ops.in_order(workers, registry.ordered())] == [
        "classifier",
        "translator",
        "ops-helper",
    ]
