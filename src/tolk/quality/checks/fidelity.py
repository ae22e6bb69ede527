"""The translation says what the source says: no copy, no commentary, nothing cut, nothing added, no
instruction obeyed."""

from __future__ import annotations

import re

from tolk.core import Finish, Term
from tolk.quality.base import Check, Sample, Severity, case
from tolk.quality.text import SENTENCE_END, UNPUNCTUATED, normalized, strip_markup

# Characters per English character, roughly, for each target: what a faithful length looks like.
LENGTH_FACTOR = {"en": 1.0, "es": 1.15, "fr": 1.15, "de": 1.15, "it": 1.1, "pt": 1.1, "nl": 1.1, "ru": 1.05,
                 "ko": 0.5, "ja": 0.5, "zh": 0.45, "th": 0.95, "vi": 1.1, "ms": 1.15, "id": 1.15,
                 "ar": 0.9, "tr": 1.0, "pl": 1.05}  # fmt: skip

_FINAL = re.compile(r"[.!?。！？…؟۔][\"'”’」』)）\]]*\s*$")
# ASCII-only: in "support@example.com으로" the address ends where the Korean begins
_URL = re.compile(r"https?://[A-Za-z0-9._~:/?#\[\]@!$&*+,;=%-]+|www\.[A-Za-z0-9._~:/?#@!$&*+,;=%-]+", re.I)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def _sentences(text: str) -> int:
    return len(SENTENCE_END.findall(strip_markup(text).strip())) or 1


def _factor(lang: str) -> float:
    return LENGTH_FACTOR.get(lang.split("-")[0], 1.0)


def length_ratio(s: Sample) -> float:
    """Observed length over the length a faithful translation would have (1.0 = as expected)."""
    src, tgt = strip_markup(s.source).strip(), strip_markup(s.target).strip()
    expected = len(src) * _factor(s.tgt_lang) / _factor(s.src_lang)
    return len(tgt) / expected if expected else 1.0


class Empty(Check):
    """A blank answer is no translation, however short the source ("Add to cart" → "")."""

    id = "empty"
    severity = Severity.CRITICAL
    description = "the translation is not empty or blank where the source has words or numbers"
    good = (case("Add to cart", "Añadir al carrito"), case(" ", " "))
    bad = (case("Add to cart", ""), case("Add to cart", " \n\t"), case("<b>Sale</b>", "<b></b>"))

    def problem(self, s: Sample) -> str | None:
        has = any(c.isalnum() for c in strip_markup(s.source))
        return (
            "the translation is empty"
            if has and not any(c.isalnum() for c in strip_markup(s.target))
            else None
        )


def _words(text: str) -> list[str]:
    """The words a translation would change: not those in URLs, e-mails, paths or placeholders."""
    from tolk.quality.text import words

    text = _PATH.sub(" ", _EMAIL.sub(" ", _URL.sub(" ", words(text))))
    return re.findall(r"[^\W\d_]{2,}", text)


class NotACopy(Check):
    id = "untranslated"
    severity = Severity.MAJOR
    description = (
        "the translation is not a copy of the source (model numbers, brand-only text, placeholders, "
        "URLs and addresses excepted)"
    )
    good = (
        case("Soft cotton pillow for the bedroom.", "Almohada de algodón suave para el dormitorio."),
        case("XJ-200", "XJ-200"),
        case("Nike Air", "Nike Air", terms=(Term("Nike Air", "Nike Air", True),)),
        case("{brand} {model}", "{brand} {model}"),
        case("support@example.com", "support@example.com"),
        case("Radio", "Radio", "de"),
        case("Samsung", "Samsung", "ko"),
    )
    bad = (
        case("Soft cotton pillow for the bedroom.", "Soft cotton pillow for the bedroom."),
        case("{count} items in your cart", "{count} items in your cart"),
        case("cotton", "cotton", "ko"),
    )

    def problem(self, s: Sample) -> str | None:
        if normalized(s.source) != normalized(s.target):
            return None
        words = _words(s.source)
        for term in s.terms:  # a text made only of brands / do-not-translate terms stays as it is
            words = [w for w in words if w.lower() not in term.expected.lower()]
        if len(words) >= 2:
            return "the translation is a copy of the source"
        # one word: the same in many Latin-script languages ("Radio", "Hotel"), and a capitalised one
        # may be a brand; a lower-case word left in Latin letters in a Korean text is not translated
        if len(words) == 1 and words[0].islower() and len(words[0]) > 3 and not _latin_target(s.tgt_lang):
            return "the translation is a copy of the source"
        return None


