"""The translation is in the target language and script (offline identification with lingua)."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import TYPE_CHECKING

from tolk.quality.base import Check, Sample, Severity, case, reading
from tolk.text.identify import script_of

if TYPE_CHECKING:
    from lingua import LanguageDetector

# Scripts that identify a language (or a small family) by themselves; a script subtag (sr-Latn) wins.
_SCRIPT_OF = {"ko": "HANGUL", "ja": "KANA", "zh": "HAN", "th": "THAI", "ru": "CYRILLIC", "uk": "CYRILLIC",
              "bg": "CYRILLIC", "sr": "CYRILLIC", "mk": "CYRILLIC", "be": "CYRILLIC", "kk": "CYRILLIC",
              "ar": "ARABIC", "fa": "ARABIC", "ur": "ARABIC", "he": "HEBREW", "el": "GREEK",
              "hi": "DEVANAGARI", "mr": "DEVANAGARI", "ne": "DEVANAGARI", "bn": "BENGALI", "ta": "TAMIL",
              "km": "KHMER", "lo": "LAO", "my": "MYANMAR", "ka": "GEORGIAN", "hy": "ARMENIAN"}  # fmt: skip
_SCRIPT_SUBTAG = {"latn": "LATIN", "cyrl": "CYRILLIC", "arab": "ARABIC", "hans": "HAN", "hant": "HAN"}
# Traditional-script Chinese tags; the rest of zh is Simplified
_TRADITIONAL = frozenset({"zh-TW", "zh-HK", "zh-MO", "zh-Hant"})
_MIN_LETTERS = 12  # shorter texts (names, model numbers) say too little to judge
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def letters(text: str) -> list[str]:
    return [c for c in text if c.isalpha()]


def script_share(text: str, script: str) -> float:
    chars = letters(text)
    if not chars:
        return 0.0
    scripts = Counter(map(script_of, chars))
    if script in {"KANA", "HAN"}:  # Japanese mixes kana and kanji (and may be kanji only)
        return (scripts["KANA"] + scripts["HAN"]) / len(chars)
    return scripts[script] / len(chars)


# Latin-script languages a catalog text is most often mistaken with; the detector compares the target
# against these, the source, and the target's close relatives (Swedish passes for German against a set
# that lacks it). A small candidate set keeps lingua's accurate models affordable.
_USUAL_SUSPECTS = ("en", "es", "de", "fr", "it", "pt", "nl")
_FAMILIES = (
    ("de", "nl", "sv", "da", "nb", "en", "af"),
    ("es", "pt", "it", "fr", "ca", "ro"),
    ("ms", "id", "tl"),
    ("pl", "cs", "sk", "sl", "hr", "bs", "sr"),
    ("fi", "et"),
    ("lt", "lv"),
    ("tr", "az"),
)


# written forms of one language that a detector tells apart only by spelling habits (Serbian in Latin
# script reads as Croatian): either is the target
_ALIKE = {"sr": {"hr", "bs"}, "hr": {"sr", "bs"}, "bs": {"sr", "hr"}, "nb": {"nn", "da"}, "nn": {"nb"}}


def _relatives(lang: str) -> tuple[str, ...]:
    return next((family for family in _FAMILIES if lang in family), ())


@cache
def _detector(candidates: frozenset[str], quick: bool = False) -> LanguageDetector | None:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    langs = []
    for code in sorted(candidates):
        try:
            langs.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except (AttributeError, ValueError):
            continue  # a language lingua does not know
    if len(langs) < 2:
        return None
    builder = LanguageDetectorBuilder.from_languages(*langs)
    return (builder.with_low_accuracy_mode() if quick else builder).build()


_LONG = 120

# The commonest function words of the Latin-script languages tolk tells apart. A text whose function
# words are clearly the target's (more than one word's worth — a lone "es" says little —, each word
# weighed by how many languages use it, and twice as much as any other language's) is accepted
# without lingua, which costs as much as every other check together; anything less clear — no function
# word at all, a rival's — goes to lingua.
_FUNCTION_WORDS = {
    "en": "the and of to is in for with on your you this that are it be from by at or our will can all not "
          "but as have has was were more very when where which their they we an its also into than only",
    "es": "el la los las de del y en con para por que es un una su tu al se más lo sus este esta muy pero "
          "como cuando donde sin hasta también hay son está están tiene puede cada nuestro nuestra vuestro "
          "vuestra vuestros vuestras usted desde hace muchos muchas todos todas otro otra entre sobre "
          "cualquier durante",
    "fr": "le la les des de du et en pour avec est un une sur dans votre vous au aux ce qui pas à plus très "
          "tout tous toute sans mais comme quand où leur leurs nous notre nos ses son sa être peut fait "
          "aussi entre sous cette ces il elle ils ne",
    "de": "der die das den dem und ist mit für von zu auf ein eine im nicht sie ihre wird bei oder des auch "
          "nur noch sehr wie wenn aber als sich werden kann zum zur aus nach über durch ohne unter mehr "
          "alle diese dieser dieses ihr ihren unser unsere sind war",
    "it": "il lo la gli le di del della e è per con un una che non in al si sono da più molto tutto tutti "
          "senza ma come quando dove loro nostro nostra suo sua essere può anche tra questo questa nel "
          "nella dei delle alla alle ai",
    "pt": "o a os as de do da dos das e é em para com um uma não que por seu sua no na muito mais como "
          "também quando onde sem até são está estão ser foi tem pode cada nosso nossa você vocês ao aos "
          "pelo pela pelos pelas isso este esta mas há",
    "nl": "de het een en van is in met voor op te niet dat zijn uw je bij aan of ook maar als wordt worden "
          "kan meer zeer alle deze dit die naar uit over door zonder onder onze hun",
    "sv": "och är en ett det som på med för till av att inte den har om du din i kan",
    "da": "og er en et det som på med for til af at ikke den har om du din i kan",
    "nb": "og er en et det som på med for til av at ikke den har om du din i kan",
    "ms": "dan yang untuk dengan di ini itu dalam anda ke pada adalah akan dari tidak boleh kami",
    "id": "dan yang untuk dengan di ini itu dalam anda ke pada adalah akan dari tidak bisa kami",
    "ca": "el la els les de del i en amb per que és un una al als més però també molt tot tots quan on "
          "sense fins aquest aquesta són està ser pot cada nostre nostra seu seva",
    "ro": "și în de la cu pe un o este pentru că din care nu sau al mai foarte tot toate fără dar când unde "
          "sunt fi poate fiecare nostru noastră acest această",
}  # fmt: skip
_TWINS = {"ms": "id", "id": "ms", "da": "nb", "nb": "da"}
_LANGS_OF: dict[str, tuple[str, ...]] = {}
for _lang, _words in _FUNCTION_WORDS.items():
    for _w in _words.split():
        _LANGS_OF[_w] = (*_LANGS_OF.get(_w, ()), _lang)
_WORD = re.compile(r"[^\W\d_]+")


def _function_words(text: str) -> dict[str, float]:
    """Each language's weight of evidence from the text's function words; a word only one language
    (or a twin pair) uses also counts under "!" + the language, as that language's own words."""
    hits: dict[str, float] = {}
    for word in _WORD.findall(text.lower()):
        langs = _LANGS_OF.get(word, ())
        if not langs:
            continue
        weight = 1 / len({min(lang, _TWINS.get(lang, lang)) for lang in langs})
        for lang in langs:  # "de" is Spanish, French, Dutch… evidence: it counts for each a little
            hits[lang] = hits.get(lang, 0.0) + weight
            if weight == 1:
                hits["!" + lang] = hits.get("!" + lang, 0.0) + 1
    return hits


