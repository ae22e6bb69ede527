"""Sensitive and urgent texts wait for a person, whatever their score: the medical profile's terms in
the source's own language, and an item or a request its sender marked urgent or sensitive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import bearer, one_engine, run_tolk, tokens_for
from tolk.api import auth
from tolk.api.app import create_app
from tolk.client import Client
from tolk.config import EngineSettings, Settings
from tolk.testing.standin import StandIn

MEDICAL = [  # the source document's own examples, in five languages, with a faithful translation
    (
        "en",
        "es",
        "Take one tablet twice a day after meals.",
        "Tome un comprimido dos veces al día después de las comidas.",
    ),
    (
        "ko",
        "en",
        "진단 결과 암이며 수술이 예정되어 있습니다.",
        "The diagnosis is cancer and surgery is scheduled.",
    ),
    (
        "ja",
        "en",
        "胸の痛みを感じたら、直ちに薬の服用を中止してください。",
        "If you feel chest pain, stop taking the medicine immediately.",
    ),
    ("zh-CN", "en", "每日两次，每次一片，饭后服用。", "Take one tablet twice a day, after meals."),
    (
        "es",
        "en",
        "Deje de tomar el medicamento de inmediato si siente dolor en el pecho.",
        "Stop taking the medication immediately if you feel chest pain.",
    ),
]


@pytest.mark.parametrize(("src", "tgt", "source", "translation"), MEDICAL)
def test_a_medical_text_in_any_language_waits_for_a_person(
    src: str, tgt: str, source: str, translation: str, tmp_path: Path
) -> None:
    client = Client(one_engine(tmp_path))
    try:
        held = client.check(source, translation, to=tgt, source_lang=src, profile="medical")
        plain = client.check(source, translation, to=tgt, source_lang=src)  # the ecommerce profile
    finally:
        client.close()
    assert "sensitive" in held.failed and held.decision == "review", held.findings
    assert "sensitive" not in plain.failed


def test_an_item_marked_urgent_waits_and_the_engine_never_sees_the_mark(
    apertium: None, tmp_path: Path
) -> None:
    rows = [
        {"id": "a", "name": "The red shoes are cheap.", "urgency": "urgent"},
        {"id": "b", "name": "The blue hat is cheap."},
        {"id": "c", "name": "The dog is big.", "sensitivity": "sensitive"},
    ]
    (tmp_path / "cat.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    done = run_tolk("translate", "cat.jsonl", "--to", "es", "--fields", "name", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = run_tolk("export", "--lang", "es", "--all", cwd=tmp_path)
    status = {r["id"]: (r["status"], r["failed"]) for r in map(json.loads, out.stdout.splitlines())}
    assert status["a"] == ("NEEDS_REVIEW", ["sensitive"]) and status["c"] == ("NEEDS_REVIEW", ["sensitive"])
    assert status["b"][0] == "CHECKED"
    with StandIn() as server:  # what an LLM engine is sent: the text and its context, not the mark
        engine = EngineSettings(
            kind="openai", model="m", base_url=server.base_url, api_keys=["k"], external=False
        )
        s = Settings(default_engine="llm", engines={"llm": engine}, store=f"sqlite:///{tmp_path / 'llm.db'}")
        client = Client(s)
        try:
            client.translate_catalog(tmp_path / "cat.jsonl", "es", fields=["name"])
        finally:
            client.close()
        sent = "".join(json.dumps(r.body) for r in server.requests)
        assert "urgency" not in sent and "flagged" not in sent and "The red shoes" in sent


def test_a_request_marked_urgent_waits(apertium: None, tmp_path: Path) -> None:
    s = one_engine(tmp_path, "apertium")
    token = tokens_for(s, api=(auth.Role.viewer, []))["api"]
    body = {"text": ["The red shoes are cheap."], "source": "en", "target": "es"}
    with TestClient(create_app(s)) as client:
        plain = client.post("/v1/translate", json=body, headers=bearer(token)).json()["translations"][0]
        urgent = client.post("/v1/translate", json=body | {"sensitivity": "urgent"}, headers=bearer(token))
        bad = client.post("/v1/translate", json=body | {"sensitivity": "very"}, headers=bearer(token))
    assert plain["status"] == "CHECKED"
    [held] = urgent.json()["translations"]  # the same text, answered before: judged again with the mark
    assert held["status"] == "NEEDS_REVIEW" and held["failed"] == ["sensitive"]
    assert bad.status_code == 422 and "sensitivity" in bad.text


def test_the_python_api_takes_the_mark_too(apertium: None, tmp_path: Path) -> None:
    client = Client(one_engine(tmp_path, "apertium"))
    try:
        plain = client.translate("The red shoes are cheap.", "es", source="en")
        urgent = client.translate("The red shoes are cheap.", "es", source="en", sensitivity="urgent")
        with pytest.raises(ValueError, match="sensitivity 'very' is not one of"):
            client.translate("x", "es", source="en", sensitivity="very")
    finally:
        client.close()
    assert plain.publishable and not urgent.publishable and urgent.failed == ["sensitive"]
