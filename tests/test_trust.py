"""Trust: grades that mean what they say, a rejection that sticks, nothing failed published.

Each rule lives once in the core (the quality loop grades, the pipeline commits); these tests check it
on the surfaces people use: the CLI, API jobs, the agent, exports and the translate API.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tolk import events, review
from tolk.api import auth
from tolk.api.app import create_app
from tolk.config import Settings
from tolk.store.models import MemoryUnit, Translation
from tolk.store.repo import Store
from tolk.testing.standin import Answer, StandIn

from .conftest import bus_url_for, finished_job, free_port, run_tolk

ROWS = [
    {"id": "p1", "name": "Leather bag"},
    {"id": "p2", "name": "Blue wool hat"},
]  # pass the rules as [es] …
DUMMY = '[engines.dummy]\nkind = "dummy"\nexternal = false\n'


def write_catalog(folder: Path, rows: list[dict[str, str]] = ROWS) -> Path:
    path = folder / "catalog.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def row(store: Store, item_id: str, lang: str = "es", field: str = "name") -> Translation:
    with store.sessions() as session:
        found = store.translation(session, item_id, field, lang)
    assert found is not None, f"no translation of {item_id}"
    return found


def failed(t: Translation) -> list[str]:
    return [c["id"] for c in t.checks]


def send_back(db: str, item_id: str = "p1") -> str:
    """A reviewer sends the machine's text back; returns the text that was rejected."""
    store = Store(db)
    current = row(store, item_id)
    review.send_back(store, (item_id, "name", "es"), current.version, "reviewer")
    store.close()
    return current.text


def assert_rejected_waits(db: str, rejected: str) -> None:
    store = Store(db)
    again = row(store, "p1")
    assert again.text == rejected and again.status == "NEEDS_REVIEW" and "rejected" in failed(again)
    assert any("same as rejected" in c["message"] for c in again.checks)
    assert row(store, "p2").status == "CHECKED"  # the other item is untouched
    assert [r["id"] for r in store.export_rows("es")] == ["p2"]  # never published again
    with store.sessions() as session:
        assert rejected not in session.scalars(select(MemoryUnit.target)).all()
    store.close()


