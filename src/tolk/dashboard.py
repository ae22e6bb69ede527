"""The dashboard's figures per day: quality per language, throughput, engine latency, spend, cache
hit ratio, rewrites and review work — read from the activity rows and the engine-call log."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tolk.core import now
from tolk.store import activity
from tolk.store.repo import Store

Line = dict[str, list[float | None]]  # series name -> one value per day (None: nothing that day)


@dataclass
class Dashboard:
    days: list[date]
    score: Line = field(default_factory=dict)  # per language (and gate signature, when it changed)
    throughput: Line = field(default_factory=dict)  # translated, failures, failed events, dead letters
    latency: Line = field(default_factory=dict)  # "<engine> p50", "<engine> p95" (seconds)
    cost: Line = field(default_factory=dict)  # per engine, USD
    cache: Line = field(default_factory=dict)  # hit ratio, %
    review: Line = field(default_factory=dict)  # rewrites, sent to review, edits, approvals


def build(store: Store, days: int = 14) -> Dashboard:
    today = now().date()
    span = [today - timedelta(days=days - 1 - i) for i in range(days)]
    since = now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
    index = {d: i for i, d in enumerate(span)}
    board = Dashboard(span)
    _activity(store, since, index, board)
    _calls(store, since, index, board)
    _events(store, since, index, board)
    return board


def _blank(n: int) -> list[float | None]:
    return [None] * n


def _add(line: Line, name: str, i: int, value: float, n: int) -> None:
    values = line.setdefault(name, _blank(n))
    values[i] = (values[i] or 0.0) + value


def _activity(store: Store, since: datetime, index: dict[date, int], board: Dashboard) -> None:
    n = len(index)
    cols: tuple[str, ...] = ("at", "lang", "gate", "translated", "failures", "scored", "score_sum")
    cols += ("cache_hits", "memory_hits", "cache_misses", "rewritten", "needs_review", "edits", "approvals")
    # a score is averaged only with scores the same gate measured: (lang, signature) -> per day
    scored: dict[tuple[str, str | None], list[float]] = defaultdict(lambda: [0.0] * n)
    score_sum: dict[tuple[str, str | None], list[float]] = defaultdict(lambda: [0.0] * n)
    hits, needed = [0.0] * n, [0.0] * n
    rows = activity.activity_since(store, since, cols)
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
        i = index.get(at.date())
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


def _events(store: Store, since: datetime, index: dict[date, int], board: Dashboard) -> None:
    """Consumed events that came to nothing (agent): unusable ones, and those dead-lettered."""
    n = len(index)
    for at, _, outcome in store.event_failures(since, now()):
        if (i := index.get(at.date())) is not None:
            _add(board.throughput, "dead letters" if outcome == "dead" else "failed events", i, 1.0, n)


def _calls(store: Store, since: datetime, index: dict[date, int], board: Dashboard) -> None:
    n = len(index)
    seconds: dict[str, list[list[float]]] = defaultdict(lambda: [[] for _ in range(n)])
    for at, engine, secs, cost in activity.calls_since(store, since):
        i = index.get(at.date())
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
