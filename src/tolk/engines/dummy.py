"""A deterministic engine for tests and dry runs: `[es] Red shoes`. Never the default.

It counts its calls like any engine, so tests can assert "0 engine calls" honestly.
"""

from __future__ import annotations

from tolk.core import Hints, Result, Segment, Usage
from tolk.engines.base import Engine


class DummyEngine(Engine):
    kind = "dummy"
    native_terms = False

    @property
    def model(self) -> str:
        return self.settings.model or "dummy"

    async def _translate_batch(
        self, segments: list[Segment], source: str, target: str, hints: Hints
    ) -> list[Result]:
        results = []
        for i, seg in enumerate(segments):
            usage = Usage(requests=1 if i == 0 else 0, tokens_in=len(seg.text.split()), tokens_out=0)
            usage.tokens_out = usage.tokens_in + 1
            results.append(Result(seg.id, f"[{target}] {seg.text}", usage=usage))
        return results
