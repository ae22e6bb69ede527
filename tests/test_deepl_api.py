"""DeepL's API on `tolk serve`, driven by DeepL's own Python SDK (`deepl`, server_url pointed at tolk)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import deepl
import httpx
import pytest

from tests.conftest import one_engine, serving, tokens_for
from tolk.api import auth
from tolk.api.app import create_app


@pytest.fixture
def tolk_server(apertium: None, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """tolk serve with Apertium (en <-> es), and a token per role, one limited to Korean."""
    s = one_engine(tmp_path, "apertium")
    tokens = tokens_for(s, **{r.name: (r, []) for r in auth.Role}, **{"ko-only": (auth.Role.viewer, ["ko"])})
    with serving(create_app(s)) as url:
        yield url, tokens


def sdk(url: str, token: str) -> deepl.Translator:
    return deepl.Translator(token, server_url=url, send_platform_info=False)


def test_translate_text_through_the_sdk(tolk_server: tuple[str, dict[str, str]]) -> None:
    url, tokens = tolk_server
    translator = sdk(url, tokens["viewer"])
    one = translator.translate_text("The red shoes are cheap.", source_lang="EN", target_lang="ES")
    assert isinstance(one, deepl.TextResult)
    assert one.text == "Los zapatos rojos son baratos."
    assert one.detected_source_lang == "EN" and one.billed_characters == len("The red shoes are cheap.")
    many = translator.translate_text(["The dog is big.", "The cat is small."], target_lang="es")
    assert isinstance(many, list)
    assert [r.text for r in many] == ["El perro es grande.", "El gato es pequeño."]
    assert [r.detected_source_lang for r in many] == ["EN", "EN"]  # found: no source_lang was given


def test_html_keeps_its_tags(tolk_server: tuple[str, dict[str, str]]) -> None:
    url, tokens = tolk_server
    result = sdk(url, tokens["viewer"]).translate_text(
        "<p>The <b>red</b> shoes are cheap.</p>", source_lang="EN", target_lang="ES", tag_handling="html"
    )
    assert isinstance(result, deepl.TextResult)
    assert result.text.startswith("<p>") and "<b>" in result.text and result.text.endswith("</p>")


def test_languages_and_usage(tolk_server: tuple[str, dict[str, str]]) -> None:
    url, tokens = tolk_server
    translator = sdk(url, tokens["viewer"])
    assert {lang.code for lang in translator.get_source_languages()} == {"EN", "ES"}
    targets = {lang.code: lang for lang in translator.get_target_languages()}
    assert {"ES", "EN-US", "EN-GB"} <= set(targets)
    assert targets["ES"].supports_formality is True  # usted / tú
    assert targets["EN-US"].supports_formality is False
    before = translator.get_usage().character.count
    translator.translate_text("The cat is small.", source_lang="EN", target_lang="ES")
    usage = translator.get_usage()
    assert usage.character.count == (before or 0) + len("The cat is small.")
    assert usage.character.valid and not usage.any_limit_reached


def test_glossaries_through_the_sdk(tolk_server: tuple[str, dict[str, str]]) -> None:
    url, tokens = tolk_server
    admin = sdk(url, tokens["admin"])
    made = admin.create_glossary("shop", source_lang="EN", target_lang="ES", entries={"shoes": "zapatillas"})
    assert made.ready and made.entry_count == 1 and made.source_lang == "EN" and made.target_lang == "ES"
    assert [g.glossary_id for g in admin.list_glossaries()] == [made.glossary_id]
    assert admin.get_glossary(made.glossary_id).name == "shop"
    assert admin.get_glossary_entries(made) == {"shoes": "zapatillas"}
    assert ("en", "es") in {
        (p.source_lang.lower(), p.target_lang.lower()) for p in admin.get_glossary_languages()
    }

    result = sdk(url, tokens["viewer"]).translate_text(
        "The red shoes.", source_lang="EN", target_lang="ES", glossary=made
    )
    assert isinstance(result, deepl.TextResult) and "zapatillas" in result.text

    with pytest.raises(deepl.AuthorizationException):  # glossaries are the admin's
        sdk(url, tokens["viewer"]).delete_glossary(made)
    admin.delete_glossary(made)
    with pytest.raises(deepl.GlossaryNotFoundException):
        admin.get_glossary(made.glossary_id)


def test_keys_and_their_languages(tolk_server: tuple[str, dict[str, str]]) -> None:
    url, tokens = tolk_server
    with pytest.raises(deepl.AuthorizationException):
        sdk(url, "tolk_not-a-token").translate_text("Hello.", target_lang="ES")
    with pytest.raises(deepl.AuthorizationException, match="limited to ko"):
        sdk(url, tokens["ko-only"]).translate_text("Hello.", source_lang="EN", target_lang="ES")


def test_errors_keep_deepls_shape(tolk_server: tuple[str, dict[str, str]]) -> None:
    url, tokens = tolk_server
    key = {"Authorization": f"DeepL-Auth-Key {tokens['viewer']}"}
    with httpx.Client(base_url=url, headers=key) as http:
        form = http.post("/v2/translate", data={"text": ["The dog.", "The cat."], "target_lang": "ES"})
        assert form.status_code == 200 and len(form.json()["translations"]) == 2
        bad = http.post("/v2/translate", data={"text": "The dog.", "target_lang": "XX-NOPE"})
        assert bad.status_code == 400 and "target_lang" in bad.json()["message"]
        none = http.post("/v2/translate", data={"target_lang": "ES"})
        assert none.status_code == 400 and "text" in none.json()["message"]
        many = http.post("/v2/translate", data={"text": ["x"] * 51, "target_lang": "ES"})
        assert many.status_code == 413
        broken = http.post(
            "/v2/translate", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert broken.status_code == 400 and "not valid JSON" in broken.json()["message"]
        formal = http.post(
            "/v2/translate",
            json={"text": ["El perro."], "source_lang": "ES", "target_lang": "EN-US", "formality": "more"},
        )
        assert formal.status_code == 400 and "formality" in formal.json()["message"]
        unknown = http.post(
            "/v2/translate", json={"text": ["The dog."], "target_lang": "ES", "formality": "very"}
        )
        assert unknown.status_code == 400 and "formality" in unknown.json()["message"]
        prefer = http.post(
            "/v2/translate", json={"text": ["The dog."], "target_lang": "ES", "formality": "prefer_more"}
        )
        assert prefer.status_code == 200


def test_a_translation_the_gate_holds_is_not_returned(tmp_path: Path) -> None:
    """The dummy engine echoes English: the gate holds every text, so a DeepL client gets an error
    naming them, never the failed text as if it were a translation."""
    s = one_engine(tmp_path)
    token = tokens_for(s, v=(auth.Role.viewer, []))["v"]
    with serving(create_app(s)) as url, pytest.raises(deepl.DeepLException) as refused:
        sdk(url, token).translate_text(
            "Soft cotton pillow for the bedroom.", source_lang="EN", target_lang="ES"
        )
    assert refused.value.http_status_code == 422
    assert "held by tolk's quality gate" in str(refused.value) and "language" in str(refused.value)
