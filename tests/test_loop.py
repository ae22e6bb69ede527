"""The closed loop with local stand-in engines: a draft engine that makes mistakes, refine engines that
fix them or never do."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from tolk.cache import SqlCache
from tolk.config import EngineSettings, Settings
from tolk.core import Grade
from tolk.engines import registry
from tolk.glossary import Glossary
from tolk.pipeline import Job, Pipeline, Summary
from tolk.quality.gate import Gate
from tolk.quality.loop import Loop
from tolk.store.repo import Store
from tolk.testing.standin import Answer, StandIn

GOOD = {
    "2 red shoes for running.": "2 zapatos rojos para correr.",
    "A soft pillow of 50 x 70 cm.": "Una almohada suave de 50 x 70 cm.",
    "Warm blanket for cold nights.": "Manta cálida para las noches frías.",
}


def sloppy_drafts(body: dict[str, Any]) -> Answer:
    """Qwen-MT style: drops the numbers of whatever it translates."""
    text = GOOD[body["messages"][0]["content"]]
    return Answer("".join(c for c in text if not c.isdigit()).replace("  ", " ").strip())


def fixer(body: dict[str, Any]) -> Answer:
    segments = json.loads(body["messages"][-1]["content"])["segments"]
    assert all("draft" in s and "issues" in s for s in segments)  # the corrector sees what went wrong
    return Answer(json.dumps({"translations": [{"id": s["id"], "text": GOOD[s["text"]]} for s in segments]}))


def never_fixes(body: dict[str, Any]) -> Answer:
    segments = json.loads(body["messages"][-1]["content"])["segments"]
    out = [{"id": s["id"], "text": s["draft"] + " ¡Oferta!"} for s in segments]  # new text, same mistake
    return Answer(json.dumps({"translations": out}))


def run(path: Path, db: str, draft_url: str, refine_url: str, **quality: Any) -> Summary:
    settings = Settings(
        engines={
            "draft": EngineSettings(kind="qwen-mt", base_url=draft_url, api_keys=["k"]),
            "refine": EngineSettings(kind="openai", model="m", base_url=refine_url, api_keys=["k"]),
        }
    )
    store = Store(db)
    drafter, refiner = registry.build(settings, "draft"), registry.build(settings, "refine")
    loop = Loop(
        Gate(), refiner, rounds=quality.get("rounds", 3), auto_approve=quality.get("auto_approve", True)
    )
    job = Job(
        path=path,
        targets=["es"],
        source_lang="en",
        fields=["name"],
        engine=drafter,
        store=store,
        cache=SqlCache(store),
        glossary=Glossary(),
        loop=loop,
    )

    async def go() -> Summary:
        try:
            return await Pipeline(job).run()
        finally:
            await drafter.aclose()
            await refiner.aclose()

    try:
        return asyncio.run(go())
    finally:
        store.close()


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps({"id": f"p{i}", "name": s}) + "\n" for i, s in enumerate(GOOD)))
    return path


def rows(db: str) -> dict[str, tuple[str, str, str | None, float]]:
    store = Store(db)
    with store.sessions() as s:
        out = {}
        for i in range(len(GOOD)):
            t = store.translation(s, f"p{i}", "name", "es")
            assert t is not None
            out[t.item_id] = (t.text, t.grade, t.status, t.score or 0.0)
    store.close()
    return out


def test_loop_converges_and_rule_checks_alone_do_not_approve(catalog: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/t.db"
    with StandIn(sloppy_drafts) as drafts, StandIn(fixer) as refine:
        summary = run(catalog, db, drafts.base_url, refine.base_url)
        assert len(drafts.requests) == 3 and len(refine.requests) == 1  # two drafts had numbers to lose
        again = run(catalog, db, drafts.base_url, refine.base_url)
        assert len(drafts.requests) == 3 and len(refine.requests) == 1  # second run: no engine call
    assert (summary.approved, summary.checked, summary.rewritten, summary.needs_review) == (0, 3, 2, 0)
    assert again.translated == 0 and again.unchanged == 3
    result = rows(db)
    assert result["p0"] == ("2 zapatos rojos para correr.", "REWRITE", "CHECKED", 100.0)
    assert result["p2"] == ("Manta cálida para las noches frías.", "MACHINE", "CHECKED", 100.0)


def test_without_auto_approve_rewrites_wait_for_a_person(catalog: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/t.db"
    with StandIn(sloppy_drafts) as drafts, StandIn(fixer) as refine:
        summary = run(catalog, db, drafts.base_url, refine.base_url, auto_approve=False)
    result = rows(db)
    assert result["p0"][1:3] == ("REWRITE", "PENDING_APPROVAL")  # refined, passed, awaits approval
    assert result["p2"][1:3] == ("MACHINE", "PENDING_APPROVAL")  # the draft passed as it was
    assert summary.pending_approval == 3 and summary.approved == 0


def test_a_refiner_that_never_fixes_ends_in_review_after_n_rounds(catalog: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/t.db"
    with StandIn(sloppy_drafts) as drafts, StandIn(never_fixes) as refine:
        summary = run(catalog, db, drafts.base_url, refine.base_url, rounds=3)
        assert len(refine.requests) == 3  # one batch per round, then it stops
        run(catalog, db, drafts.base_url, refine.base_url, rounds=3)
        assert len(refine.requests) == 3  # no new round on a re-run: no infinite loop
    result = rows(db)
    _text, grade, status, score = result["p0"]
    assert status == "NEEDS_REVIEW" and grade == "MACHINE" and score < 80
    assert summary.needs_review == 2 and summary.checked == 1 and summary.approved == 0


def test_the_loop_never_replaces_a_person(db_url: str, tmp_path: Path) -> None:
    """A person approves and edits rows while two loop runs write: every edit survives."""
    path = tmp_path / "c.jsonl"
    names = [f"Soft cotton pillow number {i} for the bedroom." for i in range(60)]
    path.write_text("".join(json.dumps({"id": f"p{i}", "name": n}) + "\n" for i, n in enumerate(names)))
    store = Store(db_url)
    edited: dict[str, str] = {}
    stop = threading.Event()

    def person() -> None:
        while not stop.is_set():
            for i in range(0, 60, 3):
                item = f"p{i}"
                if item in edited:
                    continue
                grade = Grade.HUMAN if i % 2 else Grade.APPROVED  # an edit, or an approval
                with store.transaction() as s:
                    if store.write_human(s, item, "name", "es", f"Almohada {i} ({grade})", grade=grade):
                        edited[item] = f"Almohada {i} ({grade})"

    editor = threading.Thread(target=person)
    editor.start()
    try:
        for engine in ("d1", "d2"):  # the second engine re-translates everything not protected
            settings = Settings(engines={engine: EngineSettings(kind="dummy", model=engine)})
            drafter = registry.build(settings, engine)
            job = Job(
                path=path,
                targets=["es"],
                source_lang="en",
                fields=["name"],
                engine=drafter,
                store=store,
                cache=SqlCache(store),
                glossary=Glossary(),
                loop=Loop(Gate(), drafter, rounds=2),
            )
            asyncio.run(Pipeline(job).run())
    finally:
        stop.set()
        editor.join()
    assert edited
    with store.sessions() as s:
        for item, text in edited.items():
            t = store.translation(s, item, "name", "es")
            assert t is not None and t.text == text and t.grade in text
    store.close()
