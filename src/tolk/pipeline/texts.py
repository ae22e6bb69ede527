"""Texts translated without a catalog: API requests, the translate page, documents' units.

The same steps as a catalog run (pipeline.core: reuse → draft → judge → decide) without items to
store, so the same rules hold: a person's memory answers first, the loop grades every text (APPROVED
only where an assessor of meaning vouched, CHECKED where only the rules passed, NEEDS_REVIEW
otherwise), a text a reviewer rejected for the same source is held, and what held personal data
never enters the shared cache. Each answer carries its status; callers publish only what is
`publishable`.

A snippet may carry context (the paragraphs around it, the key it belongs to): the engine sees it as a
hint, the cache key ignores it, so editing one paragraph re-translates that paragraph only. Snippets go
to the engine in order, in requests within a character budget (a document is cut at its units). The
cache also keeps the loop's final text with its verdict, so asking again calls no engine at all (the
rules judge it again: a rejection since then still holds it).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from tolk import languages
from tolk.cache import Cached
from tolk.core import InputError, Result, Term, digest, publishable
from tolk.glossary import Glossary, GlossaryEntry
from tolk.pipeline.core import Core, Unit
from tolk.pipeline.job import Job
from tolk.quality.loop import CHECKED, NEEDS_REVIEW, Draft, Settled
from tolk.text.identify import COMMON, identify


@dataclass(frozen=True)
class Snippet:
    text: str
    context: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Translated:
    text: str
    score: float
    failed: list[str]
    engine: str = ""
    status: str | None = NEEDS_REVIEW  # the loop's: None (APPROVED), CHECKED, NEEDS_REVIEW, …
    grade: str = "MACHINE"
    approved_by: str | None = None
    detected_source: str | None = None  # where the source was `auto`: the language tolk found

    @property
    def ok(self) -> bool:
        return not any(f.startswith("engine:") for f in self.failed)

    @property
    def publishable(self) -> bool:
        return self.ok and publishable(self.status)

    @classmethod
    def of(cls, end: Settled) -> Translated:
        return cls(
            end.text,
            end.verdict.score,
            list(end.verdict.failed),
            end.engine,
            end.status,
            end.grade.value,
            end.approved_by,
        )


def _final(end: Settled) -> Cached:
    """The loop's last answer with its verdict, so that asking again needs neither engine nor judge."""
    verdict = dataclasses.asdict(Translated.of(end))
    return Cached(json.dumps(verdict, ensure_ascii=False), end.engine, end.model)


def inline_glossary(terms: dict[str, str], target: str) -> Glossary:
    """`{"Nike": "Nike", "sneakers": "zapatillas"}`: a term mapped to itself is never translated."""
    return Glossary(GlossaryEntry(target, Term(src, dst, src == dst)) for src, dst in terms.items())


async def translate_texts(
    job: Job, texts: list[str], source: str, target: str, extra: Glossary | None = None
) -> list[Translated]:
    return await translate_snippets(job, [Snippet(t) for t in texts], source, target, extra)


async def translate_snippets(
    job: Job,
    snippets: Sequence[Snippet],
    source: str,
    target: str,
    extra: Glossary | None = None,
    budget_chars: int | None = None,
) -> list[Translated]:
    """One Translated per snippet, in order; identical texts go to the engine once. With `source`
    "auto", each text's language is found first (`detected_source`) and texts go to the engine by it."""
    if source == languages.AUTO:
        return await _translate_detected(job, snippets, target, extra, budget_chars)
    return await _translate(job, snippets, source, target, extra, budget_chars)