def _plainly_other(hits: dict[str, float], expected: str) -> str | None:
    """The language the text plainly is instead: two function words' worth of one language and not
    one of the target's (nor of a twin's or a written form alike) — an answer left in the source, a
    reply in English. Anything less plain goes to lingua."""
    if expected not in _FUNCTION_WORDS or not hits:
        return None
    ours = {expected, _TWINS.get(expected, ""), *_ALIKE.get(expected, ())}
    if any(hits.get(lang, 0.0) for lang in ours):
        return None
    hits = {lang: v for lang, v in hits.items() if not lang.startswith("!")}
    leader = max(hits, key=lambda lang: hits[lang])
    runner_up = max((v for lang, v in hits.items() if lang != leader), default=0.0)
    return leader if hits[leader] >= 2 and hits[leader] >= 2 * runner_up else None


def _plainly(hits: dict[str, float], expected: str) -> bool:
    """The text's function words are plainly the expected language's: twice any other's weight, or
    two words only the expected language uses and none only a rival uses (Spanish and Catalan share
    "el", "la", "en": "y" and "muy" are Spanish alone)."""
    if expected not in _FUNCTION_WORDS:
        return False
    ours = {expected, _TWINS.get(expected, ""), *_ALIKE.get(expected, ())}
    rivals = {lang: v for lang, v in hits.items() if lang not in ours and not lang.startswith("!")}
    own = hits.get(expected, 0.0)
    # Malay and Indonesian share most function words: the twin may tie, never lead
    if own < 1.5 or hits.get(_TWINS.get(expected, ""), 0.0) > own:
        return False
    if own >= 2 * max(rivals.values(), default=0):
        return True
    rival_words = any(lang.startswith("!") and lang[1:] not in ours for lang in hits)
    return hits.get("!" + expected, 0.0) >= 2 and not rival_words and own > max(rivals.values())


