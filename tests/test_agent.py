"""The translator agent end to end: a real worker on a real bus (every kind), SQLite store.

Each test publishes events, runs a worker in-process until the store shows the expected state, and
reads what came out of the outbox (the events tolk published).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tolk import events, reports
from tolk.agent.worker import Options, Worker
from tolk.bus.base import Bus
from tolk.config import Settings
from tolk.store import ledger
from tolk.store.models import EventAttempt, OutboxEvent, ProcessedEvent, Translation
from tolk.store.repo import Store
from tolk.testing.standin import Answer, StandIn

MakeBus = Callable[..., Bus]


def product(
    pid: str, name: str, *, kind: str = "product.created", at: datetime | None = None
) -> events.Envelope:
    fields = {"name": name, "description": "Soft leather."}
    env = events.new(kind, {"id": pid, "lang": "en", "fields": fields}, source="crawler")
    return env.model_copy(update={"occurred_at": at}) if at else env


def settings(tmp_path: Path, **agent: Any) -> Settings:
    engines = agent.pop("engines", {"dummy": {"kind": "dummy", "external": False}})
    return Settings(
        default_engine=next(iter(engines)),
        engines=engines,
        store=f"sqlite:///{tmp_path / 'tolk.db'}",
        targets=["es", "ko"],
        agent={"heartbeat_s": 0.2, "retry_base_s": 0.1, "park_delay_s": 0.2, "pause_s": 0.3, **agent},
    )


async def work(
    s: Settings, bus: Bus, until: Callable[[Store], bool], *, timeout: float = 60.0, langs: str = "es,ko"
) -> Store:
    """Run one worker on `bus`'s URL/namespace until `until(store)` holds; return the store."""
    store = Store(s.store)
    stop = asyncio.Event()
    task = asyncio.create_task(_run(s, bus, stop, langs))
    deadline = time.monotonic() + timeout
    try:
        while not until(store):
            assert time.monotonic() < deadline, "the worker did not get there in time"
            assert not task.done(), task.exception()
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await task
    return store


def published(store: Store, kind: str | None = None) -> list[dict[str, Any]]:
    with store.sessions() as session:
        rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.created_at))
        return [json.loads(r.body) for r in rows if kind is None or r.type == kind]


def count(store: Store, model: Any) -> int:
    with store.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_duplicates_yield_one_translation_and_one_skipped_each(make_bus: MakeBus, tmp_path: Path) -> None:
    s = settings(tmp_path)

    async def go() -> Store:
        bus = make_bus(5)
        for lang in ("es", "ko"):  # the worker declares them too; here so nothing published is missed
            await bus.declare(f"translator.{lang}", list(events.CONSUMED))
        one, two = product("sku-1", "Red shoe"), product("sku-2", "Blue hat")
        for env in (one, one, one, two):  # sku-1 delivered three times
            await bus.publish(env)
        try:
            return await work(
                s, bus, lambda st: count(st, ProcessedEvent) == 4 and len(published(st, "i18n.skipped")) == 4
            )
        finally:
            await bus.close()

    store = asyncio.run(go())
    updated = Counter(
        (e["payload"]["product_id"], e["payload"]["lang"]) for e in published(store, "i18n.updated")
    )
    assert updated == {("sku-1", "es"): 1, ("sku-1", "ko"): 1, ("sku-2", "es"): 1, ("sku-2", "ko"): 1}
    skipped = [e["payload"] for e in published(store, "i18n.skipped")]
    pairs = sorted((p["product_id"], p["lang"]) for p in skipped)
    assert pairs == [("sku-1", "es"), ("sku-1", "es"), ("sku-1", "ko"), ("sku-1", "ko")]
    assert all(p["reason"].startswith("duplicate delivery") for p in skipped)
    with store.sessions() as session:
        versions = session.scalars(select(Translation.version)).all()
    assert versions and set(versions) == {1}  # every translation written exactly once
    store.close()


