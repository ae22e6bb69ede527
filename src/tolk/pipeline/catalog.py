"""A catalog's trip, top to bottom: scan → items → plan → reuse → draft → judge → commit.

scan    validate the whole file first: a bad row stops the run before anything is written
items   store each item and its source fields (unchanged items are not touched)
plan    per (item, field, lang): skip what is already translated from this exact source under these
        exact conditions, and what a person owns
reuse   translation memory answers exact matches, the cache what was translated before
draft   the engine translates the rest, each distinct segment once, grouped by the glossary terms
        that apply, with fuzzy memory matches as hints
judge   the quality gate scores every draft; where it asks, the refine engine corrects it, up to N
        rounds; a text a reviewer rejected for this source waits for a person
decide  APPROVED only where an assessor of meaning vouched for it (approved_by), CHECKED where only
        the rules passed, NEEDS_REVIEW where they failed (quality.loop)
commit  one transaction per chunk and language; a HUMAN/APPROVED text is never overwritten; judge-
        approved text teaches the memory (as such); a fallback's text is marked and replaced later
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from tolk import activity, audit, events, languages
from tolk.activity import Counts, Tally
from tolk.budget import Budget, BudgetReached
from tolk.cache import Cache, Cached, InFlight, cache_key, shareable
from tolk.core import (
    PROTECTED_GRADES,
    Deferred,
    Finish,
    Grade,
    Hints,
    Result,
    Segment,
    Term,
    TmPair,
    TolkError,
    Usage,
    digest,
    normalize_text,
)
from tolk.engines.base import Call, Engine
from tolk.formats import catalog
from tolk.glossary import Glossary, terms_version
from tolk.memory import FuzzyIndex
from tolk.quality.gate import Gate
from tolk.quality.loop import CHECKED, NEEDS_REVIEW, PENDING_APPROVAL, Draft, Loop, Settled
from tolk.store.repo import ItemRecord, MachineWrite, Store

if TYPE_CHECKING:
    from tolk.telemetry import Telemetry


@dataclass
class Job:
    path: Path | None  # a catalog for run(); None for the agent, which brings records itself
    targets: list[str]
    source_lang: str
    fields: list[str]
    engine: Engine
    store: Store
    cache: Cache
    glossary: Glossary
    profile: str = "ecommerce"  # its name is part of every cache key
    domain: str | None = None  # the profile's hint to engines
    skip_bad: bool = False
    chunk_size: int = 200
    inflight: InFlight = field(default_factory=InFlight)  # share one between pipelines of a process
    loop: Loop = field(default_factory=lambda: Loop(Gate(), None))  # judge only, unless configured
    fuzzy_threshold: float = 75.0  # translation-memory matches at least this similar become hints
    invalidate_after_s: float = 30.0  # delay of the cache.invalidate event after a change
    origin: str = "translate"  # who runs it, in the activity rows: translate, agent, job
    budget: Budget = field(default_factory=Budget)  # caps checked between chunks
    isolate: frozenset[str] = frozenset()  # fields sent one per request ([privacy] isolate_fields)
    trusted_memory: frozenset[str] = frozenset({"person", "tmx"})  # memory origins reused as approved
    telemetry: Telemetry | None = None  # metrics and engine-call rows of this process


class CommitHook(Protocol):
    """The agent's part of a commit: same transaction as the translations and their events."""

    def before(self, session: Session) -> None:
        """May raise to abandon the whole commit (e.g. a newer event for the product won the race)."""

    def after(self, session: Session, announced: set[str]) -> None:
        """`announced`: the item ids whose translations or failures produced events."""


