"""A tolk engine that lives in another package: tolk finds it through its entry point
(`tolk.engines: shout = tolk_shout:ShoutEngine`, in tolk_shout-0.1.dist-info as pip would install it)."""

from __future__ import annotations

from tolk.core import Hints, Result, Segment, Usage
from tolk.engines.base import Engine


class ShoutEngine(Engine):
    kind = "shout"
    native_terms = False  # the base class keeps do-not-translate terms as tokens

    @property
    def model(self) -> str:
        return self.settings.model or "shout-1"

    async def _translate_batch(
        self, segments: list[Segment], source: str, target: str, hints: Hints
    ) -> list[Result]:
        usage = Usage(requests=1)
        return [
            Result(s.id, f"{s.text}!", usage=usage if i == 0 else Usage()) for i, s in enumerate(segments)
        ]
