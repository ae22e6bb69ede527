"""Finding a text's language where the source is unknown: `auto` in the API and the library,
`--from auto` for a catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import run_tolk
from tolk.store.repo import Store
from tolk.text.identify import identify


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("Soft cotton pillow for the bedroom.", "en"),
        ("Almohada de algodón suave para el dormitorio.", "es"),
        ("Weiches Baumwollkissen für das Schlafzimmer.", "de"),
        ("Oreiller en coton doux pour la chambre.", "fr"),
        ("Travesseiro de algodão macio para o quarto.", "pt"),
        ("침실용 부드러운 면 베개", "ko"),
        ("寝室用の柔らかい綿の枕です。", "ja"),
        ("卧室用柔软棉枕头", "zh-CN"),
        ("臥室用柔軟棉枕頭", "zh-TW"),
        ("หมอนผ้าฝ้ายนุ่มสำหรับห้องนอน", "th"),
        ("Мягкая хлопковая подушка для спальни.", "ru"),
    ],
)
def test_the_language_of_a_text(text: str, tag: str) -> None:
    found = identify(text)
    assert found is not None and found.tag == tag


def test_too_few_letters_say_nothing() -> None:
    assert identify("X2") is None and identify("42 / 7") is None


def test_the_api_fills_detected_source(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    body = {"text": ["Soft cotton pillow for the bedroom.", "Weiches Baumwollkissen."], "target": "es"}
    body["source"] = "auto"
    r = client.post("/v1/translate", json=body, headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert [t["detected_source"] for t in out["translations"]] == ["en", "de"]
    assert out["detected_source"] in {"en", "de"}


def test_a_text_already_in_the_target_comes_back_unchanged(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    body = {"text": "Almohada de algodón suave para el dormitorio.", "source": "auto", "target": "es"}
    r = client.post("/v1/translate", json=body, headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert r.status_code == 200, r.text
    [t] = r.json()["translations"]
    assert t["text"] == body["text"] and t["detected_source"] == "es" and t["status"] == "CHECKED"


def test_a_catalog_from_auto_stores_each_items_language(apertium: None, tmp_path: Path) -> None:
    rows = [
        {"id": "p1", "name": "The red shoes are cheap."},
        {"id": "p2", "name": "Los zapatos rojos son baratos."},
    ]
    (tmp_path / "catalog.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    done = run_tolk(
        "translate", "catalog.jsonl", "--from", "auto", "--to", "es", "--engine", "apertium", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    store = Store(f"sqlite:///{tmp_path / 'tolk.db'}")
    try:
        with store.sessions() as session:
            langs = {i: store.source_lang(session, i) for i in ("p1", "p2")}
        exported = {r["id"]: r for r in store.export_rows("es")}
    finally:
        store.close()
    assert langs == {"p1": "en", "p2": "es"}
    assert exported["p1"]["text"] == "Los zapatos rojos son baratos."
    assert "p2" not in exported  # already Spanish: nothing to translate
