"""The engine protocol and what every engine shares: protection, batching, fallback, usage.

A concrete engine implements `_translate_batch` for already-protected segments and declares what it can do
(`native_terms`, `languages`). Everything else — placeholder tokens, term handling for engines without term
support, splitting into batches, restoring, the fallback engine, usage and cost — lives here once.
"""

from __future__ import annotations

import abc
import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

from tolk import languages, prices
from tolk.config import EngineSettings
from tolk.core import (
    EngineDown,
    EngineError,
    EngineUnavailable,
    Finish,
    Hints,
    Result,
    Segment,
    TmPair,
    UnsupportedPair,
    Usage,
)
from tolk.text.pii import Masked, PiiMasker
from tolk.text.protect import Protected, protect


@dataclass(frozen=True, slots=True)
class Call:
    """One request to an engine, as observers see it (telemetry: metrics, latency, spend)."""

    engine: str
    model: str
    source: str
    target: str
    segments: int
    ok: bool
    seconds: float
    usage: Usage


class Engine(abc.ABC):
    kind: ClassVar[str]
    native_terms: ClassVar[bool] = False  # True: terms travel as hints; False: they become tokens
    prompt_version: ClassVar[str] = ""  # LLM engines: which prompt wrote a text (the audit log keeps it)
    # takes a draft and the issues found in it (context "draft", "issues") and corrects it: a chat LLM.
    # An engine that cannot would only translate the source again, blindly and paid for.
    can_refine: ClassVar[bool] = False

    def __init__(self, name: str, settings: EngineSettings) -> None:
        self.name = name
        self.settings = settings
        self.usage = Usage()
        self.fallback: Engine | None = None
        self.observers: list[Callable[[Call], None]] = []
        self.privacy: PiiMasker | None = None  # set for external engines: personal data is masked
        self.pii_masked: Counter[str] = Counter()  # values masked so far, by kind (never the values)

    # --- what the engine is ------------------------------------------------------------------------

    @property
    def model(self) -> str:
        return self.settings.model or self.kind

    @property
    def fingerprint(self) -> str:
        """Identity for cache keys: output-relevant settings, not keys or limits."""
        return f"{self.kind}:{self.settings.fingerprint()}"

    reply_framing_tokens = 0  # tokens a reply spends around each translation (JSON ids), for estimates

    def request_text(self, segments: Sequence[Segment], source: str, target: str, hints: Hints) -> str:
        """What one request for `segments` carries, as text (prompt and framing included): the cost
        estimate counts its tokens without sending it."""
        return "\n".join(s.text for s in segments)

    def supports(self, source: str, target: str) -> bool:
        known = languages.known
        return source != target and (source == languages.AUTO or known(source)) and known(target)

    def check_pair(self, source: str, target: str) -> None:
        if not self.supports(source, target):
            raise UnsupportedPair(self.name, source, target, self.pair_hint())

    def pair_hint(self) -> str:
        return ""

    async def status(self) -> tuple[bool, str]:
        """Whether the engine can be used right now, and why (not)."""
        return True, "ready"

    async def aclose(self) -> None:
        """Release processes and connections."""
        if self.fallback is not None:
            await self.fallback.aclose()

    # --- translating ---------------------------------------------------------------------------------

    async def translate(
        self, segments: Sequence[Segment], source: str, target: str, hints: Hints = Hints()
    ) -> list[Result]:
        """Translate `segments` (ids unique); one Result per segment, in order. Never raises for one
        bad segment: a failed segment comes back with `finish=ERROR` and its reason."""
        self.check_pair(source, target)
        batches = [list(segments[i : i + self.batch_size]) for i in range(0, len(segments), self.batch_size)]
        done = await asyncio.gather(*(self._translate_guarded(b, source, target, hints) for b in batches))
        return [r for batch in done for r in batch]

    @property
    def batch_size(self) -> int:
        return self.settings.batch_size

    async def _translate_guarded(
        self, segments: list[Segment], source: str, target: str, hints: Hints
    ) -> list[Result]:
        started = time.perf_counter()
        try:
            results = await self._translate_protected(segments, source, target, hints)
        except EngineDown as exc:  # a reason that may pass: the fallback takes these segments now
            self._observe(len(segments), source, target, started, ok=False)
            if self.fallback is not None and self.fallback.supports(source, target):
                return await self.fallback.translate(segments, source, target, hints)
            outage = isinstance(exc, EngineUnavailable)
            return [self._failed(s.id, str(exc), outage=outage) for s in segments]
        except EngineError as exc:
            self._observe(len(segments), source, target, started, ok=False)
            return [self._failed(s.id, str(exc), outage=False) for s in segments]
        spent = Usage()
        for res in results:
            spent.add(res.usage)
        self._observe(len(segments), source, target, started, ok=any(r.ok for r in results), usage=spent)
        return results

    def charge(self, usage: Usage, source: str, target: str, started: float, *, ok: bool = True) -> None:
        """A request made outside translate() (the LLM judge's): priced, counted and observed like the
        rest, so reports, budgets and a run's spend see it."""
        usage.cost = self.cost(usage)
        self.usage.add(usage)
        self._observe(1, source, target, started, ok=ok, usage=usage)

    def _observe(
        self, n: int, source: str, target: str, started: float, *, ok: bool, usage: Usage | None = None
    ) -> None:
        if self.observers:
            call = Call(
                self.name, self.model, source, target, n, ok, time.perf_counter() - started, usage or Usage()
            )
            for observe in self.observers:
                observe(call)

    async def _translate_protected(
        self, segments: list[Segment], source: str, target: str, hints: Hints
    ) -> list[Result]:
        guarded: list[Protected] = []
        masks: list[Masked | None] = []
        batch: list[Segment] = []
        for seg in segments:
            text, context, mask = seg.text, seg.context, None
            if self.privacy is not None:
                mask = self.privacy.mask(text)
                text, context = mask.text, {k: self.privacy.mask(v).text for k, v in seg.context.items()}
                self.pii_masked.update(mask.kinds)
            terms = () if self.native_terms else hints.terms
            p = protect(text, terms)
            guarded.append(p)
            masks.append(mask)
            batch.append(Segment(seg.id, p.text, context))
        if self.privacy is not None and hints.tm:  # memory examples are someone's text too
            masker = self.privacy
            hints = replace(
                hints,
                tm=tuple(TmPair(masker.mask(t.source).text, masker.mask(t.target).text) for t in hints.tm),
            )
        raw = await self._translate_batch(batch, source, target, hints)
        if [r.id for r in raw] != [s.id for s in batch]:
            raise EngineError(f"{self.name}: engine answered other segments than asked")
        return [self._finish(res, p, m) for res, p, m in zip(raw, guarded, masks, strict=True)]

    def _finish(self, res: Result, guard: Protected, mask: Masked | None = None) -> Result:
        res.engine, res.model = self.name, self.model
        res.usage.cost = self.cost(res.usage)
        self.usage.add(res.usage)
        if res.finish is Finish.LENGTH:
            res.error = res.error or "output cut off by the length limit"
        elif res.ok and not res.text.strip():
            res.finish, res.error = Finish.ERROR, "empty translation"
        if res.ok:
            try:
                res.text = guard.restore(res.text)
            except ValueError as exc:
                res.finish, res.error = Finish.ERROR, str(exc)
        if res.ok and mask is not None and mask.values:
            res.personal = True
            res.text, problems = mask.restore(res.text)
            res.warnings += problems  # not an error: the text goes to a person, who sees what is missing
        return res

    def _failed(self, seg_id: str, why: str, *, outage: bool) -> Result:
        return Result(
            seg_id,
            "",
            Finish.ERROR,
            error=why,
            engine=self.name,
            model=self.model,
            transient=True,
            outage=outage,
        )

    def pushback(self) -> int:
        """How often the provider pushed back so far (429s, 5xx answers): a worker's adaptive
        concurrency backs off when it grows. 0 for an engine that cannot be overloaded that way."""
        return 0

    def chain(self) -> Iterator[Engine]:
        """This engine, then its fallbacks in order."""
        engine: Engine | None = self
        while engine is not None:
            yield engine
            engine = engine.fallback

    def total_usage(self) -> Usage:
        """This engine's usage plus its fallbacks' (bench/cost reads it around the agent's path)."""
        total = Usage()
        for engine in self.chain():
            total.add(engine.usage)
        return total

    def cost(self, usage: Usage) -> float:
        """From the engine's configured prices, else the list price of its model (tolk.prices)."""
        s = self.settings
        p_in, p_out = s.price_in_per_mtok, s.price_out_per_mtok
        if not p_in and not p_out and s.external and (listed := prices.price(self.model)) is not None:
            p_in, p_out = listed.input, listed.output
        return (usage.tokens_in * p_in + usage.tokens_out * p_out) / 1e6

    @abc.abstractmethod
    async def _translate_batch(
        self, segments: list[Segment], source: str, target: str, hints: Hints
    ) -> list[Result]:
        """Translate protected segments; tokens `⟦n⟧` must come back unchanged."""


def share_usage(total: Usage, texts: Sequence[str]) -> list[Usage]:
    """Split one request's usage over its segments by length, so per-segment sums equal the total."""
    weights = [max(len(t), 1) for t in texts]
    whole = sum(weights)
    shares = []
    given_in = given_out = 0
    for i, w in enumerate(weights):
        last = i == len(weights) - 1
        t_in = total.tokens_in - given_in if last else total.tokens_in * w // whole
        t_out = total.tokens_out - given_out if last else total.tokens_out * w // whole
        given_in += t_in
        given_out += t_out
        shares.append(Usage(requests=total.requests if i == 0 else 0, tokens_in=t_in, tokens_out=t_out))
    return shares
