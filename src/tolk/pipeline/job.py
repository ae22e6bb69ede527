"""What a translation job is made of, and what it adds up to: the typed set-up every surface builds
(assemble.Kit.job), the run's summary, and the agent's share of a commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tolk.activity import Counts, Tally
from tolk.budget import Budget
from tolk.cache import Cache, InFlight
from tolk.core import Segment, Usage
from tolk.engines.base import Engine
from tolk.formality import Formality
from tolk.formats import catalog
from tolk.glossary import Glossary
from tolk.quality.gate import Gate
from tolk.quality.loop import Loop
from tolk.store.repo import Store

if TYPE_CHECKING:
    from tolk.store.base import Session
    from tolk.telemetry import Telemetry


BAD_ROWS_LISTED = 1_000  # in a summary's dict; `bad_rows` counts them all


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
    # a profile's required terms are looked for in the whole document, not in each of its units (a
    # heading needs no "TAE"); the caller checks the whole (tolk.documents.run)
    required_in_whole: bool = False
    formality: Formality = field(default_factory=Formality)  # the register asked for, by target language
    skip_bad: bool = False
    chunk_size: int = 200
    depth: int = 2  # chunks on their way at once: one with the engine while the one before commits
    inflight: InFlight = field(default_factory=InFlight)  # share one between pipelines of a process
    loop: Loop = field(default_factory=lambda: Loop(Gate(), None))  # judge only, unless configured
    fuzzy_threshold: float = 75.0  # translation-memory matches at least this similar become hints
    invalidate_after_s: float = 30.0  # delay of the cache.invalidate event after a change
    events: bool = True  # write the run's events to the outbox ([events] outbox: someone publishes them)
    origin: str = "translate"  # who runs it, in the activity rows: translate, agent, job
    budget: Budget = field(default_factory=Budget)  # caps checked between chunks
    isolate: frozenset[str] = frozenset()  # fields sent one per request ([privacy] isolate_fields)
    trusted_memory: frozenset[str] = frozenset({"person", "tmx"})  # memory origins reused as approved
    telemetry: Telemetry | None = None  # metrics and engine-call rows of this process

    @property
    def stand_ins(self) -> frozenset[str]:
        """The drafting engine's fallbacks, by name: what they write is a stop-gap, replaced later."""
        return frozenset(e.name for e in self.engine.chain()) - {self.engine.name}

    def engines(self) -> list[Engine]:
        """Every engine this job may call — drafting, refining, assessing — and their fallbacks, once each."""
        found = {id(e): e for first in [self.engine, *self.loop.engines()] for e in first.chain()}
        return list(found.values())


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
    suggestions: int = 0  # kept: a person's text stays, the machine's is saved as its suggestion
    reused: int = 0  # of the translated: answered by cache or memory, not by an engine
    glossary_misses: int = 0
    pending_approval: int = 0
    checked: int = 0  # passed the rule checks; nobody vouched for the meaning
    approved_by: dict[str, int] = field(default_factory=dict)  # who or what approved, and how many
    langs: dict[str, Counts] = field(default_factory=dict)  # per target language
    bad_rows: list[catalog.BadRow] = field(default_factory=list)
    failure_reasons: dict[str, tuple[int, str]] = field(default_factory=dict)  # reason -> (count, one where)
    usage: Usage = field(default_factory=Usage)
    spend: dict[str, Usage] = field(default_factory=dict)  # by target language, from the engines' calls
    pii_masked: dict[str, int] = field(default_factory=dict)  # personal data masked, by kind
    stopped: str | None = None  # why the run stopped before the end (a budget), if it did
    gate: str = ""  # the gate's signature: what the scores were measured with
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

    def outcome(self) -> dict[str, int]:
        """Where each segment ended — one place each, so the parts add up to `segments`."""
        return {
            "unchanged": self.unchanged,
            "translated": self.translated,
            "kept": self.suggestions,
            "failed": self.failures,
        }

    def decisions(self) -> dict[str, int]:
        """What the gate decided for each translated segment — one each, adding up to `translated`."""
        return {
            "approved": self.approved,
            "checked": self.checked,
            "needs_review": self.needs_review,
            "pending_approval": self.pending_approval,
        }

    def average_scores(self) -> dict[str, float]:
        return {
            lang: c.average_score for lang, c in sorted(self.langs.items()) if c.average_score is not None
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "items_changed": self.items_changed,
            "segments": self.segments,
            "translated": self.translated,
            "skipped": self.skipped,
            "unchanged": self.unchanged,
            "cache_hits": self.cache_hits,
            "memory_hits": self.memory_hits,
            "cache_misses": self.cache_misses,
            "suggestions": self.suggestions,
            "failures": self.failures,
            "glossary_misses": self.glossary_misses,
            "approved": self.approved,
            "rewritten": self.rewritten,
            "needs_review": self.needs_review,
            "pending_approval": self.pending_approval,
            "checked": self.checked,
            "approved_by": dict(self.approved_by),
            "average_score": self.average_scores(),
            "bad_rows": len(self.bad_rows),
            "bad_row_list": [{"line": b.line, "reason": b.reason} for b in self.bad_rows[:BAD_ROWS_LISTED]],
            "reused": self.reused,
            "outcome": self.outcome(),
            "decisions": self.decisions(),
            "requests": self.usage.requests,
            "tokens_in": self.usage.tokens_in,
            "tokens_out": self.usage.tokens_out,
            "cost": round(self.usage.cost, 6),
            "spend": {
                lang: {
                    "requests": u.requests,
                    "tokens_in": u.tokens_in,
                    "tokens_out": u.tokens_out,
                    "cost": round(u.cost, 6),
                }
                for lang, u in sorted(self.spend.items())
            },
            "pii_masked": dict(self.pii_masked),
            "stopped": self.stopped,
            "seconds": round(self.seconds, 3),
            "gate": self.gate,
        }


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