def test_a_rejected_text_is_not_published_again_by_the_cli(tmp_path: Path) -> None:
    write_catalog(tmp_path)
    (tmp_path / "tolk.toml").write_text(f'default_engine = "dummy"\n{DUMMY}')
    db = f"sqlite:///{tmp_path / 't.db'}"
    first = run_tolk("translate", "catalog.jsonl", "--to", "es", "--db", db, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    store = Store(db)
    assert (row(store, "p1").grade, row(store, "p1").status) == ("MACHINE", "CHECKED")  # rules only
    store.close()
    rejected = send_back(db)
    again = run_tolk("translate", "catalog.jsonl", "--to", "es", "--db", db, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "needs review 1" in " ".join(again.stdout.split())
    assert_rejected_waits(db, rejected)


def test_a_rejected_text_is_not_published_again_by_an_api_job(tmp_path: Path) -> None:
    path = write_catalog(tmp_path)
    db = f"sqlite:///{tmp_path / 't.db'}"
    s = Settings(default_engine="dummy", engines={"dummy": {"kind": "dummy", "external": False}}, store=db)
    store = Store(db)
    token = auth.create(store, "ops", auth.Role.admin, [])
    store.close()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}

    def job(client: TestClient) -> dict[str, Any]:
        state = finished_job(client, "/v1/jobs?to=es", path.read_bytes(), headers)
        assert state["state"] == "done", state
        return dict(state["summary"])

    with TestClient(create_app(s)) as client:
        assert job(client)["checked"] == 2
        rejected = send_back(db)
        summary = job(client)
    assert summary["needs_review"] == 1 and summary["translated"] == 1
    assert_rejected_waits(db, rejected)


def test_a_rejected_text_is_not_published_again_by_the_agent(tmp_path: Path) -> None:
    from tolk.agent.worker import Options, Worker
    from tolk.bus import open_bus

    db = f"sqlite:///{tmp_path / 't.db'}"
    s = Settings(
        default_engine="dummy",
        engines={"dummy": {"kind": "dummy", "external": False}},
        store=db,
        targets=["es"],
        agent={"heartbeat_s": 0.2, "retry_base_s": 0.1, "pause_s": 0.3},
    )
    url = bus_url_for("embedded", tmp_path)

    async def until(done: Any, publish: bool = False) -> None:
        if publish:
            bus = open_bus(url, namespace="tolk")
            await bus.declare("translator.es", list(events.CONSUMED))
            for r in ROWS:
                body = {"id": r["id"], "lang": "en", "fields": {"name": r["name"]}}
                await bus.publish(events.new("product.created", body))
            await bus.close()
        stop = asyncio.Event()
        worker = Worker(
            lambda: s,
            Options(bus_url=url, languages=["es"], concurrency=2, fetch_wait_s=0.2, relay_poll_s=0.1),
        )
        task = asyncio.create_task(worker.run(stop))
        store, deadline = Store(db), time.monotonic() + 60
        try:
            while not done(store):
                assert time.monotonic() < deadline and not task.done()
                await asyncio.sleep(0.1)
        finally:
            stop.set()
            await task
            store.close()

    def translated(store: Store) -> bool:
        with store.sessions() as session:
            return len(session.scalars(select(Translation.id)).all()) == 2

    asyncio.run(until(translated, publish=True))
    rejected = send_back(db)  # its i18n.missing event reaches the agent through the outbox

    def held(store: Store) -> bool:
        return row(store, "p1").status == "NEEDS_REVIEW"

    asyncio.run(until(held))
    assert_rejected_waits(db, rejected)


def test_fallback_takes_over_at_once_and_is_replaced_when_the_primary_is_back(tmp_path: Path) -> None:
    write_catalog(tmp_path)
    port = free_port()  # nothing listens there yet: connection refused
    (tmp_path / "tolk.toml").write_text(
        f'default_engine = "llm"\n[engines.llm]\nkind = "openai"\nmodel = "m"\n'
        f'base_url = "http://127.0.0.1:{port}/v1"\nexternal = false\nattempts = 1\nfallback = "dummy"\n'
        f"{DUMMY}[quality]\nrounds = 0\n"
    )
    db = f"sqlite:///{tmp_path / 't.db'}"
    down = run_tolk("translate", "catalog.jsonl", "--to", "es,ko", "--db", db, cwd=tmp_path)
    assert down.returncode == 0, down.stderr + down.stdout
    store = Store(db)
    made = [row(store, i, lang) for i in ("p1", "p2") for lang in ("es", "ko")]
    assert [(t.engine, t.fallback_for) for t in made] == [("dummy", "llm")] * 4  # all 4, same run
    store.close()
    with StandIn(port=port) as primary:
        back = run_tolk("translate", "catalog.jsonl", "--to", "es,ko", "--db", db, cwd=tmp_path)
        again = run_tolk("translate", "catalog.jsonl", "--to", "es,ko", "--db", db, cwd=tmp_path)
        asked = [
            s["text"]
            for r in primary.requests
            for s in json.loads(r.body["messages"][-1]["content"])["segments"]
        ]
    assert back.returncode == 0 and again.returncode == 0, back.stderr
    assert sorted(asked) == sorted(["Leather bag", "Blue wool hat"] * 2)  # exactly those, once
    store = Store(db)
    redone = [row(store, i, lang) for i in ("p1", "p2") for lang in ("es", "ko")]
    assert [(t.engine, t.fallback_for) for t in redone] == [("llm", None)] * 4
    store.close()


@pytest.mark.parametrize("profile", ["ecommerce", "medical"])
def test_only_an_assessor_of_meaning_approves(tmp_path: Path, profile: str) -> None:
    """The LLM judge vouches (approved_by judge:<engine>) where the profile lets it; never the rules."""
    write_catalog(tmp_path)
    with StandIn(_clean_judge) as judge:
        (tmp_path / "tolk.toml").write_text(
            f'default_engine = "dummy"\n{DUMMY}[engines.judge]\nkind = "openai"\nmodel = "j"\n'
            f'base_url = "{judge.base_url}"\nexternal = false\n[quality]\njudge_engine = "judge"\n'
        )
        done = run_tolk(
            "translate",
            "catalog.jsonl",
            "--to",
            "es",
            "--profile",
            profile,
            "--db",
            f"sqlite:///{tmp_path / 't.db'}",
            cwd=tmp_path,
        )
    assert done.returncode == 0, done.stderr
    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    t = row(store, "p1")
    with store.sessions() as session:
        units = [(u.origin, u.creator, u.item_id) for u in session.scalars(select(MemoryUnit))]
    store.close()
    if profile == "ecommerce":
        assert (t.grade, t.approved_by) == ("APPROVED", "judge:judge") and "2 by judge:judge" in done.stdout
        assert ("judge", "judge:judge", "p1") in units  # learnt as judge-approved, not as a person's
    else:  # medical: people only
        assert (t.grade, t.status, t.approved_by) == ("MACHINE", "CHECKED", None) and units == []


def _clean_judge(body: dict[str, Any]) -> Answer:
    return Answer(json.dumps({"errors": []}))


SPANISH = {"Red shoes": "Zapatos rojos", "Write to [[EMAIL_1]]": "Escribe a [[EMAIL_]]"}


def mangles_placeholders(body: dict[str, Any]) -> Answer:
    """A Spanish translator that mangles personal-data placeholders: [[EMAIL_1]] -> [[EMAIL_]]."""
    asked = json.loads(body["messages"][-1]["content"])["segments"]
    out = [{"id": seg["id"], "text": SPANISH[seg["text"]]} for seg in asked]
    return Answer(json.dumps({"translations": out}))


def test_the_translate_api_says_what_may_be_published(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 't.db'}"
    with StandIn(mangles_placeholders) as server:
        llm = {"kind": "openai", "model": "m", "base_url": server.base_url, "api_keys": ["k"]}
        s = Settings(default_engine="llm", engines={"llm": llm}, store=db, quality={"rounds": 0})
        store = Store(db)
        token = auth.create(store, "v", auth.Role.viewer, [])
        store.close()
        with TestClient(create_app(s)) as client:
            texts = ["Red shoes", "Write to kim@example.com"]
            got = client.post(
                "/v1/translate",
                json={"text": texts, "target": "es"},
                headers={"Authorization": f"Bearer {token}"},
            )
    assert got.status_code == 200, got.text
    ok, broken = got.json()["translations"]
    assert (ok["status"], ok["approved_by"]) == ("CHECKED", None)
    assert broken["status"] == "NEEDS_REVIEW" and {"pii", "tokens"} <= set(broken["failed"])


PLANTED = {
    "email": "mina.canary71@shop-example.com",
    "us": "(415) 555-0137",
    "uk": "020 7946 0958",
    "de": "030 12345678",
    "kr": "010-4821-7733",
    "rrn": "900101-1234568",
    "rrn_plain": "8503151234566",  # check digit holds
    "card": "4111 1111 1111 1111",
}
EAN = "8801234567893"  # a Korean EAN-13 barcode: 880…, 13 digits, not a resident number


def _marked(body: dict[str, Any]) -> Answer:
    """A stand-in 'translation' that keeps every token: `ES: text`."""
    asked = json.loads(body["messages"][-1]["content"])["segments"]
    return Answer(json.dumps({"translations": [{"id": s["id"], "text": f"ES: {s['text']}"} for s in asked]}))


def test_personal_data_stays_out_of_requests_the_shared_cache_and_the_memory(
    tmp_path: Path, redis_url: str
) -> None:
    import redis

    notes = list(PLANTED.items())
    rows = [
        {"id": f"p{i}", "name": "Leather bag", "description": f"Seller note: {k} {v}. EAN {EAN}."}
        for i, (k, v) in enumerate(notes)
    ]
    rows.append({"id": "plain", "name": "Blue wool hat", "description": f"Warm and soft. EAN {EAN}."})
    write_catalog(tmp_path, rows)
    with StandIn(_marked) as llm, StandIn(_clean_judge) as judge:
        (tmp_path / "tolk.toml").write_text(
            f'default_engine = "llm"\ncache = "{redis_url}"\n'
            f'[engines.llm]\nkind = "openai"\nmodel = "m"\nbase_url = "{llm.base_url}"\nexternal = true\n'
            f'[engines.judge]\nkind = "openai"\nmodel = "j"\nbase_url = "{judge.base_url}"\n'
            '[quality]\njudge_engine = "judge"\nrounds = 0\ndisabled_checks = ["language", "untranslated"]\n'
        )
        done = run_tolk(
            "translate", "catalog.jsonl", "--to", "es", "--db", f"sqlite:///{tmp_path / 't.db'}", cwd=tmp_path
        )
        sent = "\n".join(json.dumps(r.body, ensure_ascii=False) for r in [*llm.requests, *judge.requests])
    assert done.returncode == 0, done.stderr + done.stdout
    client = redis.Redis.from_url(redis_url)
    cached = "\n".join(
        f"{k.decode()} {client.get(k).decode()}"  # type: ignore[union-attr]
        for k in client.scan_iter("tolk:tr:*")
    )
    client.close()
    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    with store.sessions() as session:
        memory = "\n".join(f"{u.source} {u.target}" for u in session.scalars(select(MemoryUnit)))
    stored = row(store, "p0", field="description").text
    store.close()
    for where, text in (("requests", sent), ("Redis", cached), ("memory", memory)):
        assert [k for k, v in PLANTED.items() if v in text] == [], where
    assert EAN in sent and "[[PHONE_1]]" in sent and "[[RRN_1]]" in sent  # barcodes pass, people do not
    assert "Warm and soft" in cached and "Warm and soft" in memory  # what held nobody's data is shared
    assert PLANTED["email"] in stored  # the item's own translation has its value back


def test_a_persons_text_teaches_the_memory_unless_it_holds_personal_data(tmp_path: Path) -> None:
    write_catalog(tmp_path)
    (tmp_path / "tolk.toml").write_text(f'default_engine = "dummy"\n{DUMMY}')
    db = f"sqlite:///{tmp_path / 't.db'}"
    assert run_tolk("translate", "catalog.jsonl", "--to", "es", "--db", db, cwd=tmp_path).returncode == 0
    store = Store(db)
    review.edit(store, ("p1", "name", "es"), "Bolso de cuero", row(store, "p1").version, "kim")
    review.edit(store, ("p2", "name", "es"), "Escribe a kim@example.com", row(store, "p2").version, "kim")
    units = [(u.target, u.origin, u.creator, u.item_id) for u in store.memory_units()]
    store.close()
    assert units == [("Bolso de cuero", "person", "kim", "p1")]


@pytest.mark.parametrize(
    ("quality", "message"),
    [('refine_engine = "dummy"', "quality.refine_engine: engine 'dummy' (dummy) cannot refine a draft"),
     ('approve_with = ["rules"]', "quality.approve_with.0: Input should be 'judge', 'reference' or"),
     ('trusted_memory = ["machine"]', "quality.trusted_memory.0: Input should be 'person', 'tmx' or")],
)  # fmt: skip
def test_trust_settings_are_checked_in_one_line(tmp_path: Path, quality: str, message: str) -> None:
    write_catalog(tmp_path)
    (tmp_path / "tolk.toml").write_text(f'default_engine = "dummy"\n{DUMMY}[quality]\n{quality}\n')
    done = run_tolk(
        "translate", "catalog.jsonl", "--to", "es", "--db", f"sqlite:///{tmp_path / 't.db'}", cwd=tmp_path
    )
    assert done.returncode == 2 and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
