"""Small texts translated on request (POST /v1/translate): cached, glossary applied, gate-scored.

The same parts as a catalog run (engine, glossary, cache, quality loop) without storing items: a
request's texts are not catalog rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from tolk.assemble import Kit
from tolk.cache import Cached, cache_key
from tolk.core import Hints, Result, Segment, Term
from tolk.glossary import Glossary, GlossaryEntry, terms_version
from tolk.quality.loop import Draft


@dataclass(frozen=True)
class Translated:
    text: str
    score: float
    failed: list[str]


def inline_glossary(terms: dict[str, str], target: str) -> Glossary:
    """`{"Nike": "Nike", "sneakers": "zapatillas"}`: a term mapped to itself is never translated."""
    return Glossary(GlossaryEntry(target, Term(src, dst, src == dst)) for src, dst in terms.items())


async def translate_texts(
    kit: Kit, texts: list[str], source: str, target: str, extra: Glossary | None = None
) -> list[Translated]:
    engine, glossary = kit.engine, kit.glossary.merged(extra) if extra else kit.glossary
    engine.check_pair(source, target)
    terms = {text: glossary.applicable(text, target) for text in texts}
    keys = {text: cache_key(text, source, target, engine.fingerprint, terms_version(terms[text]),
                            kit.profile.name) for text in texts}  # fmt: skip
    cached = kit.cache.get_many(sorted(set(keys.values())))
    results = {k: Result(k, c.text, engine=c.engine, model=c.model) for k, c in cached.items()}
    groups: dict[tuple[Term, ...], dict[str, Segment]] = defaultdict(dict)
    for text in texts:
        if keys[text] not in results:
            groups[terms[text]][keys[text]] = Segment(keys[text], text)
    for group_terms, segments in groups.items():
        hints = Hints(group_terms, (), kit.profile.domain or None)
        for res in await engine.translate(list(segments.values()), source, target, hints):
            results[res.id] = res
            if res.ok and res.engine == engine.name:
                kit.cache.put_many({res.id: Cached(res.text, res.engine, res.model)})
    drafts = {
        keys[t]: Draft(keys[t], t, terms[t], {}, results[keys[t]]) for t in texts if results[keys[t]].ok
    }
    settled = await kit.loop.settle(list(drafts.values()), source, target)
    out = []
    for text in texts:
        key = keys[text]
        if key in settled:
            end = settled[key]
            out.append(Translated(end.text, end.verdict.score, list(end.verdict.failed)))
        else:
            out.append(Translated("", 0.0, [f"engine: {results[key].error or 'no answer'}"]))
    return out
