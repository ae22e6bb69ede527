"""Apertium through its real pipeline (Debian's packages)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tolk.config import EngineSettings
from tolk.core import Result, Segment
from tolk.engines.apertium import ApertiumEngine, from_stream, to_stream


def test_stream_format_round_trip() -> None:
    text = "Price [50%] <b>$5</b> & more\nline two ⟦1⟧ a*b {x} @home #tag"
    stream = to_stream(text)
    assert "[\\<b\\>]" in stream and "[⟦1⟧]" in stream and "[\n]" in stream
    back, unknown = from_stream(stream)
    assert back == text and unknown == []


def test_unknown_marks_are_recorded_and_removed() -> None:
    text, unknown = from_stream("Hola *Xyzzyq mundo #cosa @otra [<b>]")
    assert text == "Hola Xyzzyq mundo cosa otra <b>"
    assert unknown == ["Xyzzyq", "cosa", "otra"]


def _translate(engine: ApertiumEngine, texts: list[str]) -> list:  # type: ignore[type-arg]
    async def go() -> list[Result]:
        try:
            return await engine.translate([Segment(str(i), t) for i, t in enumerate(texts)], "en", "es")
        finally:
            await engine.aclose()

    return asyncio.run(go())


@pytest.fixture
def engine(apertium: None) -> ApertiumEngine:
    return ApertiumEngine("apertium", EngineSettings(kind="apertium", external=False))


def test_translates_to_spanish(engine: ApertiumEngine) -> None:
    [res] = _translate(engine, ["The red shoes are cheap."])
    assert res.ok
    assert "zapatos" in res.text and "barato" in res.text


def test_html_is_kept(engine: ApertiumEngine) -> None:
    [res] = _translate(engine, ["<p>Classic <b>white</b> shoes &amp; socks.</p>"])
    assert res.text.startswith("<p>") and res.text.endswith("</p>")
    assert "<b>" in res.text and "</b>" in res.text and "&amp;" in res.text


def test_unknown_words_are_recorded(engine: ApertiumEngine) -> None:
    [res] = _translate(engine, ["The Blorptastic shoes."])
    assert "Blorptastic" in res.unknown_words
    assert "*" not in res.text


def test_many_segments_one_process(engine: ApertiumEngine) -> None:
    async def go() -> tuple[int, set[int | None]]:
        pids: set[int | None] = set()
        segments = [Segment(str(i), f"I have {i} dogs.") for i in range(300)]
        for _ in range(3):
            results = await engine.translate(segments, "en", "es")
            assert [r.id for r in results] == [s.id for s in segments]
            assert all(f"{i} " in r.text for i, r in enumerate(results))
            pids |= {p.proc.pid for p in engine._pipelines.values() if p.proc}
        await engine.aclose()
        return engine.usage.requests, pids

    requests, pids = asyncio.run(go())
    assert len(pids) == 1  # one long-lived pipeline, never a process per segment
    assert requests == 3


def test_a_nul_in_the_source_cannot_misalign_segments(engine: ApertiumEngine) -> None:
    results = _translate(engine, ["The red\0shoes.", "The cat.", "The dog."])
    assert [r.id for r in results] == ["0", "1", "2"]
    assert "gato" in results[1].text and "perro" in results[2].text


def test_pairs_and_unsupported(engine: ApertiumEngine) -> None:
    assert ("en", "es") in engine.pairs()
    assert not engine.supports("en", "ko")
    assert "installed pairs" in engine.pair_hint()


@pytest.mark.parametrize(("command", "why"), [("tail -f /dev/null", "no output within"), ("false", "failed")])
def test_a_stuck_or_dead_pipeline_fails_the_batch_not_the_run(
    tmp_path: Path, apertium: None, command: str, why: str
) -> None:
    (tmp_path / "modes").mkdir()
    (tmp_path / "modes" / "eng-spa.mode").write_text(command + "\n")
    conf = EngineSettings(kind="apertium", timeout_s=0.5, options={"datadir": str(tmp_path)})
    results = _translate(ApertiumEngine("apertium", conf), ["One.", "Two."])
    assert [r.ok for r in results] == [False, False]
    assert why in (results[0].error or "")


def test_batches_in_flight_together_each_get_their_own_answers(engine: ApertiumEngine) -> None:
    """A batch is written while the one before is still read: the outputs stay with their batch."""

    async def go() -> list[list[Result]]:
        batches = [[Segment(f"{b}-{i}", f"I have {b * 100 + i} dogs.") for i in range(50)] for b in range(4)]
        try:
            return list(await asyncio.gather(*(engine.translate(s, "en", "es") for s in batches)))
        finally:
            await engine.aclose()

    for b, results in enumerate(asyncio.run(go())):
        assert [r.id for r in results] == [f"{b}-{i}" for i in range(50)]
        assert all(r.ok and f"{b * 100 + i} " in r.text for i, r in enumerate(results))


def test_a_batch_cancelled_mid_way_does_not_shift_the_next_ones(engine: ApertiumEngine) -> None:
    async def go() -> list[Result]:
        long = [Segment(str(i), f"I have {i} dogs.") for i in range(2000)]
        try:
            first = asyncio.create_task(engine.translate(long, "en", "es"))
            await asyncio.sleep(0.2)
            first.cancel()
            with pytest.raises(asyncio.CancelledError):
                await first
            return await engine.translate([Segment("cat", "The cat.")], "en", "es")
        finally:
            await engine.aclose()

    [res] = asyncio.run(go())
    assert res.ok and "gato" in res.text
