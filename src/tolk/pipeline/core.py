"""The steps every surface shares between its plan and its commit: reuse → draft → judge.

A surface (a catalog run, the agent, an API request, a document) turns what it has into `Unit`s — one
text to translate into one language — and takes them through the same steps, so a rule about what is
reused, shared or published is written once, here or in the quality loop:

unit    the cache key: text, languages, engine, the glossary terms that apply, the profile (context is
        not in it: a paragraph's neighbours change the hint, not the answer that may be reused)
reuse   trusted memory units answer exact matches (a person's text by default, `trusted_memory`);
        the cache answers what was translated before
draft   the engine translates the rest, each distinct text once, grouped by the terms that apply (an
        isolated field's text alone), within a request budget where one is given, with fuzzy memory
        hints where asked; a text another pipeline of this process is translating is awaited, not
        sent again; only what may be shared (cache.shareable, not a sealed field) enters the cache
judge   the quality loop scores, refines where an engine can, and grades every answer; a text a
        reviewer rejected for the same source waits for a person ("same as rejected")
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tolk.cache import Cached, cache_key, shareable
from tolk.core import Finish, Hints, Result, Segment, Term, TmPair, digest, normalize_text
from tolk.formality import DEFAULT
from tolk.glossary import terms_version
from tolk.memory import FuzzyIndex
from tolk.pipeline.job import Job
from tolk.quality.base import for_engine
from tolk.quality.loop import Draft, Settled


@dataclass(slots=True)
class Unit:
    """One text to translate into the current language: an item's field, or a free text."""

    key: str
    text: str
    source_hash: str
    terms: tuple[Term, ...]
    context: dict[str, str]
    field: str | None = None  # the item's field: isolation and encryption go by it
    item_id: str = ""
    exists: bool = False  # a translation row is already there (then it is updated, not inserted)


