"""What translation work adds up to: the counters a commit, a run, a report and the dashboard share
(one definition of each ratio). Plain data, at the bottom of the house: store/activity.py writes them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(kw_only=True)
class Counts:
    """What translation work adds up to. A Tally is one commit's, a run's Summary and a report's
    Figures are sums of them: one set of counters, one definition of each ratio."""

    items: int = 0
    segments: int = 0
    translated: int = 0
    unchanged: int = 0
    cache_hits: int = 0
    memory_hits: int = 0
    cache_misses: int = 0
    failures: int = 0
    rewritten: int = 0
    approved: int = 0
    needs_review: int = 0
    edits: int = 0
    approvals: int = 0
    sent_back: int = 0
    scored: int = 0
    score_sum: float = 0.0
    bleu_n: int = 0
    bleu_sum: float = 0.0
    characters: int = 0  # source characters translated on request (what /v2/usage counts)

    def add_score(self, value: float) -> None:
        self.scored += 1
        self.score_sum += value

    def add_bleu(self, value: float) -> None:
        self.bleu_n += 1
        self.bleu_sum += value

    def add(self, other: Counts) -> None:
        """Add every number the two have in common (a Figures' spend too, where both have it)."""
        for f in dataclasses.fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name, None)
            if (
                isinstance(theirs, int | float)
                and isinstance(mine, int | float)
                and not isinstance(mine, bool)
            ):
                setattr(self, f.name, mine + theirs)

    @property
    def average_score(self) -> float | None:
        return round(self.score_sum / self.scored, 1) if self.scored else None

    @property
    def bleu(self) -> float | None:
        """0–1, like the seed's report."""
        return round(self.bleu_sum / self.bleu_n / 100, 2) if self.bleu_n else None

    @property
    def cache_miss_pct(self) -> float:
        """Of the segments that needed a text, the share that went to an engine (not cache, not memory)."""
        needed = self.cache_hits + self.memory_hits + self.cache_misses
        return round(100.0 * self.cache_misses / needed, 1) if needed else 0.0


COUNTERS = tuple(f.name for f in dataclasses.fields(Counts))


@dataclass
class Tally(Counts):
    """One commit's counters for one target language: a row of the activity table."""

    origin: str  # translate, agent, api, job, review
    lang: str
    gate: str | None = None  # the gate's signature (short form) the commit's scores were measured with

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in COUNTERS)
