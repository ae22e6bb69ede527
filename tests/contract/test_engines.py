"""One contract every engine passes, generated from the registry: tolk's own engines and any an installed
plugin adds (tests/test_plugins.py runs it on one) are in it the moment they are registered."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.conftest import need_apertium
from tolk.config import EngineSettings, Settings
from tolk.core import Hints, Result, Segment, Term, UnsupportedPair
from tolk.engines import registry
from tolk.engines.base import Engine
from tolk.engines.http import HttpEngine
from tolk.testing.mt_standins import DeepLStandIn, LibreTranslateStandIn
from tolk.testing.standin import StandIn

ENGINES = registry.kinds()
WIRE: dict[str, type[StandIn | DeepLStandIn | LibreTranslateStandIn]] = {
    "deepl": DeepLStandIn,
    "libretranslate": LibreTranslateStandIn,
}
NIKE = Term("Nike", "Nike", do_not_translate=True, case_sensitive=True)


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    kind = request.param
    if kind == "apertium":
        need_apertium()
    if not issubclass(registry.engine_class(kind), HttpEngine):  # a local engine: nothing to stand in for
        yield registry.build(Settings(engines={"e": EngineSettings(kind=kind)}), "e")
        return
    # an HTTP engine talks to a local server speaking its provider's format (OpenAI's unless named here)
    server = WIRE.get(kind, StandIn)(api_keys={"k"})
    with server:
        conf = EngineSettings(kind=kind, model="m", base_url=server.base_url, api_keys=["k"], external=False)
        yield registry.build(Settings(engines={"e": conf}), "e")


def run(
    engine: Engine, segments: list[Segment], source: str = "en", target: str = "es", hints: Hints = Hints()
) -> list[Result]:
    async def go() -> list[Result]:
        try:
            return await engine.translate(segments, source, target, hints)
        finally:
            await engine.aclose()

    return asyncio.run(go())


def test_one_result_per_segment_in_order(engine: Engine) -> None:
    segments = [Segment(f"s{i}", f"The red shoes number {i} are cheap.") for i in range(7)]
    results = run(engine, segments)
    assert [r.id for r in results] == [s.id for s in segments]
    assert all(r.ok and r.text.strip() for r in results), [r.error for r in results]
    assert all(r.engine == "e" and r.model for r in results)


def test_placeholders_and_markup_survive(engine: Engine) -> None:
    text = "Hello {name}, your <b>order</b> of %d items ships in {{days}} days."
    [result] = run(engine, [Segment("1", text)])
    assert result.ok, result.error
    for kept in ("{name}", "%d", "{{days}}", "<b>", "</b>"):
        assert kept in result.text


def test_do_not_translate_terms_survive(engine: Engine) -> None:
    [result] = run(engine, [Segment("1", "Nike running shoes for the city.")], hints=Hints(terms=(NIKE,)))
    assert result.ok, result.error
    assert "Nike" in result.text


def test_empty_batch(engine: Engine) -> None:
    assert run(engine, []) == []


def test_unsupported_pair_names_engine_and_pair(engine: Engine) -> None:
    with pytest.raises(UnsupportedPair, match=r"'e' cannot translate en -> en"):
        run(engine, [Segment("1", "x")], "en", "en")


def test_usage_is_counted(engine: Engine) -> None:
    run(engine, [Segment("1", "One."), Segment("2", "Two.")])
    assert engine.usage.requests >= 1


def test_fingerprint_names_the_kind(engine: Engine) -> None:
    assert engine.fingerprint.startswith(engine.kind + ":")
