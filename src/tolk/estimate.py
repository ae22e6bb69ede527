"""`tolk cost estimate`: what translating a catalog would cost, before a single request is sent.

The estimate walks the same plan a run would (tolk.pipeline.story.Pipeline.preview): what is already
translated from this exact source, what the translation memory and the cache answer, what repeats in
the input and goes once — and renders, without sending, the requests the engine would get for the
rest, so prompts, JSON framing and batching are counted as they would be paid.

Tokens are counted without a tokenizer (none ships offline for these models): characters per token
by script, from the usual behaviour of large BPE vocabularies (≈ 4 for English, ≈ 1.2 for Hangul and
kana, ≈ 1.4 for Han); a translation's length is the source's times the target language's token
premium over the source's. Expect ±30 %; `tolk report` shows what was actually spent afterwards.
Quality-loop rewrites, round-trip and judge calls are not included (they depend on the drafts).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any

from tolk.core import Hints, Segment, Usage
from tolk.engines.base import Engine
from tolk.pipeline import Pipeline
from tolk.store.repo import ItemRecord

# characters per token, by the first word of a character's Unicode name
_CHARS_PER_TOKEN = {
    "LATIN": 4.0, "DIGIT": 2.0, "CYRILLIC": 3.0, "GREEK": 3.0, "ARABIC": 3.0, "HEBREW": 3.0,
    "HANGUL": 1.2, "CJK": 1.4, "HIRAGANA": 1.2, "KATAKANA": 1.2, "THAI": 2.2, "DEVANAGARI": 2.0,
}  # fmt: skip
_OTHER = 2.5  # punctuation, symbols, scripts not listed

# tokens a language needs for the same content, relative to English (published tokenizer-parity
# figures for large multilingual vocabularies, rounded); a language not listed counts 1.3
_PREMIUM = {
    "en": 1.0, "es": 1.15, "pt": 1.15, "fr": 1.2, "it": 1.15, "de": 1.2, "nl": 1.2, "ms": 1.15,
    "id": 1.15, "vi": 1.3, "ru": 1.4, "ko": 1.3, "ja": 1.2, "zh": 1.0, "th": 1.6, "ar": 1.4,
}  # fmt: skip


def count_tokens(text: str) -> int:
    """Tokens of `text` for a large BPE vocabulary, estimated from its scripts."""
    chars: dict[float, int] = {}
    for ch in text:
        if ch.isspace():
            continue  # a space is folded into the next word's token
        if ch.isdigit():
            rate = _CHARS_PER_TOKEN["DIGIT"]
        else:
            name = unicodedata.name(ch, "")
            rate = _CHARS_PER_TOKEN.get(name.split(" ", 1)[0], _OTHER) if ch.isalpha() else _OTHER
        chars[rate] = chars.get(rate, 0) + 1
    return round(sum(n / rate for rate, n in chars.items()))


def premium(lang: str) -> float:
    return _PREMIUM.get(lang.split("-")[0], 1.3)


@dataclass
class LangEstimate:
    lang: str
    segments: int = 0  # (item, field) pairs in the input
    unchanged: int = 0  # already translated from this source, under these conditions
    memory: int = 0  # exact translation-memory matches
    cache: int = 0  # translated before (the cache)
    repeats: int = 0  # the same text elsewhere in the input: sent once
    sent: int = 0  # distinct segments the engine gets
    requests: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float = 0.0
    naive_tokens: int = 0  # every segment in a request of its own, nothing reused
    naive_cost: float = 0.0

    @property
    def saved_cost(self) -> float:
        return max(0.0, self.naive_cost - self.cost)

    def add(self, other: LangEstimate) -> None:
        for f in fields(self):
            if f.name != "lang":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"cost": round(self.cost, 6), "naive_cost": round(self.naive_cost, 6)}


def estimate(pipeline: Pipeline, records: list[ItemRecord], source: str, target: str) -> LangEstimate:
    """The requests a run of `records` into `target` would send, and what they would cost."""
    engine = pipeline.job.engine
    plan = pipeline.preview(records, source, target)
    out = LangEstimate(
        target, segments=plan.segments, unchanged=plan.unchanged, memory=plan.memory, cache=plan.cache
    )
    unique = list({seg.id: seg for seg in plan.to_send}.values())
    out.repeats, out.sent = len(plan.to_send) - len(unique), len(unique)
    isolated = [seg for seg in unique if seg.context.get("field") in pipeline.job.isolate]
    shared = [seg for seg in unique if seg.context.get("field") not in pipeline.job.isolate]
    sent = _requests(engine, shared, source, target, engine.batch_size)
    sent.add(_requests(engine, isolated, source, target, 1))
    out.requests, out.tokens_in, out.tokens_out = sent.requests, sent.tokens_in, sent.tokens_out
    out.cost = engine.cost(sent)
    every = [Segment(f"{n}", text, ctx) for n, (text, ctx) in enumerate(plan.all_texts)]
    naive = _requests(engine, every, source, target, 1)
    out.naive_tokens, out.naive_cost = naive.tokens_in + naive.tokens_out, engine.cost(naive)
    return out


def _requests(engine: Engine, segments: list[Segment], source: str, target: str, size: int) -> Usage:
    usage = Usage()
    factor = premium(target) / premium(source)
    for start in range(0, len(segments), size):
        batch = segments[start : start + size]
        rendered = engine.request_text(batch, source, target, Hints(domain=None))
        usage.add(
            Usage(
                requests=1, tokens_in=count_tokens(rendered), tokens_out=_reply_tokens(engine, batch, factor)
            )
        )
    return usage


def _reply_tokens(engine: Engine, batch: Iterable[Segment], factor: float) -> int:
    texts = [round(count_tokens(s.text) * factor) for s in batch]
    framing = engine.reply_framing_tokens * len(texts)  # e.g. {"id": "3", "text": "…"} per segment
    return sum(texts) + framing


# --- a monthly projection (`tolk cost project`) ----------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """One model's month: the tokens a volume of source text becomes, and their price."""

    model: str
    price_in: float  # USD per million tokens
    price_out: float
    tokens_in: int
    tokens_out: int

    @property
    def monthly(self) -> float:
        return (self.tokens_in * self.price_in + self.tokens_out * self.price_out) / 1e6

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "monthly_usd": round(self.monthly, 4),
            "yearly_usd": round(self.monthly * 12, 2),
        }


def project(
    source_tokens: float, source: str, targets: list[str], models: dict[str, tuple[float, float]]
) -> list[Projection]:
    """Each model's cost of translating `source_tokens` a month into every target: the source is sent
    once per language, and comes back longer or shorter as the target's script costs (`premium`).
    First drafts only, nothing reused: an upper bound for text that never repeats."""
    tokens_in = round(source_tokens * len(targets))
    tokens_out = round(sum(source_tokens * premium(t) / premium(source) for t in targets))
    return [Projection(name, p_in, p_out, tokens_in, tokens_out) for name, (p_in, p_out) in models.items()]
