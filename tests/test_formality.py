"""Formality end to end: configured per language or asked per request, told to the engine, part of
the cache key, and checked by the gate where the register shows (Korean, German, Japanese)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from tests.conftest import run_tolk
from tolk import profiles
from tolk.client import Client
from tolk.config import EngineSettings, ProfileSettings, Settings
from tolk.formality import Formality, instruction
from tolk.testing.standin import Answer, StandIn


def test_configured_per_language_with_a_default() -> None:
    table = Formality.parse({"default": "prefer_less", "de": "more", "ko_KR": "More"})
    assert table.target("de-AT") == "more"  # a region falls back to its language
    assert table.target("ko") == "more"
    assert table.target("es") == "prefer_less"
    assert Formality.parse("less").target("ja") == "less"
    assert Formality().target("de") == "default"
    with pytest.raises(ValidationError, match="formality 'polite' is not one of"):
        Settings(formality="polite")


def test_a_profile_chooses_over_the_configuration() -> None:
    s = Settings(
        formality={"default": "less", "ja": "less"},
        profiles={"shop": ProfileSettings(formality={"ja": "more"})},
    )
    shop = profiles.resolve(s, "shop").formality.over(Formality(s.formality))
    assert (shop.target("ja"), shop.target("de")) == ("more", "less")
    business = profiles.resolve(s, "business").formality.over(Formality(s.formality))
    assert business.target("de") == "prefer_more"  # a support reply addresses its reader politely


def test_an_llm_is_told_the_register_in_the_languages_own_words() -> None:
    assert instruction("more", "ko") == "Address the reader in formal polite speech (합니다체 or 해요체)."
    assert instruction("prefer_less", "de-CH") == "Address the reader in the informal 'du'."
    assert instruction("more", "th") == "Address the reader in a formal, polite register."
    assert instruction("default", "de") is None


def _korean(casual: bool) -> Any:
    """A chat stand-in that answers every segment in casual (반말) or polite Korean."""

    def reply(body: dict[str, Any]) -> Answer:
        segments = json.loads(body["messages"][-1]["content"])["segments"]
        text = (
            "이 신발은 정말 가벼워. 지금 사 봐!" if casual else "이 신발은 정말 가볍습니다. 지금 구매하세요!"
        )
        out = [{"id": s["id"], "text": text} for s in segments]
        return Answer(json.dumps({"translations": out}, ensure_ascii=False))

    return reply


def _client(folder: Path, server: StandIn, **extra: Any) -> Client:
    engine = EngineSettings(
        kind="openai", model="m", base_url=server.base_url, api_keys=["k"], external=False
    )
    s = Settings(
        default_engine="llm",
        engines={"llm": engine},
        store=f"sqlite:///{folder / 'tolk.db'}",
        quality={"refine": "never"},
        **extra,
    )
    return Client(s)


def test_the_register_asked_for_reaches_the_engine_and_the_gate(tmp_path: Path) -> None:
    text = "These shoes are really light. Buy them now!"
    with StandIn(_korean(casual=True)) as server:
        client = _client(tmp_path, server, formality={"ko": "more"})
        try:
            casual = client.translate(text, "ko")
            system = server.requests[-1].body["messages"][0]["content"]
            assert "합니다체" in system  # the configured register, in the engine's instructions
            assert (
                casual.failed == ["register"] and not casual.publishable
            )  # held: 반말 where 존댓말 was asked
            relaxed = client.translate(text, "ko", formality="less")
            assert len(server.requests) == 2  # another register is another answer: not the cached one
            assert "반말" in server.requests[-1].body["messages"][0]["content"]
            assert relaxed.publishable and relaxed.failed == []
        finally:
            client.close()


def test_the_same_text_in_the_register_asked_for_passes(tmp_path: Path) -> None:
    with StandIn(_korean(casual=False)) as server:
        client = _client(tmp_path, server, formality="more")
        try:
            polite = client.translate("These shoes are really light. Buy them now!", "ko")
            assert polite.publishable, polite.failed
            assert client.check("Buy now!", "지금 사!", to="ko", formality="more").failed == []
            assert client.check("Buy them now.", "지금 사 봐.", to="ko").failed == ["register"]
        finally:
            client.close()


def test_the_cli_takes_formality_and_names_a_bad_one(tmp_path: Path) -> None:
    lines = [
        {
            "id": "1",
            "src_lang": "en",
            "tgt_lang": "de",
            "source": "Order now.",
            "translation": "Bestell jetzt, du!",
        },
        {
            "id": "2",
            "src_lang": "en",
            "tgt_lang": "de",
            "source": "Order now.",
            "translation": "Bestellen Sie jetzt.",
            "formality": "less",
        },
    ]
    records = "".join(json.dumps(line) + "\n" for line in lines)
    done = run_tolk("check", "-", "--formality", "more", "--format", "jsonl", cwd=tmp_path, input=records)
    verdicts = [json.loads(line) for line in done.stdout.splitlines()]
    assert [v["failed"] for v in verdicts] == [["register"], ["register"]], done.stderr
    bad = run_tolk("translate", "-", "--to", "de", "--formality", "polite", cwd=tmp_path, input="")
    assert bad.returncode == 2 and "formality 'polite' is not one of" in bad.stderr