@dataclass(kw_only=True)
class Summary(Counts):
    """A run: the sum of its tallies, plus what only a run knows. `items` counts catalog rows once,
    whatever the number of languages (a tally counts them per language)."""

    items_changed: int = 0
    suggestions: int = 0
    glossary_misses: int = 0
    pending_approval: int = 0
    checked: int = 0  # passed the rule checks; nobody vouched for the meaning
    approved_by: dict[str, int] = field(default_factory=dict)  # who or what approved, and how many
    langs: dict[str, Counts] = field(default_factory=dict)  # per target language
    bad_rows: list[catalog.BadRow] = field(default_factory=list)
    failure_samples: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    spend: dict[str, Usage] = field(default_factory=dict)  # by target language, from the engines' calls
    pii_masked: dict[str, int] = field(default_factory=dict)  # personal data masked, by kind
    stopped: str | None = None  # why the run stopped before the end (a budget), if it did
    seconds: float = 0.0

    def add(self, other: Counts) -> None:
        rows = self.items
        super().add(other)
        self.items = rows
        if isinstance(other, Tally):
            self.langs.setdefault(other.lang, Counts()).add(other)

    @property
    def skipped(self) -> int:
        return self.unchanged + self.cache_hits + self.memory_hits

    def average_scores(self) -> dict[str, float]:
        return {
            lang: c.average_score for lang, c in sorted(self.langs.items()) if c.average_score is not None
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items, "items_changed": self.items_changed, "segments": self.segments,
            "translated": self.translated, "skipped": self.skipped, "unchanged": self.unchanged,
            "cache_hits": self.cache_hits, "memory_hits": self.memory_hits,
            "cache_misses": self.cache_misses, "suggestions": self.suggestions,
            "failures": self.failures, "glossary_misses": self.glossary_misses,
            "approved": self.approved, "rewritten": self.rewritten, "needs_review": self.needs_review,
            "pending_approval": self.pending_approval, "checked": self.checked,
            "approved_by": dict(self.approved_by), "average_score": self.average_scores(),
            "bad_rows": len(self.bad_rows),
            "requests": self.usage.requests, "tokens_in": self.usage.tokens_in,
            "tokens_out": self.usage.tokens_out, "cost": round(self.usage.cost, 6),
            "spend": {lang: {"requests": u.requests, "tokens_in": u.tokens_in, "tokens_out": u.tokens_out,
                             "cost": round(u.cost, 6)} for lang, u in sorted(self.spend.items())},
            "pii_masked": dict(self.pii_masked), "stopped": self.stopped,
            "seconds": round(self.seconds, 3),
        }  # fmt: skip


@dataclass(slots=True)
class _Todo:
    """One (item, field) that needs a translation into the current language."""

    item_id: str
    field: str
    text: str
    source_hash: str
    key: str
    terms: tuple[Term, ...]
    context: dict[str, str]
    exists: bool  # a translation row is already there (then it is updated, not inserted)


Progress = Callable[[int], None]


@dataclass
class Preview:
    """What a run of some records into one language would do, decided as the run decides it."""

    segments: int
    unchanged: int
    memory: int
    cache: int
    to_send: list[Segment]  # ids are cache keys: the same text twice has the same id
    all_texts: list[tuple[str, dict[str, str]]]  # every field's text, reused or not


