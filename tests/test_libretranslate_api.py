"""LibreTranslate's API on `tolk serve`, driven by `libretranslatepy` (LibreTranslate's Python client)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError

import httpx
import pytest
from libretranslatepy import LibreTranslateAPI

from tests.conftest import one_engine, serving, tokens_for
from tolk.api import auth
from tolk.api.app import create_app


@pytest.fixture
def tolk_server(apertium: None, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    s = one_engine(tmp_path, "apertium")
    tokens = tokens_for(s, viewer=(auth.Role.viewer, []), **{"ko-only": (auth.Role.viewer, ["ko"])})
    with serving(create_app(s)) as url:
        yield url, tokens


def test_translate_detect_and_languages_through_the_client(tolk_server: tuple[str, dict[str, str]]) -> None:
    url, tokens = tolk_server
    lt = LibreTranslateAPI(url, api_key=tokens["viewer"])
    assert lt.translate("The red shoes are cheap.", "en", "es") == "Los zapatos rojos son baratos."
    assert lt.translate("The dog is big.", "auto", "es") == "El perro es grande."
    [found] = lt.detect("Los zapatos rojos son baratos.")
    assert found["language"] == "es" and found["confidence"] > 0
    langs = {row["code"]: row for row in lt.languages()}
    assert langs["en"]["targets"] == ["es"] and langs["es"]["targets"] == ["en"]


def test_lists_html_and_detected_language(tolk_server: tuple[str, dict[str, str]]) -> None:
    url, tokens = tolk_server
    with httpx.Client(base_url=url) as http:
        body = {"q": ["The dog is big.", "<p>The <b>cat</b> is small.</p>"], "source": "auto", "target": "es"}
        r = http.post("/translate", json={**body, "format": "html", "api_key": tokens["viewer"]})
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["translatedText"][0] == "El perro es grande."
        assert out["translatedText"][1].startswith("<p>") and "<b>" in out["translatedText"][1]
        assert [d["language"] for d in out["detectedLanguage"]] == ["en", "en"]
        alt = http.post("/translate", json={"q": "The dog.", "source": "en", "target": "es",
                                            "alternatives": 3, "api_key": tokens["viewer"]})  # fmt: skip
        assert alt.json()["alternatives"] == [] and isinstance(alt.json()["translatedText"], str)
        settings = http.get("/frontend/settings").json()
        assert settings["keyRequired"] is True and settings["language"]["source"]["code"] == "auto"


def test_keys_limits_and_errors(tolk_server: tuple[str, dict[str, str]]) -> None:
    url, tokens = tolk_server
    with pytest.raises(HTTPError) as no_key:
        LibreTranslateAPI(url).translate("The dog.", "en", "es")
    assert no_key.value.code == 403
    with pytest.raises(HTTPError) as other_language:
        LibreTranslateAPI(url, api_key=tokens["ko-only"]).translate("The dog.", "en", "es")
    assert other_language.value.code == 403
    with httpx.Client(base_url=url) as http:
        bad = http.post(
            "/translate", data={"q": "x", "source": "en", "target": "xx-nope", "api_key": tokens["viewer"]}
        )
        assert bad.status_code == 400 and "xx-nope" in bad.json()["error"]
        broken = http.post("/translate", content=b"[1, 2", headers={"Content-Type": "application/json"})
        assert broken.status_code == 400 and "not valid JSON" in broken.json()["error"]
        none = http.post("/translate", data={"source": "en", "target": "es", "api_key": tokens["viewer"]})
        assert none.status_code == 400 and "q" in none.json()["error"]


def test_a_translation_the_gate_holds_is_not_returned(tmp_path: Path) -> None:
    s = one_engine(tmp_path)
    token = tokens_for(s, v=(auth.Role.viewer, []))["v"]
    with serving(create_app(s)) as url, pytest.raises(HTTPError) as held:
        LibreTranslateAPI(url, api_key=token).translate("Soft cotton pillow for the bedroom.", "en", "es")
    assert held.value.code == 422
    assert "held by tolk's quality gate" in held.value.read().decode()