def test_poison_is_dead_lettered_once_with_a_reason_and_the_worker_goes_on(
    make_bus: MakeBus, tmp_path: Path
) -> None:
    s = settings(tmp_path)
    bad = events.Envelope(
        id="bad-1",
        type="product.created",
        occurred_at=datetime.now(UTC),
        source="crawler",
        payload={"id": "", "fields": {"name": 7}},
    )

    async def go() -> tuple[Store, list[tuple[events.Envelope, str]]]:
        bus = make_bus(5)
        await bus.declare("translator.es", list(events.CONSUMED))
        await bus.publish(bad)
        await bus.publish(product("sku-9", "Green bag"))
        try:
            store = await work(s, bus, lambda st: count(st, ProcessedEvent) == 2, langs="es")
            return store, await bus.dead_letters("translator.es")
        finally:
            await bus.close()

    store, dead = asyncio.run(go())
    assert [(e.id, r) for e, r in dead] == [("bad-1", dead[0][1])]
    assert "payload.id" in dead[0][1]
    assert [e["payload"]["product_id"] for e in published(store, "i18n.updated")] == ["sku-9"]
    [failed] = [e["payload"] for e in published(store, "i18n.failed")]  # and an i18n.failed names it
    assert failed["event_id"] == "bad-1" and "payload.id" in failed["reason"]
    store.close()


def test_dependencies_park_early_events_until_the_classifier_has_spoken(
    make_bus: MakeBus, tmp_path: Path
) -> None:
    registry = tmp_path / "agents.yaml"
    registry.write_text(
        "agents:\n"
        "  - {name: classifier, publishes: [product.normalized]}\n"
        "  - {name: translator, depends_on: [classifier], subscribes: ['product.*']}\n"
    )
    s = settings(tmp_path, registry=str(registry))
    created_at = datetime.now(UTC)
    created = product("sku-3", "red shoe!!", at=created_at)
    normalized = product("sku-3", "Red shoe", kind="product.normalized", at=created_at + timedelta(seconds=1))

    async def go() -> tuple[Store, int]:
        bus = make_bus(5)
        await bus.declare("translator.es", ["product.*"])
        await bus.publish(created)
        store, stop = Store(s.store), asyncio.Event()
        task = asyncio.create_task(_run(s, bus, stop, "es"))
        try:
            await asyncio.sleep(1.5)  # the created event is parked and retried meanwhile
            early = count(store, Translation) + len(await bus.dead_letters("translator.es"))
            await bus.publish(normalized)
            deadline = time.monotonic() + 60
            while count(store, ProcessedEvent) < 2 and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
        finally:
            stop.set()
            await task
            await bus.close()
        return store, early

    store, early = asyncio.run(go())
    assert early == 0  # nothing translated (nor given up) before product.normalized
    with store.sessions() as session:
        outcomes = dict(session.execute(select(ProcessedEvent.event_type, ProcessedEvent.outcome)).all())
        [text] = session.scalars(select(Translation.text).where(Translation.field == "name")).all()
    assert outcomes == {"product.normalized": "translated", "product.created": "stale"}
    assert text == "[es] Red shoe"  # the classifier's version, not the crawler's
    assert len(published(store, "i18n.updated")) == 1
    store.close()


async def _run(s: Settings, bus: Bus, stop: asyncio.Event, langs: str) -> None:
    url, s.agent.namespace = bus.url, bus.ns or "tolk"
    worker = Worker(
        lambda: s,
        Options(bus_url=url, languages=langs.split(","), concurrency=4, fetch_wait_s=0.2, relay_poll_s=0.1),
    )
    await worker.run(stop)