class Core:
    def __init__(self, job: Job, hold: Callable[[], str | None] | None = None) -> None:
        self.job = job
        self.hold = hold  # asked before each engine request: a reason not to send it (a spend cap reached)
        self._indexes: dict[tuple[str, str], FuzzyIndex] = {}

    def unit(self, text: str, source: str, target: str, context: dict[str, str], **where: Any) -> Unit:
        job = self.job
        terms = job.glossary.applicable(text, target)
        register = job.formality.target(target)  # a formal and an informal answer are different texts
        style = job.profile if register == DEFAULT else f"{job.profile}/formality={register}"
        key = cache_key(text, source, target, job.engine.fingerprint, terms_version(terms), style)
        return Unit(key, text, digest(normalize_text(text)), terms, context, **where)

    # --- reuse ---------------------------------------------------------------------------------------

    def recall(self, units: list[Unit], source: str, target: str) -> dict[str, Result]:
        """Exact memory matches from trusted units: no engine, and judged like any other answer."""
        hashes = sorted({u.source_hash for u in units})
        found = self.job.store.recall(source, target, hashes, self.job.trusted_memory)
        return {
            u.key: Result(u.key, found[u.source_hash], engine="memory", model="tm")
            for u in units
            if u.source_hash in found
        }

    def reuse(self, units: list[Unit]) -> dict[str, Result]:
        hits = self.job.cache.get_many(sorted({u.key for u in units}))
        return {k: Result(k, c.text, engine=c.engine, model=c.model) for k, c in hits.items()}

    # --- draft ---------------------------------------------------------------------------------------

    async def draft(
        self,
        units: list[Unit],
        source: str,
        target: str,
        *,
        budget_chars: int | None = None,
        fuzzy: bool = True,
    ) -> dict[str, Result]:
        job, engine = self.job, self.job.engine
        unique: dict[str, Unit] = {}
        for u in units:
            unique.setdefault(u.key, u)
        mine, theirs = job.inflight.claim(unique)
        refused = _oversized(unique, mine, engine.name, engine.settings.max_text_chars)
        mine = [k for k in mine if k not in refused]
        # a group shares requests; an isolated field's text (untrusted: reviews, messages) is a group
        # of its own, so an instruction hidden in it can reach no other item's translation
        groups: dict[tuple[Any, ...], list[Segment]] = defaultdict(list)
        memory: dict[tuple[Any, ...], dict[TmPair, None]] = defaultdict(dict)  # ordered, deduplicated
        index = self._fuzzy(source, target) if fuzzy else None
        for key in mine:
            u = unique[key]
            group = (u.terms, key if u.field in job.isolate else None)
            groups[group].append(Segment(key, u.text, for_engine(u.context)))
            if index is not None:
                memory[group].update(dict.fromkeys(index.hints(u.text)))
        register = job.formality.target(target)
        size = engine.batch_size  # one engine request each, so each is cached as soon as it is back
        requests = [
            (chunk[i : i + size], Hints(group[0], tuple(memory[group])[:5], job.domain, register))
            for group, segments in groups.items()
            for chunk in _within(segments, budget_chars)
            for i in range(0, len(chunk), size)
        ]
        sealed = {u.key for u in units if job.store.vault.sensitive(u.field)}  # any copy in a sealed field

        # with a spend cap, requests leave at most `max_concurrency` at a time and each asks first: a run
        # passes its cap by the requests in flight, not by a whole chunk of them
        gate = asyncio.Semaphore(engine.settings.max_concurrency if self.hold else len(requests) or 1)
        free: dict[str, Cached] = {}  # answers that cost nothing: cached together, once all are back

        async def answered(chunk: list[Segment], hints: Hints) -> list[Result]:
            async with gate:
                if self.hold is not None and (why := self.hold()):
                    return [Result(s.id, "", error=f"not sent: {why}", transient=True) for s in chunk]
                batch = await engine.translate(chunk, source, target, hints)
            # paid answers are cached the moment they arrive, not once every request is back: work the
            # engine answered is not paid for again when the process dies before the commit
            keep = [r for r in batch if shareable(r) and r.engine == engine.name and r.id not in sealed]
            entries = {r.id: Cached(r.text, r.engine, r.model) for r in keep}
            if engine.settings.external or any(r.usage.cost for r in batch):
                job.cache.put_many(entries)
            else:
                free.update(entries)
            return batch

        results: dict[str, Result] = dict(refused)
        try:
            answers = await asyncio.gather(*(answered(c, h) for c, h in requests))
            results |= {r.id: r for batch in answers for r in batch}
        finally:
            if free:
                job.cache.put_many(free)  # waiters are released even if this pipeline fails
            for key in (*mine, *refused):
                res = results.get(key)
                job.inflight.settle(
                    key, Cached(res.text, res.engine, res.model) if res and shareable(res) else None
                )
        for key, future in theirs.items():
            shared = await future
            results[key] = (
                Result(key, shared.text, engine=shared.engine, model=shared.model)
                if shared
                else Result(
                    key,
                    "",
                    Finish.ERROR,
                    error="the shared translation of this segment failed",
                    transient=True,
                )
            )
        return results

    def _fuzzy(self, source: str, target: str) -> FuzzyIndex:
        pair = (source, target)
        if pair not in self._indexes:
            self._indexes[pair] = FuzzyIndex(
                self.job.store,
                source,
                target,
                origins=self.job.trusted_memory,
                threshold=self.job.fuzzy_threshold,
            )
        return self._indexes[pair]

    # --- judge ---------------------------------------------------------------------------------------

    async def judge(
        self, units: list[Unit], done: dict[str, Result], source: str, target: str
    ) -> dict[str, Settled]:
        """Every answered unit graded by the loop (once per key); rejected texts are held."""
        rejected = self.job.store.rejected(source, target, sorted({u.source_hash for u in units}))
        drafts: dict[str, Draft] = {}
        for u in units:
            res = done.get(u.key)
            if res is not None and res.ok and u.key not in drafts:
                drafts[u.key] = Draft(
                    u.key,
                    u.text,
                    u.terms,
                    u.context,
                    res,
                    rejected.get(u.source_hash, frozenset()),
                    # an item's required terms are looked for in all its fields (story._whole_items)
                    required_here=not (self.job.required_in_whole or u.item_id),
                )
        register = self.job.formality.target(target)
        return await self.job.loop.settle(list(drafts.values()), source, target, register)


def _oversized(units: dict[str, Unit], keys: Iterable[str], engine: str, limit: int) -> dict[str, Result]:
    """Texts too long for one request (a 5 MB field would go out as a million-token call): failed with
    the reason, never sent."""
    return {
        k: Result(
            k,
            "",
            error=f"text of {len(units[k].text):,} characters is over the engine's limit of "
            f"{limit:,} (engines.{engine}.max_text_chars): split it into smaller fields",
        )
        for k in keys
        if len(units[k].text) > limit
    }


def _within(segments: list[Segment], budget: int | None) -> list[list[Segment]]:
    """Segments in order, cut into requests of at most `budget` characters (text and context)."""
    if budget is None:
        return [segments]
    chunks: list[list[Segment]] = [[]]
    size = 0
    for seg in segments:
        weight = len(seg.text) + sum(len(v) for v in seg.context.values())
        if chunks[-1] and size + weight > budget:
            chunks.append([])
            size = 0
        chunks[-1].append(seg)
        size += weight
    return [c for c in chunks if c]
