"""What a check sees and what it says.

A check is a small class with an id, a severity, one predicate and a message; the gate runs the enabled
ones over a `Sample` (source, translation and what is known about them) and scores the findings. Each
check carries its own `good` and `bad` examples; a contract test generated from the registry runs them
all, so a new check cannot come without them (Weblate's way).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tolk.core import Finish, Term


class Severity(enum.StrEnum):
    CRITICAL = "critical"  # the text must not be published (lost placeholder, wrong language, injection)
    MAJOR = "major"  # wrong but fixable by another round (numbers, terms, commentary)
    MINOR = "minor"  # worth a look (unknown words)

    @property
    def penalty(self) -> int:
        return {"critical": 60, "major": 30, "minor": 10}[self.value]


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
    good: ClassVar[tuple[Sample, ...]] = ()  # translations the check lets through
    bad: ClassVar[tuple[Sample, ...]] = ()  # translations it must catch

    def problem(self, s: Sample) -> str | tuple[str, dict[str, object]] | None:
        raise NotImplementedError

    def run(self, s: Sample) -> Finding | None:
        found = self.problem(s)
        if found is None:
            return None
        message, details = found if isinstance(found, tuple) else (found, {})
        return Finding(self.id, self.severity, message, details)