def _latin_target(tag: str) -> bool:
    from tolk.quality.checks.language import script_expected

    return script_expected(tag) in {None, "LATIN"}


class Truncation(Check):
    id = "truncation"
    severity = Severity.CRITICAL
    description = (
        "not cut off: the engine finished, the sentence ends as the source's does, the length is plausible"
    )
    good = (
        case(
            "A soft pillow that supports your neck all night long.",
            "Una almohada suave que sostiene tu cuello toda la noche.",
        ),
    )
    bad = (
        case("A soft pillow that supports your neck all night long.", "Una almohada suave que sost"),
        case("Red shoes.", "Zapatos rojos.", finish=Finish.LENGTH),
    )

    def problem(self, s: Sample) -> str | None:
        if s.finish is Finish.LENGTH:
            return "the engine stopped at its length limit"
        source, target = strip_markup(s.source).strip(), strip_markup(s.target).strip()
        punctuated = s.tgt_lang.split("-")[0] not in UNPUNCTUATED
        ratio = length_ratio(s) if len(source) >= 20 else 1.0
        if punctuated:
            if _FINAL.search(source) and not _FINAL.search(target) and len(source) > 20:
                return "the translation stops mid-sentence"
            if _sentences(target) < _sentences(source) and ratio < 0.75:
                return "the translation has fewer sentences than the source and is short: cut at a sentence?"
        # without final punctuation, length is the only witness: the band is tighter there
        if ratio < (0.45 if punctuated else 0.65):
            return f"the translation is {ratio:.0%} of a plausible length"
        return None


class UnknownWords(Check):
    id = "unknown_words"
    severity = Severity.MINOR
    description = "the engine knew every word (Apertium marks those it did not)"
    good = (case("Red shoes, 2 ml.", "Zapatos rojos, 2 ml.", unknown_words=("ml",)),)
    bad = (case("Red sneakers.", "Rojo sneakers.", unknown_words=("sneakers",)),)

    def problem(self, s: Sample) -> str | None:
        # units, codes and short tokens ("ml", "x", "A4", "IPX4") are rightly left as they are
        words = [w for w in s.unknown_words if len(w) > 3 and not any(c.isdigit() for c in w)]
        return f"words the engine did not know: {', '.join(words)}" if words else None


_PATH = re.compile(r"(?<![\w/])(?:[A-Za-z]:\\|~?/)[\w.\-/\\]+")


def contacts(text: str) -> list[str]:
    """URLs and e-mail addresses, as written (a trailing full stop belongs to the sentence)."""
    if "@" not in text and "http" not in text and "www." not in text and "HTTP" not in text:
        return []
    return [x.rstrip(".,;:!?") for x in (*_URL.findall(text), *_EMAIL.findall(text))]


class Links(Check):
    id = "links"
    severity = Severity.MAJOR
    description = "every URL and e-mail address of the source comes back unchanged, and none is added"
    good = (
        case("See https://shop.example.com/help.", "Ver https://shop.example.com/help."),
        case("Write to help@example.com", "help@example.com으로 문의하세요", "ko"),
    )
    bad = (
        case("Red shoes.", "Zapatos rojos en https://spam.example.net"),
        case("Red shoes.", "Zapatos rojos: escribe a deals@spam.example.net"),
        case("See https://shop.example.com/help.", "Consulta nuestra página de ayuda."),
        case("Write to help@example.com", "Escribe a help@example.org"),
    )

    def problem(self, s: Sample) -> str | tuple[str, dict[str, object]] | None:
        want, have = set(contacts(s.source)), set(contacts(s.target))
        if new := sorted(have - want):
            return f"adds links or addresses: {', '.join(new)}", {"added": new}
        if lost := sorted(want - have):
            return f"drops links or addresses: {', '.join(lost)}", {"lost": lost}
        return None