_LEFT_IN_SOURCE = 0.9  # the pair detector's confidence that the text is the source's language


def left_in_source(text: str, expected: str, source: str) -> bool:
    """Between the target and the source alone, the text is plainly the source's: a third of the cost
    of the full comparison, and what a wrong-language answer most often is (an untranslated reply)."""
    if source == expected:
        return False
    detector = _detector(frozenset({expected, source, *_ALIKE.get(expected, ())}))
    if detector is None:
        return False
    values = detector.compute_language_confidence_values(text)
    return (
        bool(values)
        and values[0].language.iso_code_639_1.name.lower() == source
        and (values[0].value >= _LEFT_IN_SOURCE)
    )


_PLAINLY_TARGET = 0.9  # the trigram model's confidence that a text is the target's: no need to look closer


def plainly_target(text: str, expected: str, source: str) -> bool:
    """lingua's low-accuracy mode (trigrams only, a third of the cost) is sure the text is the target's
    language among all the candidates; anything less sure gets the full comparison."""
    found, confidence, _ = detect(text, expected, source, quick=True)
    return found == expected and confidence >= _PLAINLY_TARGET


def detect(text: str, expected: str, source: str, *, quick: bool = False) -> tuple[str | None, float, float]:
    """Most likely language (ISO 639-1) among the candidates, its confidence, and `expected`'s."""
    # lingua's low-accuracy mode (trigrams only) is as good as the full one on long texts, at half the cost
    quick = quick or len(text) >= _LONG
    detector = _detector(frozenset({expected, source, *_USUAL_SUSPECTS, *_relatives(expected)}), quick)
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
# a brand or model kept as it is ("ZenGear", "WH-1000XM5", "USB-C"): mixed case, capitals or digits
_BRANDISH = re.compile(r"\b(?=[A-Za-z0-9-]*(?:[A-Z]|\d))[A-Za-z][A-Za-z0-9-]*\b")


def _kept_names(target: str, source: str) -> str:
    """`target` without the Latin brand and model names it keeps from the source: in a Korean text they
    are not English."""
    return _BRANDISH.sub(lambda m: " " if m.group(0) in source else m.group(0), target)


def script_expected(tag: str) -> str | None:
    """The script a text in `tag` is written in, where the script identifies it (None: Latin, judged
    by lingua)."""
    parts = tag.split("-")
    for sub in parts[1:]:
        if sub.lower() in _SCRIPT_SUBTAG:
            return _SCRIPT_SUBTAG[sub.lower()] if sub.lower() != "latn" else None
    return _SCRIPT_OF.get(parts[0])


def _chinese_problem(text: str, tag: str) -> str | None:
    """Japanese, Simplified and Traditional Chinese share Han characters: kana, and the characters
    only one of the Chinese scripts has (hanzidentifier's tables), tell them apart."""
    import hanzidentifier

    kana = any(script_of(c) == "KANA" for c in text)
    base = tag.split("-")[0]
    if base == "zh" and kana:
        return "written in Japanese, not Chinese"
    kind = hanzidentifier.identify(text)
    if base == "ja":  # Japanese kanji-only text ("送料無料") is fine unless it is Simplified Chinese
        if kana:
            return None
        return "written in Simplified Chinese, not Japanese" if kind == hanzidentifier.SIMPLIFIED else None
    if tag in _TRADITIONAL and kind == hanzidentifier.SIMPLIFIED:
        return f"written in Simplified Chinese, not Traditional ({tag})"
    if tag not in _TRADITIONAL and kind == hanzidentifier.TRADITIONAL:
        return f"written in Traditional Chinese, not Simplified ({tag})"
    return None


