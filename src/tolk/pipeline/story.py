"""A catalog's trip, top to bottom: scan → items → plan → reuse → draft → judge → decide → commit.

scan    validate the whole file first: a bad row stops the run before anything is written
items   store each item and its source fields (unchanged items are not touched)
plan    per (item, field, lang): skip what is already translated from this exact source under these
        exact conditions, and what a person owns; a sent-back or fallback-made text is planned again
reuse   trusted memory answers exact matches, the cache what was translated before   (pipeline.core)
draft   the engine translates the rest, each distinct text once, grouped by the terms that apply
judge   the quality gate scores every draft; where it asks, an engine that can refine corrects it
decide  APPROVED only where an assessor of meaning vouched (approved_by), CHECKED where only the
        rules passed, NEEDS_REVIEW where they failed or a reviewer rejected the text   (quality.loop)
commit  one transaction per chunk and language                                       (pipeline.commit)

The agent enters at `translate_records` with its own records and commit hook; API requests and
documents take the same reuse → draft → judge → decide steps without items (pipeline.texts).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from tolk import languages
from tolk.activity import Tally
from tolk.budget import BudgetReached
from tolk.core import PROTECTED_GRADES, Deferred, Result, Segment, Usage
from tolk.engines.base import Call
from tolk.pipeline import items
from tolk.pipeline.commit import Commits
from tolk.pipeline.core import Core, Unit
from tolk.pipeline.job import CommitHook, Job, Preview, Progress, Summary
from tolk.quality.base import FLAGGED, flag_of
from tolk.quality.loop import Settled
from tolk.store.repo import ItemRecord


class Pipeline:
    def __init__(self, job: Job) -> None:
        self.job, self.summary = job, Summary(gate=str(job.loop.signature))
        capped = job.budget.per_run is not None or job.budget.per_day is not None
        self.core = Core(job, hold=self._held if capped else None)
        self.commits = Commits(job, self.summary)

    async def run(
        self, on_start: Callable[[int], None] | None = None, progress: Progress | None = None
    ) -> Summary:
        job, started = self.job, time.perf_counter()
        assert job.path is not None, "run() translates a catalog file"
        scan = items.scan(job)
        self.summary.bad_rows = scan.bad
        for target in job.targets:  # before anything is written (`auto`: each item's, once it is found)
            if target != job.source_lang and job.source_lang != languages.AUTO:
                job.engine.check_pair(job.source_lang, target)
        if on_start:
            on_start(scan.rows)
        pii_before, run_id, engines = self._pii(), job.store.start_run("translate"), job.engines()
        for engine in engines:  # every call of this run, by language: its spend and the budget's
            engine.observers.append(self._spent)
        try:
            await self._chunks(items.chunks(job, scan), progress)
        finally:
            for engine in engines:
                engine.observers.remove(self._spent)
        self.summary.pii_masked = {k: v for k, v in (self._pii() - pii_before).items() if v}
        self.summary.seconds = time.perf_counter() - started
        job.store.finish_run(run_id, self.summary.as_dict())
        return self.summary

    async def _chunks(self, chunks: Iterable[list[ItemRecord]], progress: Progress | None) -> None:
        """Each chunk's trip, `job.depth` of them at a time: while one is with the engine, the one
        before is judged and committed (each chunk still commits in one transaction of its own). A
        budget reached stops new chunks; those on their way finish and commit."""
        window = asyncio.Semaphore(self.job.depth)

        async def trip(chunk: list[ItemRecord]) -> None:
            try:
                await self._translate_chunk(chunk)
            finally:
                window.release()
            if progress:
                progress(len(chunk))

        try:
            async with asyncio.TaskGroup() as tasks:  # one chunk failing cancels the others
                for chunk in chunks:
                    await window.acquire()
                    try:
                        self.job.budget.check(self.job.store, self.summary.usage.cost)
                    except BudgetReached as stop:  # what is committed stays; the next run goes on
                        self.summary.stopped = str(stop)
                        window.release()
                        break
                    tasks.create_task(trip(chunk))
        except BaseExceptionGroup as failed:  # the first chunk's error, as a sequential run raised it
            raise failed.exceptions[0] from None

    async def _translate_chunk(self, records: list[ItemRecord]) -> None:
        with self.job.store.transaction() as session:
            self.summary.items_changed += self.job.store.save_items(session, records)
        self.summary.items += len(records)
        await asyncio.gather(
            *(
                self._translate_lang(group, source, target)
                for source, group in items.by_source(records).items()
                for target in self.job.targets
            )
        )

    async def translate_records(
        self, records: list[ItemRecord], target: str, hook: CommitHook, *, defer_transient: bool = False
    ) -> None:
        """The agent's path: validated records into one language; `hook` joins the commit, which
        happens even when nothing needs translating (the hook still records what it saw). With
        `defer_transient`, engine errors raise Deferred (try later) instead of ending as i18n.failed."""
        for source, group in items.by_source(records).items():
            await self._translate_lang(group, source, target, hook, defer_transient)

    # --- one batch into one language: the story ------------------------------------------------------

    async def _translate_lang(
        self,
        records: list[ItemRecord],
        source: str,
        target: str,
        hook: CommitHook | None = None,
        defer_transient: bool = False,
    ) -> None:
        if source == target:
            return
        units = self._plan(records, source, target)
        tally = Tally(
            self.job.origin, target, self.job.loop.signature.short, items=sum(1 for r in records if r.fields)
        )
        tally.segments = sum(len(r.fields) for r in records)
        tally.unchanged = tally.segments - len(units)
        if units and not self.job.engine.supports(source, target):  # a row's own `lang` it cannot take
            tally.failures += len(units)
            self.commits.failure(
                "the engine cannot translate this language pair", f"{source} -> {target}", len(units)
            )
            units = []
        if not units and hook is None:
            return self.commits.tally_only(tally)
        memory = self.core.recall(units, source, target)  # reuse
        cached = self.core.reuse([u for u in units if u.key not in memory])
        tally.memory_hits = sum(1 for u in units if u.key in memory)
        tally.cache_hits = sum(1 for u in units if u.key in cached)
        tally.cache_misses = len(units) - tally.memory_hits - tally.cache_hits
        done = cached | memory
        done |= await self.core.draft([u for u in units if u.key not in done], source, target)  # draft
        if defer_transient:
            _defer_if_transient(units, done)
        settled = await self.core.judge(units, done, source, target)  # judge and decide
        amended = self._whole_items(units, settled, target)  # … and the rules for a whole item
        self.commits.write(
            units, done, settled, source, target, hook, tally, frozenset(cached) | frozenset(memory), amended
        )  # commit

    def _whole_items(
        self, units: list[Unit], settled: dict[str, Settled], target: str
    ) -> dict[tuple[str, str | None], Settled]:
        """A required term (the profile's, the market's) must appear somewhere in an item — in any of
        its fields, new or already stored, that may be published — not in every field: where it appears
        nowhere, each of the item's new publishable texts is held, the finding naming the item."""
        profile = self.job.loop.profile
        required = profile.required(target) if profile is not None else ()
        landed: dict[str, list[Unit]] = {}
        for u in units:
            if u.item_id and u.key in settled:
                landed.setdefault(u.item_id, []).append(u)
        if not required or not landed:
            return {}
        stored = self.job.store.published_texts(landed, target)
        amended: dict[tuple[str, str | None], Settled] = {}
        for item_id, mine in landed.items():
            texts = {**stored.get(item_id, {}), **{u.field or "": settled[u.key].text for u in mine}}
            fresh = {u.field or "" for u in mine if not settled[u.key].publishable}  # held: not published
            whole = " ".join(t for f, t in texts.items() if f not in fresh).casefold()
            missing = [term for term in required if term.casefold() not in whole]
            if missing:
                for u in (u for u in mine if settled[u.key].publishable):  # the held are held already
                    where = f"item {item_id} ({target}: {', '.join(sorted(texts))})"
                    amended[(u.item_id, u.field)] = self.job.loop.lacking(
                        settled[u.key], missing, where, target
                    )
        return amended

    def _plan(self, records: list[ItemRecord], source: str, target: str) -> list[Unit]:
        with self.job.store.sessions() as session:
            existing = self.job.store.existing(session, [r.id for r in records], target)
        units = []
        for r in records:
            for name, text in r.fields.items():
                context = {"field": name}
                if r.category:
                    context["category"] = r.category
                if flag := flag_of(r.attrs):
                    context[FLAGGED] = flag
                if name != "name" and "name" in r.fields:  # the neighbouring field disambiguates
                    context["product"] = r.fields["name"]
                have = existing.get((r.id, name))
                unit = self.core.unit(
                    text, source, target, context, field=name, item_id=r.id, exists=have is not None
                )
                if have is not None and (
                    have.cache_key == unit.key
                    or (have.grade in PROTECTED_GRADES and have.source_hash == unit.source_hash)
                ):
                    continue
                units.append(unit)
        return units

    # --- items and plans for others ---------------------------------------------------------------

    def record(self, item_id: str, data: dict[str, Any]) -> ItemRecord:
        """An item as tolk stores it, from a catalog row or an event's product payload."""
        return items.record(self.job, item_id, data)

    def catalog_records(self) -> list[ItemRecord]:
        """The job's whole catalog, validated as a run validates it (a bad row raises)."""
        return [r for chunk in items.chunks(self.job, items.scan(self.job)) for r in chunk]

    def preview(self, records: list[ItemRecord], source: str, target: str) -> Preview:
        """The plan and reuse steps of `_translate_lang`, without drafting or writing (cost estimate)."""
        units = self._plan(records, source, target)
        done = self.core.recall(units, source, target)
        reused = self.core.reuse([u for u in units if u.key not in done])
        every = [(text, {"field": name}) for r in records for name, text in r.fields.items()]
        left = [u for u in units if u.key not in done and u.key not in reused]
        return Preview(
            segments=len(every),
            unchanged=len(every) - len(units),
            memory=sum(1 for u in units if u.key in done),
            cache=sum(1 for u in units if u.key in reused and u.key not in done),
            to_send=[Segment(u.key, u.text, u.context) for u in left],
            all_texts=every,
        )

    # --- accounting ------------------------------------------------------------------------------

    def _held(self) -> str | None:
        """Why the next engine request must not go out (a spend cap reached), or None."""
        try:
            self.job.budget.check(self.job.store, self.summary.usage.cost)
        except BudgetReached as exc:
            self.summary.stopped = str(exc)  # the run ends with this chunk: the cap is reached
            return str(exc)
        return None

    def _spent(self, call: Call) -> None:
        self.summary.spend.setdefault(call.target, Usage()).add(call.usage)
        self.summary.usage.add(call.usage)

    def _pii(self) -> Counter[str]:
        """Personal data the engines of this job have masked so far, by kind."""
        total: Counter[str] = Counter()
        for engine in self.job.engines():
            total.update(engine.pii_masked)
        return total


def _defer_if_transient(units: list[Unit], done: dict[str, Result]) -> None:
    failed = [done[u.key] for u in units if u.key in done and not done[u.key].ok and done[u.key].transient]
    if failed:
        why = failed[0].error or "engine error"
        raise Deferred(f"{len(failed)} segments failed: {why}", outage=any(r.outage for r in failed))