@pytest.mark.parametrize("bus_kind", ["embedded"], indirect=True)
def test_engine_errors_are_counted_in_sql_then_published_as_failed(make_bus: MakeBus, tmp_path: Path) -> None:
    with StandIn(lambda body: Answer(status=400, error={"message": "unsupported"})) as server:
        engines = {
            "llm": {
                "kind": "openai",
                "model": "m",
                "base_url": server.base_url,
                "api_keys": ["k"],
                "attempts": 1,
                "breaker_failures": 100,
            }
        }
        s = settings(tmp_path, engines=engines, max_attempts=3)

        async def go() -> Store:
            bus = make_bus(5)
            await bus.declare("translator.es", list(events.CONSUMED))
            await bus.publish(product("sku-4", "Red shoe"))
            try:
                return await work(s, bus, lambda st: count(st, ProcessedEvent) == 1, langs="es")
            finally:
                await bus.close()

        store = asyncio.run(go())
        calls = len(server.requests)
    with store.sessions() as session:
        [tries] = session.scalars(select(EventAttempt.attempts)).all()
    assert tries == 2  # two deferred tries; the third (last) one commits the failure
    assert calls == 3  # one engine request per try: retries did not multiply
    [failed] = published(store, "i18n.failed")
    assert failed["payload"]["product_id"] == "sku-4" and "unsupported" in failed["payload"]["reason"]
    store.close()


@pytest.mark.parametrize("bus_kind", ["embedded"], indirect=True)
def test_an_engine_outage_pauses_consumption_instead_of_failing(make_bus: MakeBus, tmp_path: Path) -> None:
    down = {"now": True}

    def reply(body: dict[str, Any]) -> Answer:
        if down["now"]:
            return Answer(status=503, error={"message": "overloaded"})
        from tolk.testing.standin import echo_translator

        return echo_translator(body)

    with StandIn(reply) as server:
        engines = {
            "llm": {
                "kind": "openai",
                "model": "m",
                "base_url": server.base_url,
                "api_keys": ["k"],
                "attempts": 1,
                "breaker_failures": 1,
                "breaker_reset_s": 0.5,
            }
        }
        s = settings(tmp_path, engines=engines, max_attempts=2)

        async def go() -> tuple[Store, list[str], int]:
            bus = make_bus(5)
            await bus.declare("translator.es", list(events.CONSUMED))
            await bus.publish(product("sku-5", "Red shoe"))
            states: list[str] = []

            def watch(st: Store) -> bool:
                states.extend(w.state for w in ledger.workers(st))
                if "paused" in states:
                    down["now"] = False  # the provider comes back
                return count(st, ProcessedEvent) == 1

            try:
                store = await work(s, bus, watch, langs="es")
                return store, states, len(await bus.dead_letters("translator.es"))
            finally:
                await bus.close()

        store, states, dead = asyncio.run(go())
    assert "paused" in states and dead == 0
    assert count(store, EventAttempt) == 0  # outages are not the event's fault: not counted
    [updated] = published(store, "i18n.updated")
    assert updated["payload"]["product_id"] == "sku-5" and published(store, "i18n.failed") == []
    store.close()


@pytest.mark.parametrize("bus_kind", ["embedded"], indirect=True)
def test_missing_requests_and_partial_updates(make_bus: MakeBus, tmp_path: Path) -> None:
    s = settings(tmp_path)
    created = product("sku-6", "Red shoe")
    update = events.new(
        "product.updated", {"id": "sku-6", "fields": {"description": "Now in blue."}}, source="crawler"
    )
    ask = events.new("i18n.missing", {"product_id": "sku-6", "languages": ["ko", "fr"]}, source="shop")
    ask_unknown = events.new("i18n.missing", {"product_id": "nope", "languages": ["es"]}, source="shop")

    async def go() -> Store:
        bus = make_bus(5)
        await bus.declare("translator.es", list(events.CONSUMED))
        await bus.publish(created)
        try:
            (await work(s, bus, lambda st: count(st, ProcessedEvent) == 1, langs="es")).close()
            for env in (update, ask, ask_unknown):
                await bus.publish(env)
            return await work(s, bus, lambda st: count(st, ProcessedEvent) == 4, langs="es")
        finally:
            await bus.close()

    store = asyncio.run(go())
    with store.sessions() as session:
        texts = dict(session.execute(select(Translation.field, Translation.text)).all())
        outcomes = sorted(session.scalars(select(ProcessedEvent.event_type)).all())
    assert texts == {"name": "[es] Red shoe", "description": "[es] Now in blue."}  # the name survived
    # ko's request is not es's; fr is nobody's (targets es, ko): answered once, by the first language
    assert outcomes == ["i18n.missing", "i18n.missing", "product.created", "product.updated"]
    unknown, unserved = sorted(
        (e["payload"] for e in published(store, "i18n.failed")), key=lambda p: p["lang"]
    )
    assert unserved["product_id"] == "sku-6" and unserved["lang"] == "fr"
    assert unserved["reason"] == "no worker serves fr (agent.languages: es, ko)"
    assert unknown == {
        "product_id": "nope",
        "lang": "es",
        "reason": "unknown product",
        "event_id": ask_unknown.id,
        "event_type": "i18n.missing",
    }
    report = reports.build(store, timedelta(hours=1))  # failed events count as failures
    assert (
        report.total.failed_events,
        report.langs["fr"].failed_events,
        report.langs["es"].failed_events,
    ) == (2, 1, 1)
    assert "Failures: 2 (0 segments, 2 events)" in reports.text(report, "1h")
    store.close()