async def _translate(
    job: Job,
    snippets: Sequence[Snippet],
    source: str,
    target: str,
    extra: Glossary | None,
    budget_chars: int | None,
) -> list[Translated]:
    """The snippets of one source language (or `auto`, for an engine that finds it itself)."""
    if extra is not None:
        job = dataclasses.replace(job, glossary=job.glossary.merged(extra))
    core = Core(job)
    job.engine.check_pair(source, target)

    def plan() -> dict[str, Unit]:
        units: dict[str, Unit] = {}
        for s in snippets:  # the first context of a text is the one the engine sees
            units.setdefault(s.text, core.unit(s.text, source, target, s.context))
        return units

    # finding a glossary's terms in a hundred long texts is CPU work: off the event loop, so a server
    # keeps answering meanwhile
    units = await asyncio.to_thread(plan)
    finals = {u.key: digest("settled-v2", u.key) for u in units.values()}  # v2: with the verdict
    known = job.cache.get_many(sorted(set(finals.values())))
    last = {key: known[f] for key, f in finals.items() if f in known}  # the loop's last answers
    todo = [u for u in units.values() if u.key not in last]
    done = core.reuse(todo) | core.recall(todo, source, target)  # a person's memory wins
    budget = budget_chars or job.engine.settings.request_chars  # ~3,000 tokens at ~4 characters a token
    done |= await core.draft(
        [u for u in todo if u.key not in done], source, target, budget_chars=budget, fuzzy=False
    )
    settled = await core.judge(todo, done, source, target)
    job.cache.put_many(
        {
            finals[k]: _final(end)
            for k, end in settled.items()
            if not done[k].personal and end.engine not in job.stand_ins
        }
    )
    again_hashes = sorted({u.source_hash for u in units.values() if u.key in last})
    rejected = job.store.rejected(source, target, again_hashes)  # the rest were judged with theirs

    def rejudged() -> dict[str, Translated]:
        """The loop's verdict on texts answered before, unless the rules now say otherwise (a rejection
        since): CPU work like the first judgement, so off the event loop too."""
        out: dict[str, Translated] = {}
        for u in units.values():
            if u.key not in last:
                continue
            before = Translated(**json.loads(last[u.key].text))
            again = Result(u.key, before.text, engine=before.engine)
            draft = Draft(
                u.key,
                u.text,
                u.terms,
                u.context,
                again,
                rejected.get(u.source_hash, frozenset()),
                required_here=not job.required_in_whole,
            )
            verdict = job.loop.judge(draft, again, source, target, job.formality.target(target))
            now = job.loop.grade(again, verdict, 0)
            out[u.key] = before if now.publishable else Translated.of(now)
        return out

    answered_before = await asyncio.to_thread(rejudged) if last else {}
    out = []
    for s in snippets:
        u = units[s.text]
        if u.key in last:
            out.append(answered_before[u.key])
        elif u.key in settled:
            out.append(Translated.of(settled[u.key]))
        else:
            error = done[u.key].error if u.key in done else None
            out.append(Translated("", 0.0, [f"engine: {error or 'no answer'}"], status="FAILED"))
    return out


async def _translate_detected(
    job: Job, snippets: Sequence[Snippet], target: str, extra: Glossary | None, budget_chars: int | None
) -> list[Translated]:
    """Each snippet's language identified (offline), then each language's snippets translated as one
    request set; a text already in the target language comes back as it is. A text too short to tell
    goes with the language most of the others are in, or to an engine that detects languages itself
    as `auto`; where neither can be, the request is refused rather than guessed."""
    candidates = (*COMMON, target)
    found = await asyncio.to_thread(lambda: [identify(s.text, candidates) for s in snippets])
    tags = [f.tag if f is not None else None for f in found]
    counted = [t for t in tags if t is not None]
    usual = max(set(counted), key=counted.count) if counted else None
    engine = job.engine
    groups: dict[str, list[int]] = {}
    for i, tag in enumerate(tags):
        if tag is None:
            tag = usual if usual is not None else languages.AUTO
        if tag == languages.AUTO and not engine.supports(languages.AUTO, target):
            raise InputError(
                f"text {i + 1}: too short to tell its language, and engine {engine.name} needs one: "
                "give the source language"
            )
        groups.setdefault(tag, []).append(i)
    out: list[Translated | None] = [None] * len(snippets)
    for tag, indexes in groups.items():
        if _same_language(tag, target):
            for i in indexes:  # nothing to translate: as DeepL does, the text comes back unchanged
                out[i] = Translated(snippets[i].text, 100.0, [], status=CHECKED, detected_source=tag)
            continue
        done = await _translate(job, [snippets[i] for i in indexes], tag, target, extra, budget_chars)
        detected = None if tag == languages.AUTO else tag
        for i, t in zip(indexes, done, strict=True):
            out[i] = dataclasses.replace(t, detected_source=detected)
    return [t for t in out if t is not None]


def _same_language(found: str, target: str) -> bool:
    """`en` found for an `en-US` target, `zh-CN` for `zh-CN`: the text is already in the target."""
    if found == languages.AUTO:
        return False
    return found == target or (found.split("-")[0] == target.split("-")[0] and "-" not in found)
