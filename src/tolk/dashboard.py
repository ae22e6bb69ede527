"""The dashboard: headline numbers (today, the last 7 days) and its figures over a window —
quality per language, throughput, engine latency, spend, cache hit ratio, rewrites and review work —
read from the activity rows and the engine-call log.

A recent window is cut into hours (24 h) or two-hour blocks (48 h), a longer one into days, so one day
of data already draws a line, not a dot.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tolk.core import now
from tolk.store import activity
from tolk.store.repo import Store

Line = dict[str, list[float | None]]  # series name -> one value per bucket (None: nothing then)

# window -> (bucket, buckets)
WINDOWS = {
    "24h": (timedelta(hours=1), 24),
    "48h": (timedelta(hours=2), 24),
    "7d": (timedelta(days=1), 7),
    "14d": (timedelta(days=1), 14),
    "30d": (timedelta(days=1), 30),
    "90d": (timedelta(days=1), 90),
}


@dataclass(frozen=True)
class Span:
    """Buckets of `step` from `start`, `count` of them; the last one holds now."""

    start: datetime
    step: timedelta
    count: int

    @classmethod
    def window(cls, name: str, at: datetime | None = None) -> Span:
        step, count = WINDOWS[name]
        at = at or now()
        midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
        last = midnight + step * ((at - midnight) // step)  # the bucket holding `at`
        return cls(last - step * (count - 1), step, count)

    def slot(self, at: datetime) -> int | None:
        i = (at - self.start) // self.step
        return i if 0 <= i < self.count else None

    @property
    def ticks(self) -> list[datetime]:
        return [self.start + self.step * i for i in range(self.count)]

    @property
    def hourly(self) -> bool:
        return self.step < timedelta(days=1)


@dataclass
class Dashboard:
    span: Span
    score: Line = field(default_factory=dict)  # per language (and gate signature, when it changed)
    throughput: Line = field(default_factory=dict)  # translated, failures, failed events, dead letters
    latency: Line = field(default_factory=dict)  # "<engine> p50", "<engine> p95" (seconds)
    cost: Line = field(default_factory=dict)  # per engine, USD
    cache: Line = field(default_factory=dict)  # hit ratio, %
    review: Line = field(default_factory=dict)  # rewrites, sent to review, edits, approvals


@dataclass(frozen=True)
class Headline:
    """What happened since `since`: the numbers a person reads first."""

    label: str
    translated: int
    approved_by_assessor: int  # the judge or a reference metric vouched
    approved_by_people: int
    edits: int
    failures: int
    cache_hit_pct: float | None
    spend_usd: float


def headlines(store: Store, at: datetime | None = None) -> list[Headline]:
    """Today (since midnight UTC) and the last 7 days."""
    at = at or now()
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    return [_headline(store, "today", midnight, at), _headline(store, "7 days", at - timedelta(days=7), at)]


def _headline(store: Store, label: str, since: datetime, until: datetime) -> Headline:
    sums: dict[str, float] = defaultdict(float)
    for counters in activity.sums_by_lang(store, since, until).values():
        for name, value in counters.items():
            if isinstance(value, int | float):
                sums[name] += value
    reused = sums["cache_hits"] + sums["memory_hits"]
    looked = reused + sums["cache_misses"]
    spend = sum(cost for _, _, _, cost in activity.calls_since(store, since))
    return Headline(
        label,
        int(sums["translated"]),
        int(sums["approved"]),
        int(sums["approvals"]),
        int(sums["edits"]),
        int(sums["failures"]),
        100.0 * reused / looked if looked else None,
        spend,
    )


def build(store: Store, window: str = "14d") -> Dashboard:
    span = Span.window(window)
    board = Dashboard(span)
    _activity(store, span, board)
    _calls(store, span, board)
    _events(store, span, board)
    return board


def _blank(n: int) -> list[float | None]:
    return [None] * n


def _add(line: Line, name: str, i: int, value: float, n: int) -> None:
    values = line.setdefault(name, _blank(n))
    values[i] = (values[i] or 0.0) + value


def _activity(store: Store, span: Span, board: Dashboard) -> None:
    n = span.count
    cols: tuple[str, ...] = ("at", "lang", "gate", "translated", "failures", "scored", "score_sum")
    cols += ("cache_hits", "memory_hits", "cache_misses", "rewritten", "needs_review", "edits", "approvals")
    # a score is averaged only with scores the same gate measured: (lang, signature) -> per day
    scored: dict[tuple[str, str | None], list[float]] = defaultdict(lambda: [0.0] * n)
    score_sum: dict[tuple[str, str | None], list[float]] = defaultdict(lambda: [0.0] * n)
    hits, needed = [0.0] * n, [0.0] * n
    rows = activity.activity_since(store, span.start, cols)
    for (
        at,
        lang,
        gate,
        done,
        failed,
        n_scored,
        s_sum,
        cache,
        mem,
        miss,
        rewrites,
        sent,
        edits,
        approvals,
    ) in rows:
        i = span.slot(at)
        if i is None:
            continue
        scored[lang, gate][i] += n_scored
        score_sum[lang, gate][i] += s_sum
        _add(board.throughput, "translated", i, done, n)
        _add(board.throughput, "failures", i, failed, n)
        hits[i] += cache + mem
        needed[i] += cache + mem + miss
        for name, value in (
            ("rewrites", rewrites),
            ("sent to review", sent),
            ("edits", edits),
            ("approvals", approvals),
        ):
            _add(board.review, name, i, value, n)
    signed = {gate for (_, gate), counts in scored.items() if any(counts)}
    for key in sorted(scored, key=lambda k: (k[0], k[1] or "")):
        lang, gate = key
        if len(signed) > 1 and not any(scored[key]):
            continue  # a line per signature that scored something
        # one gate in the window: the language names the line; after a change each signature has its own
        name = lang if len(signed) == 1 else f"{lang} ({gate or 'unsigned'})"
        board.score[name] = [s / c if c else None for s, c in zip(score_sum[key], scored[key], strict=True)]
    board.cache["hit ratio %"] = [100.0 * h / t if t else None for h, t in zip(hits, needed, strict=True)]


def _events(store: Store, span: Span, board: Dashboard) -> None:
    """Consumed events that came to nothing (agent): unusable ones, and those dead-lettered."""
    n = span.count
    for at, _, outcome in store.event_failures(span.start, now()):
        if (i := span.slot(at)) is not None:
            _add(board.throughput, "dead letters" if outcome == "dead" else "failed events", i, 1.0, n)


def _calls(store: Store, span: Span, board: Dashboard) -> None:
    n = span.count
    seconds: dict[str, list[list[float]]] = defaultdict(lambda: [[] for _ in range(n)])
    for at, engine, secs, cost in activity.calls_since(store, span.start):
        i = span.slot(at)
        if i is None:
            continue
        seconds[engine][i].append(secs)
        _add(board.cost, engine, i, cost, n)
    for engine in sorted(seconds):
        per_day = seconds[engine]
        board.latency[f"{engine} p50"] = [_pct(v, 50) for v in per_day]
        board.latency[f"{engine} p95"] = [_pct(v, 95) for v in per_day]


def _pct(values: list[float], pct: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]
