"""Which language a text is in, offline: the script where it decides (Hangul is Korean, kana Japanese,
Thai script Thai, Han characters Chinese of one script or the other), lingua among a small set of
candidates where it does not (Latin, Cyrillic, Arabic scripts).

Used wherever the source may be unknown: `source: "auto"` in the APIs, `--from auto` for a catalog,
the DeepL and LibreTranslate `detect`. The candidates are the languages a setup works with plus their
neighbours: a detector that knows every language of the world is slower and wrong more often on the
short texts a catalog has (a product name reads as Tagalog as easily as English).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from tolk import languages

if TYPE_CHECKING:
    from lingua import LanguageDetector

# the languages an e-commerce catalog most often comes in, when the caller names none
COMMON = (
    "en",
    "es",
    "fr",
    "de",
    "it",
    "pt",
    "nl",
    "ko",
    "ja",
    "zh-CN",
    "th",
    "vi",
    "id",
    "ms",
    "ru",
    "tr",
    "pl",
    "ar",
)
# each language's neighbours: a text in one is most easily taken for the other
_NEIGHBOURS = (
    ("es", "pt", "it", "fr", "ca", "ro"),
    ("de", "nl", "en", "da", "sv", "nb"),
    ("ms", "id", "tl"),
    ("ru", "uk", "bg", "sr"),
    ("pl", "cs", "sk"),
    ("ar", "fa", "ur"),
)
_MIN_LETTERS = 3  # fewer say nothing


@dataclass(frozen=True, slots=True)
class Identified:
    tag: str  # a tolk language tag (zh-CN, zh-TW, pt …)
    confidence: float  # 0..1


def identify(text: str, candidates: Iterable[str] = COMMON) -> Identified | None:
    """The language `text` is most likely written in, among `candidates` and their neighbours; None
    when the text has too few letters to tell."""
    chars = [c for c in text if c.isalpha()]
    if len(chars) < _MIN_LETTERS:
        return None
    scripts = Counter(script_of(c) for c in chars)
    script, count = scripts.most_common(1)[0]
    share = count / len(chars)
    if scripts["KANA"]:  # kana only Japanese writes; its kanji count as HAN
        return Identified("ja", min(1.0, (scripts["KANA"] + scripts["HAN"]) / len(chars)))
    if script in _SCRIPT_LANGUAGE:
        return Identified(_SCRIPT_LANGUAGE[script], share)
    if script == "HAN":
        return Identified(_chinese(text), share)
    detector = _detector(frozenset(_with_neighbours(candidates)))
    if detector is None:
        return None
    values = detector.compute_language_confidence_values(text)
    if not values:
        return None
    best = values[0]
    tag = _tag(best.language.iso_code_639_1.name.lower())
    return Identified(tag, float(best.value)) if tag else None


_SCRIPT_LANGUAGE = {"HANGUL": "ko", "THAI": "th", "HEBREW": "he", "GREEK": "el", "KHMER": "km", "LAO": "lo"}


@cache
def script_of(ch: str) -> str:
    """The script of one character, from its Unicode name (a table filled as characters are met)."""
    if ch.isascii():
        return "LATIN" if ch.isalpha() else ""
    name = unicodedata.name(ch, "")
    if "HANGUL" in name:
        return "HANGUL"
    if "HIRAGANA" in name or "KATAKANA" in name:
        return "KANA"
    if "CJK" in name:
        return "HAN"
    return name.split(" ")[0] if name else ""


def _chinese(text: str) -> str:
    import hanzidentifier

    return "zh-TW" if hanzidentifier.identify(text) == hanzidentifier.TRADITIONAL else "zh-CN"


def _with_neighbours(candidates: Iterable[str]) -> set[str]:
    bases = {tag.split("-")[0] for tag in candidates}
    for family in _NEIGHBOURS:
        if bases & set(family):
            bases |= set(family)
    return bases


def _tag(code: str) -> str | None:
    try:
        return languages.normalize(code)
    except Exception:  # a language lingua knows and tolk has no tag for
        return None


@cache
def _detector(bases: frozenset[str]) -> LanguageDetector | None:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    known = []
    for code in sorted(bases):
        try:
            known.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except (AttributeError, ValueError):
            continue  # a language lingua does not know (or a script-decided one)
    if len(known) < 2:
        return None
    return LanguageDetectorBuilder.from_languages(*known).build()
