"""The pipeline as a library: coalescing, verification records, fallback accounting."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tolk.cache import InFlight, SqlCache
from tolk.config import EngineSettings, Settings
from tolk.core import Term
from tolk.engines import registry
from tolk.glossary import Glossary, GlossaryEntry
from tolk.pipeline import Job, Pipeline, Summary
from tolk.store.repo import Store
from tolk.testing.standin import Answer, StandIn


def run(j: Job) -> Summary:
    async def go() -> Summary:
        try:
            return await Pipeline(j).run()
        finally:
            await j.engine.aclose()

    return asyncio.run(go())


def catalog(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def job(path: Path | None, store: Store, engine_conf: EngineSettings, **extra: Any) -> Job:
    settings = Settings(engines={"e": engine_conf, "backup": EngineSettings(kind="dummy")})
    return Job(
        path=path,
        targets=["es"],
        source_lang="en",
        fields=["name", "description"],
        engine=registry.build(settings, "e"),
        store=store,
        cache=SqlCache(store),
        glossary=Glossary(),
        **extra,
    )


def test_concurrent_pipelines_share_one_engine_call_per_segment(tmp_path: Path) -> None:
    rows = [{"id": f"p{i}", "name": f"Product {i % 5}"} for i in range(20)]
    path = catalog(tmp_path / "c.jsonl", rows)
    with StandIn(latency_s=0.05) as server:
        conf = EngineSettings(kind="qwen-mt", base_url=server.base_url, api_keys=["k"])
        shared = InFlight()
        jobs = [job(path, Store(f"sqlite:///{tmp_path}/db{i}.db"), conf, inflight=shared) for i in range(3)]

        async def go() -> list[Summary]:
            try:
                return await asyncio.gather(*(Pipeline(j).run() for j in jobs))
            finally:
                for j in jobs:
                    await j.engine.aclose()

        summaries = asyncio.run(go())
        calls = len(server.requests)
    assert calls == 5  # five distinct names, three stores, one call each
    assert all(s.translated == 20 and s.failures == 0 for s in summaries)


def test_glossary_misses_and_unknown_words_are_recorded(tmp_path: Path) -> None:
    path = catalog(tmp_path / "c.jsonl", [{"id": "a", "name": "Free shipping today"}])
    store = Store(f"sqlite:///{tmp_path}/t.db")
    with StandIn(lambda body: Answer("Envío libre hoy")) as server:
        conf = EngineSettings(kind="qwen-mt", base_url=server.base_url, api_keys=["k"])
        j = job(path, store, conf)
        j.glossary = Glossary([GlossaryEntry("es", Term("Free shipping", "Envío gratis"))])
        summary = run(j)
    assert summary.glossary_misses == 1
    with store.sessions() as s:
        t = store.translation(s, "a", "name", "es")
    assert t is not None
    assert [c["id"] for c in t.checks] == ["glossary"]
    assert t.checks[0]["terms"] == ["Free shipping"] and t.status == "NEEDS_REVIEW" and t.score == 70


def test_fallback_usage_is_counted_and_not_cached_as_primary(tmp_path: Path) -> None:
    path = catalog(tmp_path / "c.jsonl", [{"id": "a", "name": "Red shoes"}, {"id": "b", "name": "Blue hat"}])
    store = Store(f"sqlite:///{tmp_path}/t.db")
    with StandIn(lambda body: Answer(status=500, error={"message": "down"})) as server:
        conf = EngineSettings(
            kind="qwen-mt",
            base_url=server.base_url,
            api_keys=["k"],
            attempts=1,
            breaker_failures=1,
            fallback="backup",
            max_concurrency=1,
        )
        j = job(path, store, conf)
        summary = run(j)
    assert summary.translated == 2 and summary.failures == 0
    assert summary.usage.requests >= 1  # the fallback's work shows in the run's usage
    assert store.cache_get([]) == {}
    with store.sessions() as s:
        engines = {store.translation(s, i, "name", "es").engine for i in ("a", "b")}  # type: ignore[union-attr]
    assert engines == {"backup"}
    # nothing cached under the primary's key: a later run with the primary healthy translates again
    from sqlalchemy import func, select

    from tolk.store.models import CacheEntry

    with store.sessions() as s:
        assert s.scalar(select(func.count()).select_from(CacheEntry)) == 0


def test_items_keep_untranslated_fields_as_attributes(tmp_path: Path) -> None:
    path = catalog(
        tmp_path / "c.jsonl", [{"id": 7, "lang": "en_US", "category": "Shoes", "name": "Red", "price": 3}]
    )
    store = Store(f"sqlite:///{tmp_path}/t.db")
    j = job(path, store, EngineSettings(kind="dummy"))
    summary = run(j)
    assert summary.items == 1 and summary.translated == 1
    from tolk.store.models import Item

    with store.sessions() as s:
        item = s.get(Item, "7")
    assert (
        item is not None and item.attrs == {"category": "Shoes", "price": 3} and item.source_lang == "en-US"
    )


def test_an_event_text_over_the_engines_limit_fails_with_the_reason_and_is_never_sent(tmp_path: Path) -> None:
    """Texts that come without a catalog (an agent's events) meet the same limit at the engine."""
    from sqlalchemy.orm import Session

    class Hook:
        def before(self, session: Session) -> None:
            pass

        def after(self, session: Session, announced: set[str]) -> None:
            pass

    store = Store(f"sqlite:///{tmp_path}/t.db")
    with StandIn() as server:
        conf = EngineSettings(kind="qwen-mt", base_url=server.base_url, api_keys=["k"], max_text_chars=1_000)
        j = job(None, store, conf)
        pipeline = Pipeline(j)
        records = [
            pipeline.record("small", {"name": "Red shoe"}),
            pipeline.record("huge", {"name": "Hat. " * 300}),
        ]

        async def go() -> None:
            try:
                await pipeline.translate_records(records, "es", Hook())
            finally:
                await j.engine.aclose()

        asyncio.run(go())
        sent = [r.body for r in server.requests]
    assert pipeline.summary.failures == 1 and pipeline.summary.translated == 1
    (reason,) = pipeline.summary.failure_reasons
    assert "text of 1,500 characters is over the engine's limit of 1,000 (engines.e.max_text_chars)" in reason
    assert "Hat." not in json.dumps(sent)
