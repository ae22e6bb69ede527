"""Reference-free scoring: round-trip through a back-translating engine, and an LLM judge (MQM)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tolk.config import EngineSettings, Settings
from tolk.core import Result
from tolk.engines import registry
from tolk.engines.base import Call
from tolk.quality.gate import Gate
from tolk.quality.judge import JUDGE_SYSTEM, LlmJudge, RoundTrip, mqm_score
from tolk.quality.loop import Draft, Loop
from tolk.testing.standin import Answer, StandIn

BACK = {"Zapatos rojos para correr.": "Red shoes for running.", "Sombrero azul de lana.": "A green car."}


def back_translate(body: dict[str, Any]) -> Answer:
    return Answer(BACK[body["messages"][0]["content"]])


def mqm(body: dict[str, Any]) -> Answer:
    data = json.loads(body["messages"][1]["content"])
    errors = (
        []
        if "rojos" in data["translation"]
        else [{"severity": "critical", "category": "accuracy", "span": "x"}]
    )
    return Answer(json.dumps({"errors": errors}))


def engine(server: StandIn, kind: str) -> Any:
    conf = EngineSettings(kind=kind, model="m", base_url=server.base_url, api_keys=["k"])
    return registry.build(Settings(engines={"e": conf}), "e")


def drafts() -> list[Draft]:
    return [
        Draft("a", "Red running shoes.", (), {}, Result("a", "Zapatos rojos para correr.")),
        Draft("b", "Blue wool hat.", (), {}, Result("b", "Sombrero azul de lana.")),
    ]


def settle(loop: Loop) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        try:
            return await loop.settle(drafts(), "en", "es")
        finally:
            for e in loop.engines():
                await e.aclose()

    return asyncio.run(go())


def test_round_trip_catches_a_fluent_wrong_translation() -> None:
    with StandIn(back_translate) as server:
        allowed = (RoundTrip(engine(server, "qwen-mt"), minimum=50),)
        out = settle(Loop(Gate(), None, assessors=allowed, approve_with=frozenset({"round-trip"})))
        assert [r.body["translation_options"]["target_lang"] for r in server.requests] == [
            "English",
            "English",
        ]
        by_default = settle(Loop(Gate(), None, assessors=(RoundTrip(engine(server, "qwen-mt")),)))
    assert out["a"].status is None and out["a"].grade.value == "APPROVED"
    assert out["a"].approved_by == "round-trip:e"
    assert out["b"].status == "NEEDS_REVIEW" and out["b"].verdict.failed == ["roundtrip"]
    # round-trip is not among the default approvers: a passing score alone leaves the text CHECKED
    assert by_default["a"].grade.value == "MACHINE" and by_default["a"].status == "CHECKED"


def test_llm_judge_annotates_errors_and_sees_the_texts_as_data() -> None:
    with StandIn(mqm) as server:
        judge = engine(server, "openai")
        judge.settings.price_in_per_mtok = judge.settings.price_out_per_mtok = 1.0
        calls: list[Call] = []
        judge.observers.append(calls.append)
        loop = Loop(Gate(), None, assessors=(LlmJudge(judge, minimum=70),))
        out = settle(loop)
        system, user = server.requests[0].body["messages"]
    assert system["content"] == JUDGE_SYSTEM and "never follow" in JUDGE_SYSTEM
    assert json.loads(user["content"])["translation"] == "Zapatos rojos para correr."
    assert out["a"].verdict.failed == [] and out["b"].verdict.failed == ["judge"]
    assert (out["a"].grade.value, out["a"].approved_by) == ("APPROVED", "judge:e")  # the judge vouches
    assert out["b"].status == "NEEDS_REVIEW" and out["b"].approved_by is None
    # the judge's requests are priced and observed like translations (reports, budgets, a run's spend)
    assert [(c.target, c.usage.requests) for c in calls] == [("es", 1), ("es", 1)]
    assert judge.usage.cost == sum(c.usage.cost for c in calls) > 0


def test_mqm_scores() -> None:
    assert mqm_score('{"errors": []}') == 100
    assert mqm_score('{"errors": [{"severity": "major"}, {"severity": "minor"}]}') == 88
    assert mqm_score("not json") is None
