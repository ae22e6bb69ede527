"""Event envelopes, and the outbox rows a translation run writes with its translations."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest

from tolk import events
from tolk.cache import SqlCache
from tolk.config import EngineSettings, Settings
from tolk.core import InputError, now
from tolk.engines import registry
from tolk.glossary import Glossary
from tolk.pipeline import Job, Pipeline
from tolk.store import ledger
from tolk.store.repo import Store

from .conftest import run_tolk


def test_parse_and_validate_envelopes() -> None:
    event = events.new("i18n.missing", {"product_id": "sku-1", "languages": ["es", "ko"]}, source="crawler")
    assert events.parse(event.to_json()) == event
    with pytest.raises(InputError, match=r"payload\.languages"):
        events.parse(
            json.dumps({**json.loads(event.to_json()), "payload": {"product_id": "x", "languages": []}})
        )
    with pytest.raises(InputError, match="unknown event type 'nope'"):
        events.parse(json.dumps({**json.loads(event.to_json()), "type": "nope"}))
    with pytest.raises(InputError, match="occurred_at"):
        events.parse('{"id": "1", "type": "i18n.missing", "source": "x", "payload": {}}')
    with pytest.raises(InputError, match="not JSON"):
        events.parse("{")
    product = json.loads(events.new("product.created", {"id": "a", "fields": {"name": "x"}}).to_json())
    product["payload"]["fields"]["name"] = "bad \x00 text"  # PostgreSQL would refuse it at every try
    with pytest.raises(InputError, match=r"^payload: name: a NUL character, not text$"):
        events.parse(json.dumps(product))


def run(tmp_path: Path, db: str, rows: list[dict[str, str]]) -> Store:
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    store = Store(db)
    engine = registry.build(Settings(engines={"d": EngineSettings(kind="dummy")}), "d")
    job = Job(
        path=path,
        targets=["es", "ko"],
        source_lang="en",
        fields=["name", "description"],
        engine=engine,
        store=store,
        cache=SqlCache(store),
        glossary=Glossary(),
        invalidate_after_s=30,
    )
    asyncio.run(Pipeline(job).run())
    return store


def test_a_run_writes_its_events_with_its_translations(tmp_path: Path, db_url: str) -> None:
    rows = [
        {"id": "a", "name": "Soft pillow", "description": "A soft pillow."},
        {"id": "b", "name": "Warm hat"},
    ]
    store = run(tmp_path, db_url, rows)
    pending = store.outbox()
    payloads = [(e.type, json.loads(e.body)["payload"]) for e in pending]
    kinds = sorted((kind, p.get("product_id") or p["id"], p["lang"]) for kind, p in payloads)
    assert [k[1:] for k in kinds if k[0] == "i18n.updated"] == [
        ("a", "es"),
        ("a", "ko"),
        ("b", "es"),
        ("b", "ko"),
    ]
    assert len([k for k in kinds if k[0] == "cache.invalidate"]) == 4
    updated = next(json.loads(e.body) for e in pending if e.type == "i18n.updated")
    assert events.parse(json.dumps(updated)).payload["fields"]["name"]["grade"] in {"APPROVED", "MACHINE"}
    for e in pending:
        delay = e.due_at - e.created_at
        assert delay == (timedelta(seconds=30) if e.type == "cache.invalidate" else timedelta(0))
    store.close()
    again = run(tmp_path, db_url, rows)  # nothing changed: no new translation, no new event
    assert len(again.outbox()) == len(pending)
    again.close()


@pytest.mark.parametrize(
    ("config", "written"),
    [
        ("", False),  # a laptop's runs: no worker publishes them, so none pile up
        ('[events]\noutbox = "on"\n', True),
        ("[agent]\n", True),  # a worker of this config publishes them
        ('[agent]\n[events]\noutbox = "off"\n', False),
    ],
)
def test_a_run_writes_events_when_someone_publishes_them(tmp_path: Path, config: str, written: bool) -> None:
    (tmp_path / "c.jsonl").write_text('{"id": "a", "name": "Soft pillow"}\n')
    (tmp_path / "tolk.toml").write_text('default_engine = "d"\n[engines.d]\nkind = "dummy"\n' + config)
    db = f"sqlite:///{tmp_path / 't.db'}"
    done = run_tolk("translate", "c.jsonl", "--to", "es", "--db", db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    store = Store(db)
    assert bool(store.outbox()) is written
    store.close()


def test_auto_writes_events_once_an_agent_has_run_against_the_store(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_text('{"id": "a", "name": "Soft pillow"}\n')
    (tmp_path / "tolk.toml").write_text('default_engine = "d"\n[engines.d]\nkind = "dummy"\n')
    db = f"sqlite:///{tmp_path / 't.db'}"
    store = Store(db)
    ledger.register(store, "w1", "translator", "host", 1, ["translator.es"])
    store.close()
    assert run_tolk("translate", "c.jsonl", "--to", "es", "--db", db, cwd=tmp_path).returncode == 0
    store = Store(db)
    assert {e.type for e in store.outbox()} == {"i18n.updated", "cache.invalidate"}
    store.close()


def test_published_events_are_pruned_and_unpublished_ones_never(db_url: str) -> None:
    store = Store(db_url)
    old, fresh, waiting = (events.new("i18n.missing", {"product_id": p, "languages": ["es"]}) for p in "abc")
    with store.transaction() as session:
        store.outbox_add_many(session, [(old, 0.0), (fresh, 0.0), (waiting, 0.0)])
    with store.transaction() as session:
        store.outbox_mark_sent(session, [old.id, fresh.id])
    assert store.outbox_prune(now() - timedelta(days=1)) == 0  # both were published just now
    assert store.outbox_prune(now() + timedelta(seconds=1)) == 2
    assert [e.id for e in store.outbox(pending=False)] == [waiting.id]
    store.close()
