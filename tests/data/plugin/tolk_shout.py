"""An engine, a check and a notify channel that live in another package: tolk finds them through their
entry points (tolk_shout-0.1.dist-info/entry_points.txt, as pip would install it)."""

from __future__ import annotations

from tolk.config import NotifySettings
from tolk.core import Hints, Result, Segment, Usage
from tolk.engines.base import Engine
from tolk.notify import Notice, Notifier, NotifyError
from tolk.notify.base import Transport
from tolk.quality.base import Check, Sample, Severity, case


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


class ShoutingCheck(Check):
    """A check from another package: a translation in capitals where the source is not."""

    id = "shouting"
    severity = Severity.MINOR
    description = "the translation is in capital letters where the source is not"
    good = (case("Red shoe", "Zapato rojo"), case("USB cable", "Cable USB"))
    bad = (case("Red shoe", "ZAPATO ROJO"),)

    def problem(self, s: Sample) -> str | None:
        letters = [c for c in s.target if c.isalpha()]
        if len(letters) > 3 and all(c.isupper() for c in letters) and not s.source.isupper():
            return "the translation shouts (all capitals)"
        return None


class ShoutNotifier(Notifier):
    """A channel from another package, configured by `[notify.channels.shout] url = "…"`."""

    name = "shout"

    def __init__(self, url: str, timeout_s: float, transport: Transport) -> None:
        super().__init__(timeout_s, transport)
        self.url = url

    @classmethod
    def from_settings(cls, s: NotifySettings, transport: Transport = None) -> list[Notifier]:
        own = s.channels.get(cls.name)
        return [cls(str(own["url"]), s.timeout_s, transport)] if own else []

    @classmethod
    def example(cls, url: str) -> NotifySettings:
        return NotifySettings(channels={cls.name: {"url": f"{url}/shout"}})

    async def send(self, notice: Notice) -> None:
        response = await self.post(self.url, json={"text": f"REPORT: {notice.report.total.items} ITEMS"})
        if response.status_code >= 300:
            raise NotifyError(f"shout: HTTP {response.status_code}")
