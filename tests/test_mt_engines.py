"""The `deepl` and `libretranslate` engines: their providers' wire formats (against local servers that
speak them, and against tolk's own DeepL and LibreTranslate endpoints), keys, quotas and errors."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import one_engine, serving, tokens_for
from tests.test_http_engines import translate
from tolk.api import auth
from tolk.api.app import create_app
from tolk.client import Client
from tolk.config import EngineSettings, Settings
from tolk.core import Hints, Result, Term
from tolk.engines import registry
from tolk.engines.base import Engine
from tolk.testing.mt_standins import DeepLStandIn, LibreTranslateStandIn


def build(kind: str, url: str, keys: list[str], **extra: Any) -> Engine:
    conf = EngineSettings(kind=kind, base_url=url, api_keys=keys, external=False, attempts=2, **extra)
    return registry.build(Settings(engines={"e": conf}), "e")


def run(engine: Engine, texts: list[str], source: str, target: str, hints: Hints = Hints()) -> list[Result]:
    return translate(engine, texts, hints, source, target)


def test_deepl_speaks_deepls_format() -> None:
    with DeepLStandIn(api_keys={"k:fx"}) as server:
        engine = build("deepl", server.base_url, ["k:fx"])
        [plain, marked] = run(
            engine, ["Red shoes", "Hello {name} & <b>friends</b>"], "en", "pt-BR", Hints(formality="more")
        )
        sent = server.requests[-1]
        assert sent.headers["Authorization"] == "DeepL-Auth-Key k:fx"
        body = sent.body
        assert (body["source_lang"], body["target_lang"], body["formality"]) == ("EN", "PT-BR", "prefer_more")
        assert body["tag_handling"] == "xml"  # the placeholder travels as a tag, the markup as markup
        assert body["text"][1] == 'Hello <x id="1"/> &amp; &lt;b&gt;friends&lt;/b&gt;'
        assert plain.text == "[PT] Red shoes" and marked.text == "[PT] Hello {name} & <b>friends</b>"
        assert plain.ok and marked.ok and engine.usage.tokens_in == len("Red shoes") + len(body["text"][1])


def test_deepl_names_targets_as_deepl_does() -> None:
    with DeepLStandIn() as server:
        for tag, code in (
            ("en", "EN-US"),
            ("en-GB", "EN-GB"),
            ("pt", "PT-PT"),
            ("zh-TW", "ZH-HANT"),
            ("zh-CN", "ZH-HANS"),
            ("es-MX", "ES"),
        ):
            [result] = run(build("deepl", server.base_url, ["k"]), ["Hallo"], "de", tag)
            assert result.ok, result.error
            assert server.requests[-1].body["target_lang"] == code


def test_deepl_terms_go_in_one_glossary() -> None:
    terms = (Term("sneakers", "zapatillas"), Term("Nike", "Nike", do_not_translate=True))
    with DeepLStandIn() as server:
        engine = build("deepl", server.base_url, ["k"], batch_size=1)
        results = run(engine, ["Nike sneakers", "White sneakers"], "en", "es", Hints(terms=terms))
        assert [r.text for r in results] == ["[ES] Nike zapatillas", "[ES] White zapatillas"]
        made = [r for r in server.requests if r.path == "/v2/glossaries"]
        assert len(made) == 1  # two requests, one glossary
        assert made[0].body["entries"] == "sneakers\tzapatillas\nNike\tNike\n"
        ids = {r.body["glossary_id"] for r in server.requests if r.path == "/v2/translate"}
        assert ids == set(server.glossaries)


def test_deepl_quota_moves_to_the_next_key_and_a_bad_key_is_named() -> None:
    with DeepLStandIn(api_keys={"a", "b"}) as server:
        server.script.append((456, {"message": "Quota exceeded"}))
        [result] = run(build("deepl", server.base_url, ["a", "b"]), ["Hallo"], "de", "en")
        assert result.ok and result.text == "[EN] Hallo"
        keys = [r.headers["Authorization"] for r in server.requests]
        assert keys == ["DeepL-Auth-Key a", "DeepL-Auth-Key b"]
        [refused] = run(build("deepl", server.base_url, ["wrong"]), ["Hallo"], "de", "en")
        assert not refused.ok and "API key rejected (403)" in (refused.error or "")
        server.script.append((400, {"message": "Value for 'target_lang' not supported."}))
        [failed] = run(build("deepl", server.base_url, ["a"]), ["Hallo"], "de", "en")
        assert not failed.ok and "target_lang' not supported" in (failed.error or "")


def test_deepl_status_reads_usage() -> None:
    with DeepLStandIn(quota_chars=500_000) as server:
        engine = build("deepl", server.base_url, ["k"])
        ok, why = asyncio.run(engine.status())
        assert ok and why == "0 of 500,000 characters used"
        ok, why = asyncio.run(build("deepl", "http://127.0.0.1:9", ["k"]).status())
        assert not ok and why.startswith("unreachable")


def test_libretranslate_speaks_its_format() -> None:
    with LibreTranslateStandIn(api_keys={"secret"}) as server:
        engine = build("libretranslate", server.base_url, ["secret"])
        [plain, marked] = run(engine, ["Red shoes", "Only {count} left"], "en", "zh-TW")
        body = server.requests[-1].body
        assert (body["api_key"], body["source"], body["target"], body["format"]) == (
            "secret",
            "en",
            "zh-Hant",
            "html",
        )
        assert body["q"] == ["Red shoes", 'Only <x id="1"/> left']
        assert plain.text == "[zh-Hant] Red shoes" and marked.text == "[zh-Hant] Only {count} left"
        [lacking] = run(build("libretranslate", server.base_url, ["secret"]), ["Hei"], "fi", "en")
        assert not lacking.ok and "fi is not supported" in (lacking.error or "")
        [refused] = run(build("libretranslate", server.base_url, ["nope"]), ["Hi"], "en", "es")
        assert not refused.ok and "API key rejected (403): Invalid API key" in (refused.error or "")
        ok, why = asyncio.run(build("libretranslate", server.base_url, []).status())
        assert ok and why == "10 languages"


@pytest.fixture
def tolk_server(apertium: None, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """tolk serve with Apertium behind it, and a token: the far side of the engines below."""
    (tmp_path / "server").mkdir()
    s = one_engine(tmp_path / "server", "apertium")
    token = tokens_for(s, engine=(auth.Role.viewer, []))["engine"]
    with serving(create_app(s)) as url:
        yield url, token


@pytest.mark.parametrize("kind", ["deepl", "libretranslate"])
def test_each_engine_reaches_another_tolk(kind: str, tolk_server: tuple[str, str], tmp_path: Path) -> None:
    """tolk's own DeepL and LibreTranslate endpoints pass their official clients' tests: the engines
    that speak those formats work against them, through a whole translate call."""
    url, token = tolk_server
    conf = EngineSettings(kind=kind, base_url=url, api_keys=[token], external=False)
    client = Client(
        Settings(default_engine="far", engines={"far": conf}, store=f"sqlite:///{tmp_path / 'here.db'}")
    )
    try:
        done = client.translate(
            ["The red shoes are cheap.", "Hello {name}, the dog is big."], "es", source="en"
        )
    finally:
        client.close()
    assert [t.text for t in done] == ["Los zapatos rojos son baratos.", "Hola {name}, el perro es grande."]
    assert all(t.publishable for t in done), [t.failed for t in done]


def test_deepl_without_a_glossary_for_the_pair_translates_all_the_same() -> None:
    with DeepLStandIn() as server:
        server.script.append((400, {"message": "Unsupported glossary language pair"}))
        engine = build("deepl", server.base_url, ["k"], batch_size=1)
        terms = (Term("sneakers", "zapatillas"),)
        results = run(engine, ["White sneakers", "Red sneakers"], "en", "es", Hints(terms=terms))
        assert [r.ok for r in results] == [True, True]  # the gate's glossary check judges the terms
        assert [r.path for r in server.requests].count("/v2/glossaries") == 1  # asked once, not per batch
        assert all("glossary_id" not in r.body for r in server.requests if r.path == "/v2/translate")