class Pipeline:
    def __init__(self, job: Job) -> None:
        self.job = job
        self.summary = Summary()
        self._indexes: dict[tuple[str, str], FuzzyIndex] = {}
        self._prompts = {e.name: e.prompt_version for e in self._engines()}  # for the audit log

    async def run(
        self, on_start: Callable[[int], None] | None = None, progress: Progress | None = None
    ) -> Summary:
        job, started = self.job, time.perf_counter()
        assert job.path is not None, "run() translates a catalog file"
        scan = catalog.scan(job.path, skip_bad=job.skip_bad, check=_check_row)
        self.summary.bad_rows = scan.bad
        for target in job.targets:  # before anything is written
            if target != job.source_lang:
                job.engine.check_pair(job.source_lang, target)
        if on_start:
            on_start(scan.rows)
        pii_before = self._pii()
        run_id = job.store.start_run("translate")
        engines = self._engines()
        for engine in engines:  # every call of this run, by language: its spend and the budget's
            engine.observers.append(self._spent)
        try:
            for chunk in self._chunks(scan):
                job.budget.check(job.store, self.summary.usage.cost)
                await self._translate_chunk(chunk)
                if progress:
                    progress(len(chunk))
        except BudgetReached as stop:  # what is committed stays; the next run goes on from here
            self.summary.stopped = str(stop)
        finally:
            for engine in engines:
                engine.observers.remove(self._spent)
        self.summary.pii_masked = {k: v for k, v in (self._pii() - pii_before).items() if v}
        self.summary.seconds = time.perf_counter() - started
        job.store.finish_run(run_id, self.summary.as_dict())
        return self.summary

    def _spent(self, call: Call) -> None:
        self.summary.spend.setdefault(call.target, Usage()).add(call.usage)
        self.summary.usage.add(call.usage)

    def _engines(self) -> list[Engine]:
        """Every engine this job may call — drafting, refining, assessing — and their fallbacks, once each."""
        found = {id(e): e for first in [self.job.engine, *self.job.loop.engines()] for e in first.chain()}
        return list(found.values())

    def _pii(self) -> Counter[str]:
        """Personal data the engines of this job have masked so far, by kind."""
        total: Counter[str] = Counter()
        for engine in self._engines():
            total.update(engine.pii_masked)
        return total

    # --- items ---------------------------------------------------------------------------------------

    async def translate_records(
        self, records: list[ItemRecord], target: str, hook: CommitHook, *, defer_transient: bool = False
    ) -> None:
        """The agent's path: validated records into one language; `hook` joins the commit, which
        happens even when nothing needs translating (the hook still records what it saw). With
        `defer_transient`, engine errors raise Deferred (try later) instead of ending as i18n.failed."""
        by_source: dict[str, list[ItemRecord]] = defaultdict(list)
        for r in records:
            by_source[r.source_lang].append(r)
        for source, group in by_source.items():
            await self._translate_lang(group, source, target, hook, defer_transient)

    def record(self, item_id: str, data: dict[str, Any]) -> ItemRecord:
        """An item as tolk stores it, from a catalog row or an event's product payload."""
        original, data = data, dict(data)
        data.pop("id", None)
        lang_raw = data.pop("lang", None)
        lang = languages.normalize(str(lang_raw), allow_auto=True) if lang_raw else self.job.source_lang
        category = data.get("category")
        fields = {f: data[f] for f in self.job.fields if isinstance(data.get(f), str) and data[f].strip()}
        attrs = {k: v for k, v in data.items() if k not in fields}
        return ItemRecord(
            id=item_id, source_lang=lang, category=str(category) if category is not None else None,
            fields=fields, attrs=attrs, content_hash=digest(lang, original),
        )  # fmt: skip

    def catalog_records(self) -> list[ItemRecord]:
        """The job's whole catalog, validated as a run validates it (a bad row raises)."""
        assert self.job.path is not None
        scan = catalog.scan(self.job.path, skip_bad=self.job.skip_bad, check=_check_row)
        return [r for chunk in self._chunks(scan) for r in chunk]

    def preview(self, records: list[ItemRecord], source: str, target: str) -> Preview:
        """The plan and reuse steps of `_translate_lang`, without drafting or writing (cost estimate)."""
        todo = self._plan(records, source, target)
        done = self._recall(todo, source, target)
        reused = self._reuse([t for t in todo if t.key not in done])
        every = [(text, {"field": name}) for r in records for name, text in r.fields.items()]
        left = [t for t in todo if t.key not in done and t.key not in reused]
        return Preview(
            segments=len(every), unchanged=len(every) - len(todo),
            memory=sum(1 for t in todo if t.key in done),
            cache=sum(1 for t in todo if t.key in reused and t.key not in done),
            to_send=[Segment(t.key, t.text, t.context) for t in left], all_texts=every,
        )  # fmt: skip

    def _chunks(self, scan: catalog.Scan) -> Iterator[list[ItemRecord]]:
        assert self.job.path is not None
        skip, chunk = scan.skip_lines, []
        for row in catalog.read(self.job.path):
            if isinstance(row, catalog.BadRow) or row.line in skip:
                continue
            chunk.append(self._record(row))
            if len(chunk) >= self.job.chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _record(self, row: catalog.Row) -> ItemRecord:
        return self.record(row.id, row.data)  # scan checked the row's lang

    async def _translate_chunk(self, records: list[ItemRecord]) -> None:
        store = self.job.store
        with store.transaction() as session:
            self.summary.items_changed += store.save_items(session, records)
        self.summary.items += len(records)
        by_source: dict[str, list[ItemRecord]] = defaultdict(list)
        for r in records:
            by_source[r.source_lang].append(r)
        await asyncio.gather(
            *(
                self._translate_lang(group, src, tgt)
                for src, group in by_source.items()
                for tgt in self.job.targets
            )
        )

    # --- one language ------------------------------------------------------------------------------

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
        todo = self._plan(records, source, target)
        tally = Tally(self.job.origin, target, items=sum(1 for r in records if r.fields))
        tally.segments = sum(len(r.fields) for r in records)
        tally.unchanged = tally.segments - len(todo)
        if todo and not self.job.engine.supports(source, target):  # a row's own `lang` it cannot take
            tally.failures += len(todo)
            self._sample_failure(
                f"{len(todo)} segments {source} -> {target}: engine cannot translate this pair"
            )
            todo = []
        if not todo and hook is None:
            self._record_tally(tally)
            return
        done = self._recall(todo, source, target)
        tally.memory_hits = sum(1 for t in todo if t.key in done)
        reused = self._reuse([t for t in todo if t.key not in done])
        tally.cache_hits = sum(1 for t in todo if t.key in reused and t.key not in done)
        done.update(reused)
        tally.cache_misses = len(todo) - tally.memory_hits - tally.cache_hits
        fresh = await self._draft([t for t in todo if t.key not in done], source, target)
        done.update(fresh)
        if defer_transient:
            self._defer_if_transient(todo, done)
        rejected = self.job.store.rejected(source, target, sorted({t.source_hash for t in todo}))
        drafts = {
            t.key: Draft(
                t.key, t.text, t.terms, t.context, done[t.key], rejected.get(t.source_hash, frozenset())
            )
            for t in todo
            if _ok(done, t)
        }
        settled = await self.job.loop.settle(list(drafts.values()), source, target)
        self._commit(todo, done, settled, source, target, hook, tally)

    def _defer_if_transient(self, todo: list[_Todo], done: dict[str, Result]) -> None:
        failed = [done[t.key] for t in todo if t.key in done and not done[t.key].ok and done[t.key].transient]
        if failed:
            why = failed[0].error or "engine error"
            raise Deferred(f"{len(failed)} segments failed: {why}", outage=any(r.outage for r in failed))

    def _recall(self, todo: list[_Todo], source: str, target: str) -> dict[str, Result]:
        """Exact translation-memory matches from trusted units (a person's, by default): reused without
        any engine, and judged like any other text (a rejected one still waits for a person)."""
        hashes = sorted({t.source_hash for t in todo})
        found = self.job.store.recall(source, target, hashes, self.job.trusted_memory)
        hits = {t.key: Result(t.key, found[t.source_hash], engine="memory", model="tm")
                for t in todo if t.source_hash in found}  # fmt: skip
        return hits

    def _fuzzy(self, source: str, target: str) -> FuzzyIndex:
        pair = (source, target)
        if pair not in self._indexes:
            self._indexes[pair] = FuzzyIndex(
                self.job.store, source, target, threshold=self.job.fuzzy_threshold,
                origins=self.job.trusted_memory,
            )  # fmt: skip
        return self._indexes[pair]

    def _plan(self, records: list[ItemRecord], source: str, target: str) -> list[_Todo]:
        job = self.job
        with job.store.sessions() as session:
            existing = job.store.existing(session, [r.id for r in records], target)
        todo = []
        for r in records:
            for name, text in r.fields.items():
                source_hash = digest(normalize_text(text))
                terms = job.glossary.applicable(text, target)
                key = cache_key(
                    text, source, target, job.engine.fingerprint, terms_version(terms), job.profile
                )
                have = existing.get((r.id, name))
                if have is not None and (
                    have.cache_key == key
                    or (have.grade in PROTECTED_GRADES and have.source_hash == source_hash)
                ):
                    continue
                context = {"field": name}
                if r.category:
                    context["category"] = r.category
                if name != "name" and "name" in r.fields:  # the neighbouring field disambiguates
                    context["product"] = r.fields["name"]
                todo.append(_Todo(r.id, name, text, source_hash, key, terms, context, have is not None))
        return todo

    def _reuse(self, todo: list[_Todo]) -> dict[str, Result]:
        hits = self.job.cache.get_many(sorted({t.key for t in todo}))
        return {k: Result(k, c.text, engine=c.engine, model=c.model) for k, c in hits.items()}

    async def _draft(self, todo: list[_Todo], source: str, target: str) -> dict[str, Result]:
        """Each distinct segment once, grouped by the terms that apply (they travel as hints).

        A segment another pipeline of this process is already translating is awaited, not re-sent.
        """
        unique: dict[str, _Todo] = {}
        for t in todo:
            unique.setdefault(t.key, t)
        mine, theirs = self.job.inflight.claim(unique)
        # a group shares requests; an isolated field's text (untrusted: reviews, messages) is a group
        # of its own, so an instruction hidden in it can reach no other item's translation
        groups: dict[tuple[Any, ...], list[Segment]] = defaultdict(list)
        memory: dict[tuple[Any, ...], dict[TmPair, None]] = defaultdict(dict)  # ordered, deduplicated
        fuzzy = self._fuzzy(source, target)
        for key in mine:
            t = unique[key]
            group = (t.terms, key if t.field in self.job.isolate else None)
            groups[group].append(Segment(key, t.text, t.context))
            memory[group].update(dict.fromkeys(fuzzy.hints(t.text)))
        engine, domain = self.job.engine, self.job.domain
        results: dict[str, Result] = {}
        try:
            answers = await asyncio.gather(
                *(
                    engine.translate(segs, source, target, Hints(group[0], tuple(memory[group])[:5], domain))
                    for group, segs in groups.items()
                )
            )
            results = {r.id: r for batch in answers for r in batch}
        finally:  # waiters are released even if this pipeline fails
            for key in mine:
                res = results.get(key)
                shared = Cached(res.text, res.engine, res.model) if res and shareable(res) else None
                self.job.inflight.settle(key, shared)
        private = {t.key for t in todo if self.job.store.vault.sensitive(t.field)}  # sealed, not shared
        fresh = {
            k: Cached(r.text, r.engine, r.model)
            for k, r in results.items()
            if shareable(r) and r.engine == engine.name and k not in private
        }
        self.job.cache.put_many(fresh)
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

    def _sample_failure(self, what: str) -> None:
        if len(self.summary.failure_samples) < 5:
            self.summary.failure_samples.append(what)

    def _commit(
        self,
        todo: list[_Todo],
        done: dict[str, Result],
        settled: dict[str, Settled],
        source: str,
        target: str,
        hook: CommitHook | None = None,
        tally: Tally | None = None,
    ) -> None:
        s, store, telemetry = self.summary, self.job.store, self.job.telemetry
        tally = tally or Tally(self.job.origin, target)
        primary = self.job.engine.name
        stand_ins = {e.name for e in self.job.engine.chain()} - {primary}
        written: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        failed: dict[str, dict[str, str]] = defaultdict(dict)
        with store.transaction() as session:
            if hook is not None:
                hook.before(session)
            for t in todo:
                if not _ok(done, t):
                    tally.failures += 1
                    res = done.get(t.key)
                    failed[t.item_id][t.field] = (res.error if res else None) or "no answer"
                    self._sample_failure(f"{t.item_id}/{t.field} -> {target}: {failed[t.item_id][t.field]}")
                    continue
                end = settled[t.key]
                # a fallback's text is a stop-gap: without the cache key, the next run translates it anew
                stand_in = end.engine in stand_ins
                write = MachineWrite(
                    item_id=t.item_id, field=t.field, lang=target, text=end.text, engine=end.engine,
                    model=end.model, source_hash=t.source_hash, cache_key=None if stand_in else t.key,
                    checks=[f.as_dict() for f in end.verdict.findings], score=end.verdict.score,
                    status=end.status, grade=end.grade, profile=self.job.profile,
                    approved_by=end.approved_by, fallback_for=primary if stand_in else None,
                )  # fmt: skip
                if store.write_machine(session, write, exists=t.exists) == "suggested":
                    s.suggestions += 1
                    continue
                if end.grade is Grade.APPROVED and not done[t.key].personal:  # a judge vouched: memory
                    store.remember(session, source, target, t.text, end.text, "judge",
                                   creator=end.approved_by, item_id=t.item_id, field=t.field)  # fmt: skip
                activity.remember_text(session, (t.item_id, t.field, target), end.engine, "machine",
                                       end.text, end.grade.value, end.verdict.score)  # fmt: skip
                audit.record(session, audit.Entry(
                    f"system:{self.job.origin}", "machine_write", t.item_id, t.field, target,
                    audit.sha256(t.text), end.engine, end.model, self._prompts.get(end.engine) or None,
                    after_sha256=audit.sha256(end.text)))  # fmt: skip
                self._count(end, tally)
                written[t.item_id][t.field] = {
                    "grade": end.grade.value, "score": end.verdict.score, "status": end.status,
                    "failed": end.verdict.failed, "rounds": end.rounds, "approved_by": end.approved_by,
                }  # fmt: skip
            # the events go in the same transaction as the translations they announce
            for item_id in dict.fromkeys([*written, *failed]):
                for event, delay in events.for_translation(
                    item_id, target, written.get(item_id, {}), failed.get(item_id, {}),
                    invalidate_after_s=self.job.invalidate_after_s,
                ):  # fmt: skip
                    store.outbox_add(session, event, delay)
            if hook is not None:
                hook.after(session, {*written, *failed})
            activity.record(session, tally)
        self._counted(tally)
        if telemetry is not None:
            telemetry.flush(store)

    def _record_tally(self, tally: Tally) -> None:
        """Counters of a language that needed no commit (everything unchanged, or nothing it could do)."""
        with self.job.store.transaction() as session:
            activity.record(session, tally)
        self._counted(tally)

    def _counted(self, tally: Tally) -> None:
        """A committed tally joins the run's summary and this process's metrics."""
        self.summary.add(tally)
        if self.job.telemetry is not None:
            self.job.telemetry.tally(tally)

    def _count(self, end: Settled, tally: Tally) -> None:
        s = self.summary
        tally.translated += 1
        tally.add_score(end.verdict.score)
        if end.verdict.metrics is not None:
            tally.add_bleu(end.verdict.metrics.bleu)
        tally.approved += end.grade is Grade.APPROVED
        tally.rewritten += end.rounds > 0
        tally.needs_review += end.status == NEEDS_REVIEW
        s.glossary_misses += "glossary" in end.verdict.failed
        s.pending_approval += end.status == PENDING_APPROVAL
        s.checked += end.status == CHECKED
        if end.approved_by:
            s.approved_by[end.approved_by] = s.approved_by.get(end.approved_by, 0) + 1


def _ok(done: dict[str, Result], t: _Todo) -> bool:
    res = done.get(t.key)
    return res is not None and res.ok


def _check_row(row: catalog.Row) -> str | None:
    """Catalog rules beyond the format: a row's own `lang` must be a language tolk knows."""
    lang = row.data.get("lang")
    if lang in (None, ""):
        return None
    try:
        languages.normalize(str(lang), allow_auto=True)
    except TolkError as exc:
        return f"lang: {exc}"
    return None