class TargetLanguage(Check):
    id = "language"
    witness = True  # the injection check asks it too
    severity = Severity.CRITICAL
    description = "the translation is written in the target language (script share, then lingua)"
    good = (
        case("Soft cotton pillow for the bedroom.", "Almohada de algodón suave para el dormitorio."),
        case("Soft cotton pillow for the bedroom.", "침실용 부드러운 면 베개.", "ko"),
        case("Soft cotton pillow for the bedroom.", "寝室用の柔らかい綿の枕です。", "ja"),
        case("ZenGear wireless earbuds, black", "ZenGear 무선 이어폰, 블랙", "ko"),
        case("Samsung Galaxy Buds, black", "Samsung Galaxy Buds 블랙", "ko"),
        case("Free shipping for members", "会員限定送料無料", "ja"),
        case("Free shipping on all orders over 50 dollars.", "所有超過 50 美元的訂單均免運費。", "zh-TW"),
        case("Free shipping on all orders.", "Besplatna dostava za sve porudžbine.", "sr-Latn"),
    )
    bad = (
        case("Free shipping on all orders over 50 dollars.", "所有超过 50 美元的订单均免运费。", "zh-TW"),
        case("Free shipping on all orders over 50 dollars.", "所有超过 50 美元的订单均免运费。", "ja"),
        case("Free shipping on all orders.", "Fri frakt på alla beställningar över 50 dollar.", "de"),
        case("Free shipping on all orders.", "Spedizione gratuita per tutti gli ordini.", "fr"),
        case("Free shipping on all orders.", "Besplatna dostava za sve porudžbine.", "sr"),
        case("Soft cotton pillow for the bedroom.", "Weiches Baumwollkissen für das Schlafzimmer."),
        case("Soft cotton pillow for the bedroom.", "寝室用の柔らかい綿の枕です。", "ko"),
        case("Soft cotton pillow for the bedroom.", "卧室用柔软棉枕头。", "ja"),
        case("Shoe 4. Size 4-5! Soft and warm.", "Shoe 4, size 4-5: soft and warm!", "ko"),
    )

    def problem(self, s: Sample) -> str | None:
        if s.target == s.source:  # a copy: the untranslated check says so (and knows brand-only text)
            return None
        text = _PLACEHOLDERISH.sub(" ", reading(s, "target"))
        for term in s.terms:  # brands and forced terms may be in any script
            text = text.replace(term.expected, " ")
        base = s.tgt_lang.split("-")[0]
        script = script_expected(s.tgt_lang)
        if script is not None and script != "LATIN" and _ASCII_LETTER.search(text):
            # brands kept in a Korean text are not English; a text with no Korean at all is no Korean
            kept = _kept_names(text, s.source)
            own = {script, "HAN"} if script == "KANA" else {script}
            if any(script_of(c) in own for c in kept):
                text = kept
        chars = letters(text)
        scripts = Counter(map(script_of, chars))
        dense = scripts["HAN"] + scripts["KANA"] + scripts["HANGUL"]
        if len(chars) < _MIN_LETTERS and dense < _MIN_IDEOGRAPHS:
            return None
        if script is not None:
            mine = scripts["HAN"] + scripts["KANA"] if script in {"KANA", "HAN"} else scripts[script]
            share = mine / len(chars)
            if share < 0.5:
                return f"only {share:.0%} of the letters are in the {s.tgt_lang} script"
            return _chinese_problem(text, s.tgt_lang) if base in {"ja", "zh"} else None
        if scripts["LATIN"] / len(chars) < 0.5:
            return f"the translation is not in the Latin script expected for {s.tgt_lang}"
        if len(chars) < _MIN_LETTERS:
            return None
        hits = _function_words(text)
        if _plainly(hits, base):
            return None
        if other := _plainly_other(hits, base):
            return f"looks like {other}, not {s.tgt_lang}"
        src = s.src_lang.split("-")[0]
        if len(chars) >= 20:  # short texts say too little for the cheaper models: the full comparison
            # ask first what the function words make likelier: a text left in the source, or a translation
            source_first = hits.get(src, 0.0) > hits.get(base, 0.0)
            if source_first and left_in_source(text, base, src):
                return f"looks like {src}, not {s.tgt_lang}"
            if plainly_target(text, base, src):
                return None
            if not source_first and left_in_source(text, base, src):
                return f"looks like {src}, not {s.tgt_lang}"
        found, confidence, target_confidence = detect(text, base, src)
        if found is None or found == base or found in _ALIKE.get(base, ()):
            return None
        # the target must be unlikely, not merely second: product copy borrows words ("Rojo sneakers");
        # with a sentence's worth of letters, being far less likely than another language is enough
        if confidence >= 0.25 and target_confidence < (0.05 if len(chars) < 20 else confidence / 2.5):
            return f"looks like {found}, not {s.tgt_lang}"
        return None