def test_dedupe_claims_content_across_workers(redis_url: str) -> None:
    from tolk.agent.dedupe import Dedupe
    from tolk.store.repo import ItemRecord

    record = ItemRecord("sku-1", "en", None, {"name": "Red shoe"}, {}, "h")
    other = ItemRecord("sku-2", "en", None, {"name": "Red shoe"}, {"price": 3}, "h2")  # same text

    async def go() -> list[str]:
        one, two = Dedupe(redis_url, claim_s=1), Dedupe(redis_url, claim_s=1)
        try:
            seen: list[str] = [await one.claim(record, "es"), await two.claim(other, "es")]  # mine, busy
            await one.done(record, "es")
            seen.append(await two.claim(other, "es"))  # done: the pipeline finds it stored
            seen.append(await two.claim(other, "ko"))  # another language is other content
            await two.release(other, "ko")
            seen.append(await one.claim(record, "ko"))  # released: free again
            await asyncio.sleep(1.2)
            seen.append(await two.claim(record, "ko"))  # a claim of a worker that died expires
            return seen
        finally:
            await one.close()
            await two.close()

    assert asyncio.run(go()) == ["mine", "busy", "done", "mine", "mine", "mine"]


@pytest.mark.parametrize("bus_kind", ["embedded"], indirect=True)
def test_a_stale_event_is_skipped_before_any_engine_call(make_bus: MakeBus, tmp_path: Path) -> None:
    from tolk.testing.standin import echo_translator

    with StandIn(echo_translator) as server:
        engines = {"llm": {"kind": "openai", "model": "m", "base_url": server.base_url, "api_keys": ["k"]}}
        s = settings(tmp_path, engines=engines)
        at = datetime.now(UTC)
        newer = product("sku-7", "Red shoe", kind="product.updated", at=at)
        older = product("sku-7", "red shoe!!", at=at - timedelta(minutes=5))  # arrives second

        async def go() -> Store:
            bus = make_bus(5)
            await bus.declare("translator.es", list(events.CONSUMED))
            await bus.publish(newer)
            try:
                (await work(s, bus, lambda st: count(st, ProcessedEvent) == 1, langs="es")).close()
                calls = len(server.requests)
                await bus.publish(older)
                store = await work(s, bus, lambda st: count(st, ProcessedEvent) == 2, langs="es")
                assert len(server.requests) == calls  # nothing paid for the stale event
                return store
            finally:
                await bus.close()

        store = asyncio.run(go())
    with store.sessions() as session:
        outcomes = dict(session.execute(select(ProcessedEvent.event_type, ProcessedEvent.outcome)).all())
    assert outcomes == {"product.updated": "translated", "product.created": "stale"}
    record = store.item_record("sku-7")
    assert record is not None and record.fields["name"] == "Red shoe"
    store.close()
