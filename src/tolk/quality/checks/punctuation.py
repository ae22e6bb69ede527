"""Punctuation and spacing kept the way the target language writes them (Weblate's end-punctuation,
whitespace and newline checks). Listed for a reviewer at INFO severity: they cost no points and hold
nothing, since engines and people differ on them legitimately more often than the text is wrong."""

from __future__ import annotations

import re

from tolk.quality.base import Check, Sample, Severity, case
from tolk.quality.text import UNPUNCTUATED, strip_markup

# each end mark, and the marks that render it in the target's script
_ENDS = {
    "?": "?？؟", "？": "?？؟", "؟": "?？؟",
    "!": "!！", "！": "!！",
    ":": ":：", "：": ":：",
    ".": ".。।۔", "。": ".。",
    "…": "…⋯", "⋯": "…⋯",
}  # fmt: skip
_CLOSERS = "\"'”’」』)）]】»"


def _end(text: str) -> str:
    """The last end mark, before closing quotes and brackets ("…" for "...")."""
    core = strip_markup(text).rstrip().rstrip(_CLOSERS).rstrip()
    if core.endswith("..."):
        return "…"
    return core[-1:] if core[-1:] in _ENDS else ""


class Punctuation(Check):
    id = "punctuation"
    severity = Severity.INFO
    description = (
        "end punctuation, Spanish ¿ ¡, leading and trailing spaces, line breaks and double spaces as in "
        "the source, in the target's own marks (？ ؟ 。)"
    )
    good = (
        case("Is it waterproof?", "¿Es impermeable?"),
        case("Is it waterproof?", "防水ですか？", "ja"),
        case("Is it waterproof?", "هل هو مقاوم للماء؟", "ar"),
        case("Red shoes.", "빨간 신발.", "ko"),
        case("Red shoes.", "รองเท้าสีแดง", "th"),
        case("Wait...", "Espera…"),
        case("Line one\nLine two", "Línea uno\nLínea dos"),
    )
    bad = (
        case("Is it waterproof?", "Es impermeable?"),
        case("Is it waterproof?", "Es impermeable."),
        case("Red shoes!", "Zapatos rojos."),
        case(" Red shoes", "Zapatos rojos"),
        case("Line one\nLine two", "Línea uno Línea dos"),
        case("Red shoes.", "Zapatos  rojos."),
    )

    def problem(self, s: Sample) -> str | tuple[str, dict[str, object]] | None:
        found = [p for p in (self._end(s), self._spanish(s), *self._spacing(s)) if p]
        return ("; ".join(found), {"issues": found}) if found else None

    @staticmethod
    def _end(s: Sample) -> str | None:
        want, have = _end(s.source), _end(s.target)
        if not want or have in _ENDS[want]:
            return None
        if s.tgt_lang.split("-")[0] in UNPUNCTUATED and not have:
            return None
        return f"ends with {have or 'no mark'!r} where the source ends with {want!r}"

    @staticmethod
    def _spanish(s: Sample) -> str | None:
        if s.tgt_lang.split("-")[0] not in {"es", "gl", "ast"}:
            return None
        target = strip_markup(s.target)
        for close, open_ in (("?", "¿"), ("!", "¡")):
            if close in target and open_ not in target and open_ not in s.source:
                return f"'{close}' without the opening '{open_}' Spanish writes"
        return None

    @staticmethod
    def _spacing(s: Sample) -> list[str]:
        issues = []
        if s.source[:1].isspace() != s.target[:1].isspace():
            issues.append("leading space differs from the source")
        if s.source[-1:].isspace() != s.target[-1:].isspace():
            issues.append("trailing space differs from the source")
        if s.source.count("\n") != s.target.count("\n"):
            issues.append(f"{s.target.count(chr(10))} line breaks for the source's {s.source.count(chr(10))}")
        if re.search(r"\S  +\S", s.target) and not re.search(r"\S  +\S", s.source):
            issues.append("a double space the source does not have")
        return issues
