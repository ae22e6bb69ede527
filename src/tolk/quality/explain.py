"""Where a finding is: the spans of the source or the translation it concerns, for `tolk check --explain`
and anyone showing a reviewer why a text was held.

A check may say so itself (`details["span"] = (start, end)` in the translation); otherwise the strings
it names are found again — what was lost in the source, what was added in the translation — and a
finding about the whole text (language, omission, untranslated) spans the whole translation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tolk.quality.base import Finding, Sample

_IN_SOURCE = ("lost", "missing", "terms")
_IN_TARGET = ("added", "unsafe", "tokens")
_QUOTED = re.compile(r"=(['\"])(.*)\1$")


@dataclass(frozen=True, slots=True)
class Span:
    side: str  # "source" or "translation"
    start: int
    end: int
    text: str


def locate(finding: Finding, sample: Sample) -> list[Span]:
    details = finding.details
    explicit = details.get("span")
    if isinstance(explicit, tuple | list) and len(explicit) == 2:
        start, end = int(explicit[0]), int(explicit[1])
        return [Span("translation", start, end, sample.target[start:end])]
    spans: list[Span] = []
    for keys, side, text in (
        (_IN_SOURCE, "source", sample.source),
        (_IN_TARGET, "translation", sample.target),
    ):
        for key in keys:
            values = details.get(key)
            for value in values if isinstance(values, list) else []:
                spans.extend(_find(str(value), side, text))
    if not spans and sample.target.strip():
        spans.append(Span("translation", 0, len(sample.target), sample.target))
    return spans


def _find(value: str, side: str, text: str) -> list[Span]:
    """Every place `value` (or, for `tag attr='x'`, its quoted value; for `{n, plural}`, `{n`) is."""
    needles = [value]
    if m := _QUOTED.search(value):
        needles.append(m.group(2))
    if value.startswith("{") and "," in value:
        needles.append(value.split(",")[0])
    for needle in needles:
        found = [Span(side, m.start(), m.end(), needle) for m in re.finditer(re.escape(needle), text)]
        if found:
            return found
    return []
