"""What a check sees and what it says.

A check is a small class with an id, a severity, one predicate and a message; the gate runs the enabled
ones over a `Sample` (source, translation and what is known about them) and scores the findings. Each
check carries its own `good` and `bad` examples; a contract test generated from the registry runs them
all, so a new check cannot come without them (Weblate's way).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from tolk.core import Finish, Term

if TYPE_CHECKING:
    from tolk.text.placeholders import Parsed


class Severity(enum.StrEnum):
    CRITICAL = "critical"  # the text must not be published (lost placeholder, wrong language, injection)
    MAJOR = "major"  # wrong but fixable by another round (numbers, terms, commentary)
    MINOR = "minor"  # worth a look (unknown words)
    INFO = "info"  # listed for a reviewer, costs nothing (punctuation and spacing habits)

    @property
    def penalty(self) -> int:
        return {"critical": 60, "major": 30, "minor": 10, "info": 0}[self.value]


@dataclass(frozen=True, slots=True)
class Sample:
    """One translation to judge."""

    source: str
    target: str
    src_lang: str
    tgt_lang: str
    terms: tuple[Term, ...] = ()
    finish: Finish = Finish.STOP
    unknown_words: tuple[str, ...] = ()
    reference: str | None = None
    required_terms: tuple[str, ...] = ()
    forbidden_terms: tuple[str, ...] = ()
    sensitive_terms: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # from the engine: e.g. a personal-data placeholder that did not come back
    formality: str = "default"  # the register asked for (tolk.formality)
    flagged: str | None = None  # its sender marked it urgent or sensitive: a person decides, always
    # what one check worked out that another needs too (a text's words, its language), for this sample only
    memo: dict[str, Any] = field(default_factory=dict, init=False, compare=False, hash=False, repr=False)


T = TypeVar("T")

# A unit's context key for what its sender said about it ("urgency=urgent"): read by the gate, never sent
# to an engine (tolk.pipeline.core and the loop leave it out of what they send).
FLAGGED = "flagged"
FLAG_VALUES = frozenset({"urgent", "high", "critical", "sensitive", "true", "yes"})


def flag_of(attrs: dict[str, Any]) -> str | None:
    """ "urgency=urgent" when an item's `urgency` or `sensitivity` says a person must see it."""
    for key in ("urgency", "sensitivity"):
        value = attrs.get(key)
        if value is True or str(value).strip().lower() in FLAG_VALUES:
            return f"{key}={value}"
    return None


def for_engine(context: dict[str, str]) -> dict[str, str]:
    """What of a unit's context an engine may see."""
    return {k: v for k, v in context.items() if k != FLAGGED} if FLAGGED in context else context


def shared(s: Sample, key: str, compute: Callable[[], T]) -> T:
    """`compute()` once per sample: checks that need the same reading of a text share it."""
    if key not in s.memo:
        s.memo[key] = compute()
    value: T = s.memo[key]
    return value


def parsed(s: Sample, side: str) -> Parsed:
    """The placeholders of the source or the target ("source" / "target")."""
    from tolk.text.placeholders import parse

    return parse(s.source if side == "source" else s.target)


def reading(s: Sample, side: str) -> str:
    """The words of the source or the target: no markup, no placeholders, ICU branch texts as
    language — read once per sample."""
    return shared(s, f"reading:{side}", lambda: _read(s, side))


def _read(s: Sample, side: str) -> str:
    from tolk.quality.text import words

    return words(s.source if side == "source" else s.target)


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    severity: Severity
    message: str
    details: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"id": self.check, "severity": self.severity.value, "message": self.message, **self.details}


def case(source: str, target: str, lang: str = "es", **known: Any) -> Sample:
    """An example for a check's `good` or `bad` list: an English source and its translation into `lang`."""
    return Sample(source, target, "en", lang, **known)


class Check:
    """Subclasses set `id`, `severity`, `good` and `bad` examples, and implement `problem` (None when
    the sample passes)."""

    id: ClassVar[str]
    severity: ClassVar[Severity]
    description: ClassVar[str] = ""
    # raise when what the check finds changes (a new pattern, a looser rule): scores measured before and
    # after then carry different gate signatures, and are never averaged together
    version: ClassVar[int] = 1
    good: ClassVar[tuple[Sample, ...]] = ()  # translations the check lets through
    bad: ClassVar[tuple[Sample, ...]] = ()  # translations it must catch

    def problem(self, s: Sample) -> str | tuple[str, dict[str, object]] | None:
        raise NotImplementedError

    witness: ClassVar[bool] = False  # another check asks for its verdict: keep it with the sample

    def verdict(self, s: Sample) -> str | tuple[str, dict[str, object]] | None:
        """`problem(s)`, worked out once per sample (another check may ask for it as a witness)."""
        return shared(s, f"check:{self.id}", lambda: self.problem(s))

    def run(self, s: Sample) -> Finding | None:
        found = self.verdict(s) if self.witness else self.problem(s)
        if found is None:
            return None
        message, details = found if isinstance(found, tuple) else (found, {})
        return Finding(self.id, self.severity, message, details)
