"""The translation is in the target language and script (offline identification with lingua)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from tolk.quality.base import Check, Sample, Severity, case

if TYPE_CHECKING:
    from lingua import LanguageDetector
from tolk.quality.text import strip_markup

# Scripts that identify a language (or a small family) by themselves.
_SCRIPT_OF = {"ko": "HANGUL", "ja": "KANA", "zh": "HAN", "th": "THAI", "ru": "CYRILLIC", "uk": "CYRILLIC",
              "bg": "CYRILLIC", "ar": "ARABIC", "he": "HEBREW", "el": "GREEK",
              "hi": "DEVANAGARI"}  # fmt: skip
_MIN_LETTERS = 12  # shorter texts (names, model numbers) say too little to judge


def script_of(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if "HANGUL" in name:
        return "HANGUL"
    if "HIRAGANA" in name or "KATAKANA" in name:
        return "KANA"
    if "CJK" in name:
        return "HAN"
    return name.split(" ")[0] if name else ""


def letters(text: str) -> list[str]:
    return [c for c in text if c.isalpha()]


def script_share(text: str, script: str) -> float:
    chars = letters(text)
    if not chars:
        return 0.0
    if script == "KANA":  # Japanese mixes kana and kanji; kana is what sets it apart from Chinese
        hits = sum(1 for c in chars if script_of(c) in {"KANA", "HAN"})
        has_kana = any(script_of(c) == "KANA" for c in chars)
        return hits / len(chars) if has_kana else 0.0
    return sum(1 for c in chars if script_of(c) == script) / len(chars)


# Latin-script languages a catalog text is most often mistaken with; the detector compares the target
# against these plus the source. A small candidate set keeps lingua's accurate models affordable.
_USUAL_SUSPECTS = ("en", "es", "de", "fr", "it", "pt", "nl")


@cache
def _detector(candidates: frozenset[str]) -> LanguageDetector | None:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    langs = []
    for code in sorted(candidates):
        try:
            langs.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except (AttributeError, ValueError):
            continue  # a language lingua does not know
    return LanguageDetectorBuilder.from_languages(*langs).build() if len(langs) >= 2 else None


def detect(text: str, expected: str, source: str) -> tuple[str | None, float, float]:
    """Most likely language (ISO 639-1) among the candidates, its confidence, and `expected`'s."""
    detector = _detector(frozenset({expected, source, *_USUAL_SUSPECTS}))
    if detector is None:
        return None, 0.0, 0.0
    values = detector.compute_language_confidence_values(text)
    if not values:
        return None, 0.0, 0.0
    codes = [v.language.iso_code_639_1.name.lower() for v in values]
    wanted = next((float(v.value) for v, c in zip(values, codes, strict=True) if c == expected), 0.0)
    return codes[0], float(values[0].value), wanted


_PLACEHOLDERISH = re.compile(
    r"\{[^{}]*\}|%\(?\w*\)?[sd]|https?://[A-Za-z0-9._~:/?#@!$&*+,;=%-]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+"
)
_MIN_IDEOGRAPHS = 4  # a few Han, kana or Hangul characters already say which script it is


class TargetLanguage(Check):
    id = "language"
    severity = Severity.CRITICAL
    description = "the translation is written in the target language (script share, then lingua)"
    good = (
        case("Soft cotton pillow for the bedroom.", "Almohada de algodón suave para el dormitorio."),
        case("Soft cotton pillow for the bedroom.", "침실용 부드러운 면 베개.", "ko"),
        case("Soft cotton pillow for the bedroom.", "寝室用の柔らかい綿の枕です。", "ja"),
    )
    bad = (
        case("Soft cotton pillow for the bedroom.", "Weiches Baumwollkissen für das Schlafzimmer."),
        case("Soft cotton pillow for the bedroom.", "寝室用の柔らかい綿の枕です。", "ko"),
        case("Soft cotton pillow for the bedroom.", "卧室用柔软棉枕头。", "ja"),
    )

    def problem(self, s: Sample) -> str | None:
        text = _PLACEHOLDERISH.sub(" ", strip_markup(s.target))
        for term in s.terms:  # brands and forced terms may be in any script
            text = text.replace(term.expected, " ")
        chars = letters(text)
        base = s.tgt_lang.split("-")[0]
        dense = sum(1 for c in chars if script_of(c) in {"HAN", "KANA", "HANGUL"})
        if len(chars) < _MIN_LETTERS and dense < _MIN_IDEOGRAPHS:
            return None
        if base in _SCRIPT_OF:
            share = script_share(text, _SCRIPT_OF[base])
            if share < 0.5:
                return f"only {share:.0%} of the letters are in the {s.tgt_lang} script"
            if base in {"ja", "zh"}:  # same Han characters: kana tells them apart
                kana = any(script_of(c) == "KANA" for c in chars)
                if (base == "zh") == kana:
                    return (
                        "written in Japanese, not Chinese" if kana else "written without kana: not Japanese"
                    )
            return None
        if script_share(text, "LATIN") < 0.5:
            return f"the translation is not in the Latin script expected for {s.tgt_lang}"
        if len(chars) < _MIN_LETTERS:
            return None
        found, confidence, target_confidence = detect(text, base, s.src_lang.split("-")[0])
        if found is None or found == base:
            return None
        # the target must be unlikely, not merely second: short product copy borrows foreign words
        if confidence >= 0.3 and target_confidence < 0.05:
            return f"looks like {found}, not {s.tgt_lang}"
        return None
