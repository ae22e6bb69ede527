"""Glossaries: forced term translations and do-not-translate terms (brands), loaded from CSV/TSV.

Columns: `source, target_lang, target, do_not_translate, case_sensitive, note`. A do-not-translate row may
leave `target_lang` empty (or `*`): it then applies to every language.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tolk import languages
from tolk.core import InputError, Term, TolkError, digest

COLUMNS = ("source", "target_lang", "target", "do_not_translate", "case_sensitive", "note")
_TRUE = {"1", "true", "yes", "y", "x"}
_FALSE = {"", "0", "false", "no", "n"}
ANY_LANG = "*"


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    lang: str  # canonical tag, or "*" for every language
    term: Term


class Glossary:
    """Terms by target language, with a stable version per applicable set."""

    def __init__(self, entries: Iterable[GlossaryEntry] = ()) -> None:
        self._by_lang: dict[str, list[Term]] = {}
        for entry in entries:
            self._by_lang.setdefault(entry.lang, []).append(entry.term)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_lang.values())

    def entries(self) -> Iterator[GlossaryEntry]:
        for lang, terms in sorted(self._by_lang.items()):
            for term in terms:
                yield GlossaryEntry(lang, term)

    def terms_for(self, lang: str) -> list[Term]:
        """The language's terms; a variant (es-MX) has its language's (es) where it has none itself."""
        own = self._by_lang.get(lang)
        if own is None and "-" in lang:
            own = self._by_lang.get(lang.split("-")[0])
        return (own or []) + self._by_lang.get(ANY_LANG, [])

    def applicable(self, text: str, lang: str) -> tuple[Term, ...]:
        """Terms whose source occurs in `text`, longest first: what the cache key and the check use."""
        found = {term for term, _, _ in find_terms(text, self.terms_for(lang))}
        return tuple(sorted(found, key=lambda t: (-len(t.source), t.source)))

    def merged(self, other: Glossary) -> Glossary:
        """`other` wins where both define the same (source, lang)."""
        seen = {(e.lang, e.term.source.lower()) for e in other.entries()}
        mine = [e for e in self.entries() if (e.lang, e.term.source.lower()) not in seen]
        return Glossary([*mine, *other.entries()])


def terms_version(terms: Iterable[Term]) -> str:
    """Version of a term set: changing an unrelated term does not invalidate cached segments."""
    return digest(*sorted((t.source, t.target, t.do_not_translate, t.case_sensitive) for t in terms))[:16]


@lru_cache(maxsize=65536)
def _pattern(term: Term) -> re.Pattern[str]:
    body = re.escape(unicodedata.normalize("NFC", term.source))
    # word boundaries only where the term edge is a word character: `Nike` must not match `Nikes`,
    # but CJK terms have no spaces around them.
    if term.source[:1].isascii() and term.source[:1].isalnum():
        body = r"(?<![\w])" + body
    if term.source[-1:].isascii() and term.source[-1:].isalnum():
        body = body + r"(?![\w])"
    return re.compile(body, 0 if term.case_sensitive else re.IGNORECASE)


@lru_cache(maxsize=65536)
def _needle(term: Term) -> str:
    source = unicodedata.normalize("NFC", term.source)
    return source if term.case_sensitive else source.lower()


def find_terms(text: str, terms: Iterable[Term]) -> list[tuple[Term, int, int]]:
    """Non-overlapping occurrences, longer terms first (`Nike Air` before `Nike`), matched in Unicode
    NFC (a decomposed "Café" is the term "Café"); offsets are in `text` as given."""
    hits: list[tuple[Term, int, int]] = []
    taken: list[tuple[int, int]] = []
    normal, where = _nfc(text)
    lowered = normal.lower()
    for term in sorted(terms, key=lambda t: -len(t.source)):
        if not term.source:
            continue
        # a substring test first: most terms of a large glossary are absent, and scanning the text
        # with each one's regex cost 40 ms a text for a thousand terms
        if _needle(term) not in (normal if term.case_sensitive else lowered):
            continue
        for m in _pattern(term).finditer(normal):
            start, end = where[m.start()], where[m.end()]
            if not any(s < end and start < e for s, e in taken):
                hits.append((term, start, end))
                taken.append((start, end))
    hits.sort(key=lambda h: h[1])
    return hits


def _nfc(text: str) -> tuple[str, list[int]]:
    """`text` in NFC and, for each of its positions (and the end), the position in `text`."""
    if unicodedata.is_normalized("NFC", text):
        return text, list(range(len(text) + 1))
    # compose cluster by cluster (a base and the marks after it), so positions map back
    normal: list[str] = []
    where: list[int] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i < len(text) and (unicodedata.combining(text[i]) or "\u1160" <= text[i] <= "\u11ff"):
            continue
        cluster = unicodedata.normalize("NFC", text[start:i])
        normal.append(cluster)
        where.extend([start] * len(cluster))
        start = i
    where.append(len(text))
    return "".join(normal), where


def missing_terms(output: str, terms: Iterable[Term]) -> list[Term]:
    """Applicable terms whose expected form is absent from the translation."""
    missing = []
    output = unicodedata.normalize("NFC", output)
    for term in terms:
        expected = unicodedata.normalize("NFC", term.expected)
        haystack, needle = (output, expected) if term.case_sensitive else (output.lower(), expected.lower())
        if needle not in haystack:
            missing.append(term)
    return missing


def _flag(value: str, path: Path, line: int, column: str) -> bool:
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise InputError(f"{path}:{line}: {column} must be true or false, got {value!r}")


def load(path: str | Path) -> Glossary:
    """Read a CSV (or TSV, by extension or sniffing) glossary; any bad row fails the whole file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: glossary file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    first = text.split("\n", 1)[0]
    delimiter = "\t" if path.suffix.lower() == ".tsv" or "\t" in first else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    if "source" not in header:
        raise InputError(f"{path}:1: header must name at least 'source' (columns: {', '.join(COLUMNS)})")
    unknown = set(header) - set(COLUMNS)
    if unknown:
        raise InputError(f"{path}:1: unknown column(s) {', '.join(sorted(unknown))}")
    entries = []
    for row in reader:
        line = reader.line_num
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        entries.append(_entry(row, path, line))
    return Glossary(entries)


def _entry(row: dict[str, str], path: Path, line: int) -> GlossaryEntry:
    source = row.get("source", "")
    if not source:
        raise InputError(f"{path}:{line}: empty source term")
    dnt = _flag(row.get("do_not_translate", ""), path, line, "do_not_translate")
    lang_raw = row.get("target_lang", "")
    target = row.get("target", "")
    if not lang_raw or lang_raw == ANY_LANG:
        if not dnt:
            raise InputError(f"{path}:{line}: target_lang is required unless do_not_translate is true")
        lang = ANY_LANG
    else:
        try:
            lang = languages.normalize(lang_raw)
        except TolkError as exc:
            raise InputError(f"{path}:{line}: {exc}") from None
    if not dnt and not target:
        raise InputError(f"{path}:{line}: target is empty for {source!r}")
    term = Term(
        source=source,
        target=target or source,
        do_not_translate=dnt,
        case_sensitive=_flag(row.get("case_sensitive", ""), path, line, "case_sensitive"),
        note=row.get("note", ""),
    )
    return GlossaryEntry(lang, term)
