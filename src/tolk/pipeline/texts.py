"""Texts translated without a catalog: API requests, the translate page, documents' units.

The same parts as a catalog run (engine, glossary, cache, quality loop) without storing items, and the
same publishing rules: the loop grades every text (APPROVED only where an assessor of meaning vouched,
CHECKED where only the rules passed, NEEDS_REVIEW otherwise), a text a reviewer rejected for the same
source is held, and what held personal data never enters the shared cache. The cache keeps the
engine's draft and the loop's final publishable text, so asking again calls no engine at all. A
snippet may carry context (the paragraphs around it, the key it belongs to): the engine sees it as a
hint, the cache key ignores it, so editing one paragraph re-translates that paragraph only. Snippets go
to the engine in order, in requests that stay within a character budget (a document is cut at its
units, which are its structure's boundaries).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tolk.cache import Cached, cache_key, shareable
from tolk.core import Hints, Result, Segment, Term, digest, normalize_text
from tolk.glossary import Glossary, GlossaryEntry, terms_version
from tolk.quality.loop import NEEDS_REVIEW, Draft, Settled

if TYPE_CHECKING:
    from tolk.assemble import Kit


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

    @property
    def ok(self) -> bool:
        return not any(f.startswith("engine:") for f in self.failed)

    @property
    def publishable(self) -> bool:
        return self.ok and self.status not in ("NEEDS_REVIEW", "PENDING_APPROVAL")

    @classmethod
    def of(cls, end: Settled) -> Translated:
        return cls(end.text, end.verdict.score, list(end.verdict.failed), end.engine, end.status,
                   end.grade.value, end.approved_by)  # fmt: skip


def inline_glossary(terms: dict[str, str], target: str) -> Glossary:
    """`{"Nike": "Nike", "sneakers": "zapatillas"}`: a term mapped to itself is never translated."""
    return Glossary(GlossaryEntry(target, Term(src, dst, src == dst)) for src, dst in terms.items())


async def translate_texts(
    kit: Kit, texts: list[str], source: str, target: str, extra: Glossary | None = None
) -> list[Translated]:
    return await translate_snippets(kit, [Snippet(t) for t in texts], source, target, extra)


def _chunks(segments: list[Segment], budget: int) -> list[list[Segment]]:
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


async def translate_snippets(
    kit: Kit, snippets: Sequence[Snippet], source: str, target: str, extra: Glossary | None = None,
    budget_chars: int | None = None,
) -> list[Translated]:  # fmt: skip
    """One Translated per snippet, in order; identical texts go to the engine once."""
    engine, glossary = kit.engine, kit.glossary.merged(extra) if extra else kit.glossary
    budget = budget_chars or engine.settings.request_chars  # ~3,000 tokens at ~4 characters a token
    engine.check_pair(source, target)
    texts = [s.text for s in snippets]
    terms = {text: glossary.applicable(text, target) for text in texts}
    keys = {text: cache_key(text, source, target, engine.fingerprint, terms_version(terms[text]),
                            kit.profile.name) for text in texts}  # fmt: skip
    finals = {key: digest("settled", key) for key in keys.values()}
    known = kit.cache.get_many(sorted(set(finals.values())))
    settled_before = {key: known[f] for key, f in finals.items() if f in known}
    cached = kit.cache.get_many(sorted(set(keys.values()) - set(settled_before)))
    results = {k: Result(k, c.text, engine=c.engine, model=c.model) for k, c in cached.items()}
    rejected = kit.store.rejected(source, target, sorted({digest(normalize_text(t)) for t in texts}))
    refused = {t: rejected.get(digest(normalize_text(t)), frozenset()) for t in texts}
    groups: dict[tuple[Term, ...], dict[str, Segment]] = defaultdict(dict)
    for snippet in snippets:
        key = keys[snippet.text]
        if key not in results and key not in settled_before:
            groups[terms[snippet.text]].setdefault(key, Segment(key, snippet.text, snippet.context))
    for group_terms, segments in groups.items():  # the settled ones need no engine at all
        hints = Hints(group_terms, (), kit.profile.domain or None)
        for chunk in _chunks(list(segments.values()), budget):
            for res in await engine.translate(chunk, source, target, hints):
                results[res.id] = res
                if shareable(res) and res.engine == engine.name:
                    kit.cache.put_many({res.id: Cached(res.text, res.engine, res.model)})
    drafts = {
        keys[t]: Draft(keys[t], t, terms[t], {}, results[keys[t]], refused[t])
        for t in texts
        if keys[t] not in settled_before and results[keys[t]].ok
    }
    settled = await kit.loop.settle(list(drafts.values()), source, target)
    kit.cache.put_many({finals[k]: Cached(end.text, end.engine, end.model) for k, end in settled.items()
                        if end.publishable and not drafts[k].result.personal})  # fmt: skip
    out = []
    for text in texts:
        key = keys[text]
        if key in settled_before:  # the loop's last answer: judged again by the rules, no engine called
            last = settled_before[key]
            again = Result(key, last.text, engine=last.engine, model=last.model)
            draft = Draft(key, text, terms[text], {}, again, refused[text])
            out.append(Translated.of(kit.loop.grade(again, kit.loop.judge(draft, again, source, target), 0)))
        elif key in settled:
            out.append(Translated.of(settled[key]))
        else:
            out.append(Translated("", 0.0, [f"engine: {results[key].error or 'no answer'}"]))
    return out
