"""Language tags: BCP-47 normalisation, display names and each engine's own naming.

tolk speaks canonical BCP-47 tags internally (`en`, `zh-CN`, `zh-TW`, `pt-BR`, `ko`); engines translate them
at their edge (Qwen-MT wants English names, Apertium ISO 639-3 codes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tolk.core import InputError

AUTO = "auto"


@dataclass(frozen=True, slots=True)
class Language:
    tag: str  # canonical BCP-47
    name: str  # English name, as Qwen-MT spells it
    iso3: str  # ISO 639-3, as Apertium names its modes

    @property
    def base(self) -> str:
        return self.tag.split("-")[0]


# The 92 languages Qwen-MT lists (tag, English name, ISO 639-3), plus a few regional variants that
# e-commerce markets need. Order follows Qwen-MT's table.
_TABLE: tuple[tuple[str, str, str], ...] = (
    ("en", "English", "eng"),
    ("zh-CN", "Chinese", "zho"),
    ("zh-TW", "Traditional Chinese", "zho"),
    ("ru", "Russian", "rus"),
    ("ja", "Japanese", "jpn"),
    ("ko", "Korean", "kor"),
    ("es", "Spanish", "spa"),
    ("fr", "French", "fra"),
    ("pt", "Portuguese", "por"),
    ("de", "German", "deu"),
    ("it", "Italian", "ita"),
    ("th", "Thai", "tha"),
    ("vi", "Vietnamese", "vie"),
    ("id", "Indonesian", "ind"),
    ("ms", "Malay", "msa"),
    ("ar", "Arabic", "ara"),
    ("hi", "Hindi", "hin"),
    ("he", "Hebrew", "heb"),
    ("my", "Burmese", "mya"),
    ("ta", "Tamil", "tam"),
    ("ur", "Urdu", "urd"),
    ("bn", "Bengali", "ben"),
    ("pl", "Polish", "pol"),
    ("nl", "Dutch", "nld"),
    ("ro", "Romanian", "ron"),
    ("tr", "Turkish", "tur"),
    ("km", "Khmer", "khm"),
    ("lo", "Lao", "lao"),
    ("yue", "Cantonese", "yue"),
    ("cs", "Czech", "ces"),
    ("el", "Greek", "ell"),
    ("sv", "Swedish", "swe"),
    ("hu", "Hungarian", "hun"),
    ("da", "Danish", "dan"),
    ("fi", "Finnish", "fin"),
    ("uk", "Ukrainian", "ukr"),
    ("bg", "Bulgarian", "bul"),
    ("sr", "Serbian", "srp"),
    ("te", "Telugu", "tel"),
    ("af", "Afrikaans", "afr"),
    ("hy", "Armenian", "hye"),
    ("as", "Assamese", "asm"),
    ("ast", "Asturian", "ast"),
    ("eu", "Basque", "eus"),
    ("be", "Belarusian", "bel"),
    ("bs", "Bosnian", "bos"),
    ("ca", "Catalan", "cat"),
    ("ceb", "Cebuano", "ceb"),
    ("hr", "Croatian", "hrv"),
    ("arz", "Egyptian Arabic", "arz"),
    ("et", "Estonian", "est"),
    ("gl", "Galician", "glg"),
    ("ka", "Georgian", "kat"),
    ("gu", "Gujarati", "guj"),
    ("is", "Icelandic", "isl"),
    ("jv", "Javanese", "jav"),
    ("kn", "Kannada", "kan"),
    ("kk", "Kazakh", "kaz"),
    ("lv", "Latvian", "lav"),
    ("lt", "Lithuanian", "lit"),
    ("lb", "Luxembourgish", "ltz"),
    ("mk", "Macedonian", "mkd"),
    ("mai", "Maithili", "mai"),
    ("mt", "Maltese", "mlt"),
    ("mr", "Marathi", "mar"),
    ("acm", "Mesopotamian Arabic", "acm"),
    ("ary", "Moroccan Arabic", "ary"),
    ("ars", "Najdi Arabic", "ars"),
    ("ne", "Nepali", "nep"),
    ("az", "North Azerbaijani", "aze"),
    ("apc", "North Levantine Arabic", "apc"),
    ("uz", "Northern Uzbek", "uzb"),
    ("nb", "Norwegian Bokmål", "nob"),
    ("nn", "Norwegian Nynorsk", "nno"),
    ("oc", "Occitan", "oci"),
    ("or", "Odia", "ori"),
    ("pag", "Pangasinan", "pag"),
    ("scn", "Sicilian", "scn"),
    ("sd", "Sindhi", "snd"),
    ("si", "Sinhala", "sin"),
    ("sk", "Slovak", "slk"),
    ("sl", "Slovenian", "slv"),
    ("ajp", "South Levantine Arabic", "ajp"),
    ("sw", "Swahili", "swa"),
    ("tl", "Tagalog", "tgl"),
    ("acq", "Ta'izzi-Adeni Arabic", "acq"),
    ("sq", "Tosk Albanian", "sqi"),
    ("aeb", "Tunisian Arabic", "aeb"),
    ("vec", "Venetian", "vec"),
    ("war", "Waray", "war"),
    ("cy", "Welsh", "cym"),
    ("fa", "Western Persian", "fas"),
    # regional variants beyond Qwen-MT's list
    ("zh-HK", "Traditional Chinese", "zho"),
    ("pt-BR", "Portuguese", "por"),
    ("pt-PT", "Portuguese", "por"),
    ("en-US", "English", "eng"),
    ("en-GB", "English", "eng"),
    ("es-419", "Spanish", "spa"),
    ("fr-CA", "French", "fra"),
    ("sr-Latn", "Serbian", "srp"),  # Serbian is written in both scripts; plain "sr" is Cyrillic (CLDR)
)

QWEN_MT_TAGS: tuple[str, ...] = tuple(tag for tag, _, _ in _TABLE[:92])
LANGUAGES: dict[str, Language] = {tag: Language(tag, name, iso3) for tag, name, iso3 in _TABLE}

# Aliases that are not derivable from the table's subtags.
_ALIASES = {
    "zh": "zh-CN",
    "zh-hans": "zh-CN",
    "zh-sg": "zh-CN",
    "zh-hant": "zh-TW",
    "zh-mo": "zh-HK",
    "sr-cyrl": "sr",
    "iw": "he",
    "in": "id",
    "no": "nb",
    "fil": "tl",
    "simplified chinese": "zh-CN",
    "chinese (simplified)": "zh-CN",
    "chinese (traditional)": "zh-TW",
    "persian": "fa",
    "albanian": "sq",
    "azerbaijani": "az",
    "uzbek": "uz",
    "norwegian": "nb",
    "filipino": "tl",
}
_TAG_RE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


@cache
def _lookup() -> dict[str, str]:
    index: dict[str, str] = {}
    for lang in LANGUAGES.values():
        index.setdefault(lang.name.lower(), lang.tag)
        index.setdefault(lang.iso3, lang.tag)
        index[lang.tag.lower()] = lang.tag
    # ISO 639-2/B codes Apertium and older data use
    index.update({"fre": "fr", "ger": "de", "chi": "zh-CN", "dut": "nl", "cze": "cs", "gre": "el"})
    index.update({"alb": "sq", "arm": "hy", "geo": "ka", "baq": "eu", "ice": "is", "mac": "mk", "may": "ms"})
    index.update({"per": "fa", "rum": "ro", "slo": "sk", "wel": "cy", "bur": "my"})
    index.update(_ALIASES)
    return index


@cache  # a catalog's rows name the same few languages over and over
def normalize(value: str, *, allow_auto: bool = False) -> str:
    """Canonical tag for `value` (`zh_Hans` -> `zh-CN`, `ko_KR` -> `ko`, `es_mx` -> `es-MX`,
    `Spanish` -> `es`).

    A region or script that says something is kept (es-MX, fr-CA, sr-Latn); one that says what the
    language is written with or where anyway (CLDR's likely subtags: ko-KR, de-DE, sr-Cyrl) is
    dropped, so `ko_KR` and `ko` are one language. A language outside the table, or a region or
    script CLDR does not know, is refused: a typo must not become a silent new language.
    """
    raw = value.strip()
    if allow_auto and raw.lower() == AUTO:
        return AUTO
    index = _lookup()
    key = raw.lower().replace("_", "-")
    if key in index:
        return index[key]
    if _TAG_RE.match(raw):
        subtags = key.split("-")
        # try language-script-region, then language-region / language-script, then the language alone
        for n in range(len(subtags), 0, -1):
            for cut in _candidates(subtags, n):
                if cut in index:
                    found = index[cut]
                    rest = [s for s in subtags[1:] if s not in cut.split("-")[1:]]
                    return _variant(found, rest, value) if rest and "-" not in found else found
    raise InputError(f"unknown language {value!r} (use a BCP-47 tag such as en, es, zh-CN, pt-BR)")


def _variant(base: str, subtags: list[str], value: str) -> str:
    """`base` with the script and region of `subtags` that say something (CLDR's names and likely
    subtags, through babel)."""
    from babel import Locale
    from babel.core import get_global

    english = Locale("en")
    likely = str(get_global("likely_subtags").get(base, "")).split("_")  # e.g. ["es", "Latn", "ES"]
    script = region = None
    for sub in subtags:
        if len(sub) == 4 and sub.isalpha() and sub.title() in english.scripts:
            script = sub.title()
        elif ((len(sub) == 2 and sub.isalpha()) or (len(sub) == 3 and sub.isdigit())) and (
            sub.upper() in english.territories
        ):
            region = sub.upper()
        else:
            raise InputError(f"unknown language {value!r}: {sub!r} is no script or region CLDR knows")
    if script is not None and script in likely[1:2]:
        script = None  # en-Latn is en
    if region is not None and script is None and region in likely[2:3]:
        region = None  # ko-KR is ko
    return "-".join(part for part in (base, script, region) if part)


def _candidates(subtags: list[str], n: int) -> list[str]:
    head, rest = subtags[0], subtags[1:]
    if n == 1:
        return [head]
    return ["-".join([head, *combo]) for combo in _ordered_subsets(rest, n - 1)]


def _ordered_subsets(items: list[str], size: int) -> list[list[str]]:
    if size == 0:
        return [[]]
    out: list[list[str]] = []
    for i, item in enumerate(items):
        out.extend([item, *tail] for tail in _ordered_subsets(items[i + 1 :], size - 1))
    return out


def get(tag: str) -> Language:
    """The Language for a tag in any accepted spelling; a variant the table lacks (es-MX) is its
    language's, named with its region or script ("Spanish (Mexico)")."""
    tag = normalize(tag)
    if tag in LANGUAGES:
        return LANGUAGES[tag]
    base = LANGUAGES[tag.split("-")[0]]
    return Language(tag, f"{base.name} ({_variant_name(tag)})", base.iso3)


def _variant_name(tag: str) -> str:
    from babel import Locale

    english = Locale("en")
    names = [english.scripts.get(s) or english.territories.get(s) or s for s in tag.split("-")[1:]]
    return ", ".join(names)


def known(tag: str) -> bool:
    """A tag tolk translates into or from: the table's, or a variant of a language it has."""
    return tag in LANGUAGES or tag.split("-")[0] in LANGUAGES


def base(tag: str) -> str:
    """The language a variant belongs to as the table names it (es-MX -> es; zh-TW stays zh-TW)."""
    return tag if tag in LANGUAGES else tag.split("-")[0]


def display_name(tag: str) -> str:
    if tag == AUTO:
        return "auto-detect"
    return get(tag).name


def parse_list(value: str) -> list[str]:
    """`es, ko ,zh_Hans` -> ['es', 'ko', 'zh-CN'] (order kept, duplicates dropped)."""
    tags: list[str] = []
    for part in value.split(","):
        if part.strip():
            tag = normalize(part)
            if tag not in tags:
                tags.append(tag)
    if not tags:
        raise InputError("no target language given (e.g. --to es,ko)")
    return tags
