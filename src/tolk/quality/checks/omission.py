"""Nothing left out, nothing made up: offline witnesses of meaning that rule checks can see.

A translation that drops a sentence or invents one keeps its placeholders and its language, so only
the balance of the two texts gives it away:

- its length against the length a faithful translation into that language has: a band per language,
  calibrated from faithful pairs (`tolk.quality.lengths`, written by bench/calibrate_lengths) rather
  than fixed — a z-score, so Korean's half length is as normal as German's extra tenth;
- the number of sentences on each side (where the script marks their ends: not in Thai);
- names on one side only: brands, models and codes (letters with digits, camel case), and numbers
  the target has that the source does not (a glossary term translated wrongly or dropped is the
  glossary check's finding, not repeated here).

One witness alone convicts only when it is strong (a length far outside the band, a name lost);
otherwise two must agree (a short text *and* a sentence fewer). Where a round-trip engine is
configured, the loop's back-translation score catches what these cannot (see tolk.quality.loop).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from tolk.quality.base import Check, Sample, Severity, case, parsed, reading, shared
from tolk.quality.lengths import BANDS
from tolk.quality.text import SENTENCE_END, UNPUNCTUATED, per_text, strip_markup
from tolk.text.placeholders import has_icu, readable

_WORDISH = re.compile(r"[^\W_](?:[\w-]*[^\W_])?")
_CAMEL = re.compile(r"[a-z][A-Z]")
_NAME_HINT = re.compile(r"\d|[a-z][A-Z]")
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]")
_NOT_ALNUM = re.compile(r"[\W_]+")
_MEASURE = re.compile(r"^\d+(?:[.,]\d+)?-?[A-Za-z]+$")  # 7L, 2200W, 2-year, 2nd: a number, not a name
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_DEFAULT_SD = 0.25  # languages without a calibrated band: a wide one
_MIN_LETTERS = 15  # shorter texts vary too much to judge by length


def letters(text: str) -> int:
    """Letters and digits a reader reads: no markup, placeholders, spaces or punctuation."""
    return _count(readable(strip_markup(text), every_branch=False))


def _count(plain: str) -> int:
    return len(_NOT_ALNUM.sub("", plain))


def sentences(plain: str, lang: str) -> int | None:
    """How many sentences in a text without markup; None in a language that does not mark their ends."""
    plain = plain.strip()
    if lang.split("-")[0] in UNPUNCTUATED:
        return None
    return len(SENTENCE_END.findall(plain)) + (0 if SENTENCE_END.search(plain[-2:] or " ") else 1)


def _band(lang: str) -> tuple[float, float]:
    if lang in BANDS:
        return BANDS[lang]
    base = lang.split("-")[0]
    same = [band for tag, band in BANDS.items() if tag.split("-")[0] == base]
    return same[0] if same else (0.0, _DEFAULT_SD)


def length_z(s: Sample, a: int | None = None, b: int | None = None) -> float | None:
    """How far the translation's length is from a faithful one's, in standard deviations (None: too
    short to tell); `a` and `b` are the letters of source and translation where already counted."""
    a = letters(s.source) if a is None else a
    b = letters(s.target) if b is None else b
    if a < _MIN_LETTERS or b == 0:
        return None
    src_mean, src_sd = _band(s.src_lang) if s.src_lang.split("-")[0] != "en" else (0.0, 0.0)
    tgt_mean, tgt_sd = _band(s.tgt_lang) if s.tgt_lang.split("-")[0] != "en" else (0.0, 0.0)
    # a short text's length varies more than the band's average pair: one word more is a tenth of it
    sd = math.hypot(src_sd, tgt_sd, 1 / math.sqrt(a)) if (src_sd or tgt_sd) else _DEFAULT_SD
    return (math.log(b / a) - (tgt_mean - src_mean)) / sd


@per_text
def _names(plain: str) -> frozenset[str]:
    """Brands, models and codes: written with letters and digits (WH-1000XM5, X2) or in camel case
    (ZenGear, iPhone). Plain capitals say less: German capitalises nouns, acronyms get translated
    (VAT → IVA). Cached: a source is read once for each of its target languages."""
    if not _NAME_HINT.search(plain):  # no digit, no lower-upper turn: no name (most sentences)
        return frozenset()
    found: set[str] = set()
    for token in _WORDISH.findall(plain):
        if not token.isascii() or token.isdigit():  # "garantíade2" is a glued word, "75" a number
            continue
        if _DIGIT.search(token):  # letters and digits, not a measure ("2-year", "7L")
            if _LETTER.search(token) and not _MEASURE.match(token):
                found.add(token)
        elif not (token.islower() or token.istitle() or token.isupper()) and _CAMEL.search(token):
            found.add(token)  # camel case: not "Cuadro", "USB", "T-shirt" or "frame"
    return frozenset(found)


def _numbers(plain: str) -> set[str]:
    return {n.replace(",", ".") for n in _NUMBER.findall(plain)}


@dataclass(frozen=True, slots=True)
class Balance:
    z: float | None
    source_sentences: int | None
    target_sentences: int | None
    lost: tuple[str, ...]  # names of the source the target lacks
    added: tuple[str, ...]  # names and numbers of the target the source lacks


def balance(s: Sample) -> Balance:
    return shared(s, "balance", lambda: _balance(s))


def _balance(s: Sample) -> Balance:
    source, target = reading(s, "source"), reading(s, "target")
    target_names = _names(target)
    lost = sorted(n for n in _names(source) if n not in s.target and n not in target_names)
    added = sorted(n for n in target_names if n not in s.source)
    added += sorted(_numbers(target) - _numbers(source) - {"1", "2"})  # "twice" may become 2
    # without ICU every reading is the one length counts; with it, one reading: the `other` branches
    a = _count(source if not has_icu(s.source) else _one_reading(s, "source"))
    b = _count(target if not has_icu(s.target) else _one_reading(s, "target"))
    z = length_z(s, a, b)
    # sentence parity is a second witness to the length: no length, no need to count
    counts = (sentences(source, s.src_lang), sentences(target, s.tgt_lang)) if z is not None else (None, None)
    return Balance(z, *counts, tuple(lost), tuple(added))


def _one_reading(s: Sample, side: str) -> str:
    text = s.source if side == "source" else s.target
    plain = strip_markup(text)
    return readable(plain, every_branch=False, parsed=parsed(s, side) if plain == text else None)


def _compare(b: Balance) -> int:
    if b.source_sentences is None or b.target_sentences is None:
        return 0
    return b.target_sentences - b.source_sentences


_STRONG, _WEAK = 2.8, 1.2  # z beyond which length alone convicts / convicts with a second witness
# a number of its own is a witness by itself once the text is longer than usual at all ("twice" may
# become 2, so 1 and 2 never count)
_NUMBERED = 0.3


class Omission(Check):
    id = "omission"
    severity = Severity.MAJOR
    description = (
        "nothing of the source is left out: the length is within the language's calibrated band, no "
        "sentence is missing, no brand or model is dropped"
    )
    good = (
        case("Lightweight aluminium frame. The seat height adjusts from 75 to 90 cm.",
             "Cuadro ligero de aluminio. La altura del sillín se ajusta de 75 a 90 cm."),
        case("Lightweight aluminium frame. The seat height adjusts from 75 to 90 cm.",
             "가벼운 알루미늄 프레임. 안장 높이는 75~90 cm로 조절됩니다.", "ko"),
        case("Works with the ZenGear X2 charger.", "Funciona con el cargador ZenGear X2."),
    )  # fmt: skip
    bad = (
        case(
            "Lightweight aluminium frame. The seat height adjusts from 75 to 90 cm. Folds flat for storage.",
            "Cuadro ligero de aluminio. La altura del sillín se ajusta de 75 a 90 cm.",
        ),
        case("Works with the ZenGear X2 charger.", "Funciona con el cargador."),
    )

    def problem(self, s: Sample) -> str | tuple[str, dict[str, object]] | None:
        b = balance(s)
        if b.lost:
            return f"left out: {', '.join(b.lost)}", {"lost": list(b.lost)}
        if b.z is None:
            return None
        fewer = _compare(b) < 0
        if b.z < -_STRONG or (b.z < -_WEAK and fewer):
            what = f"{b.target_sentences} of {b.source_sentences} sentences, " if fewer else ""
            return f"shorter than a faithful translation ({what}length z = {b.z:.1f}): something left out?"
        return None


class Addition(Check):
    id = "addition"
    severity = Severity.MAJOR
    description = (
        "nothing is added that the source does not say: the length is within the language's calibrated "
        "band, no extra sentence, no brand, model or number of its own"
    )
    good = (
        case(
            "Lightweight aluminium frame. The seat height adjusts from 75 to 90 cm.",
            "Leichter Aluminiumrahmen. Die Sitzhöhe ist von 75 bis 90 cm verstellbar.",
            "de",
        ),
        case("Apply the serum twice a day.", "美容液を1日2回塗布してください。", "ja"),
    )
    bad = (
        case("Lightweight aluminium frame. The seat height adjusts from 75 to 90 cm.",
             "Cuadro ligero de aluminio. La altura del sillín se ajusta de 75 a 90 cm. Ideal para el uso "
             "diario y para viajes largos."),
        case("Soft cotton T-shirt for everyday wear.", "Camiseta suave ZenGear para el día a día."),
        case("Soft cotton T-shirt for everyday wear.",
             "Camiseta de algodón suave para el día a día, ahora un 20 % más barata."),
    )  # fmt: skip

    def problem(self, s: Sample) -> str | tuple[str, dict[str, object]] | None:
        b = balance(s)
        names = [a for a in b.added if not a.replace(".", "").isdigit()]
        if names:
            return f"adds what the source does not have: {', '.join(names)}", {"added": names}
        if b.z is None:
            return None
        more = _compare(b) > 0
        if b.z > _STRONG or (b.z > _WEAK and more) or (b.added and b.z > _NUMBERED):
            what = f"{b.target_sentences} sentences for {b.source_sentences}, " if more else ""
            extra = f", numbers {', '.join(b.added)} the source lacks" if b.added else ""
            return f"longer than a faithful translation ({what}length z = {b.z:.1f}{extra}): something added?"
        return None
