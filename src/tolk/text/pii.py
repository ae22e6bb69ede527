"""Personal data masked before text leaves for an external engine, and put back after.

Each value found becomes a typed, numbered placeholder — `[[EMAIL_1]]`, `[[PHONE_2]]` — that engines
keep like any other token. After translation every placeholder must come back exactly once; one lost,
repeated or invented is a warning that sends the translation to review (the gate's `pii` check), never a
silent publish. Values are kept only in memory, in the mask of the segment they came from: nothing here
logs them, and errors name placeholders, not values.

Detectors: e-mail addresses (also "name (at) domain (dot) com"); phone numbers (phonenumbers: any
international +CC number, and national formats of the common markets — US "(415) 555-0137", UK, DE, JP,
CN, KR — plus the configured regions); Korean resident registration numbers (python-stdnum: a birth
date and, without the hyphen, the check digit — a 13-digit EAN barcode is not an RRN); payment card
numbers (Luhn) and IBANs (python-stdnum), and configured regexes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import phonenumbers
from stdnum import ean, iban
from stdnum import luhn as stdnum_luhn
from stdnum.kr import rrn

Span = tuple[int, int]
Detector = Callable[[str], Iterator[Span]]

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
EMAIL_OBFUSCATED = re.compile(
    r"\b[\w.+-]+\s*[(\[{<]\s*at\s*[)\]}>]\s*[\w-]+(?:\s*[(\[{<]\s*dot\s*[)\]}>]\s*[\w-]+)+\b",
    re.IGNORECASE,
)
RRN = re.compile(r"(?<!\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])-?[1-8]\d{6}(?!\d)")
CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
PLACEHOLDER = re.compile(r"\[\[([A-Z]+)_(\d+)\]\]")


# national formats read without a +CC: the markets tolk's users sell in most; [privacy] phone_regions adds
PHONE_REGIONS = ("US", "GB", "DE", "JP", "CN", "KR")
MIN_PHONE_DIGITS = 7  # fewer digits in a whole text: no phone number to look for


def luhn(digits: str) -> bool:
    return bool(stdnum_luhn.is_valid(digits))


def iban_ok(value: str) -> bool:
    return bool(iban.is_valid(value))


def rrn_ok(value: str) -> bool:
    """A resident registration number: with its hyphen (900101-1234567) a real birth date is enough —
    numbers issued since October 2020 carry no check digit; without it the check digit must hold and
    the number must not be a valid EAN-13 barcode (880… is Korea's GS1 prefix)."""
    digits = value.replace("-", "")
    if "-" in value:
        try:
            rrn.get_birth_date(digits)
        except Exception:  # stdnum raises its own ValidationError subclasses for an impossible date
            return False
        return True
    return bool(rrn.is_valid(digits)) and not ean.is_valid(digits)


def _regex(pattern: re.Pattern[str], check: Callable[[str], bool] | None = None) -> Detector:
    def find(text: str) -> Iterator[Span]:
        for m in pattern.finditer(text):
            if check is None or check(m.group(0)):
                yield m.span()

    return find


def _phones(regions: tuple[str, ...]) -> Detector:
    every = tuple(dict.fromkeys((*PHONE_REGIONS, *regions)))  # the defaults, then what config adds

    def find(text: str) -> Iterator[Span]:
        if sum(ch.isdigit() for ch in text) < MIN_PHONE_DIGITS:
            return
        for region in (None, *every):  # None: +CC numbers, whatever the country
            for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
                if not _barcode(m.raw_string):
                    yield m.start, m.end

    return find


def _barcode(raw: str) -> bool:
    """A bare run of 8, 12, 13 or 14 digits with a valid GS1 check digit is a product code, not a phone."""
    return raw.isdigit() and len(raw) in (8, 12, 13, 14) and bool(ean.is_valid(raw))


def _card(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    return 13 <= len(digits) <= 19 and luhn(digits)


@dataclass
class Masked:
    """A text with its personal data replaced, and how to put it back."""

    text: str
    values: dict[str, str] = field(default_factory=dict)  # placeholder -> value

    @property
    def kinds(self) -> Counter[str]:
        return Counter(PLACEHOLDER.fullmatch(p).group(1) for p in self.values)  # type: ignore[union-attr]

    def restore(self, translated: str) -> tuple[str, list[str]]:
        """The translation with the values back, and what went wrong (empty: every value came back once)."""
        problems: list[str] = []
        want = Counter(m.group(0) for m in PLACEHOLDER.finditer(self.text))
        seen = Counter(m.group(0) for m in PLACEHOLDER.finditer(translated))
        for placeholder in self.values:
            if seen[placeholder] < want[placeholder]:
                problems.append(f"pii: {placeholder} lost")
            elif seen[placeholder] > want[placeholder]:
                problems.append(f"pii: {placeholder} repeated")
        problems += [f"pii: {p} invented" for p in seen if p not in self.values]
        restored = PLACEHOLDER.sub(lambda m: self.values.get(m.group(0), m.group(0)), translated)
        return restored, problems


class PiiMasker:
    def __init__(self, detectors: dict[str, Detector]) -> None:
        self.detectors = detectors

    @classmethod
    def build(
        cls, kinds: list[str], regions: tuple[str, ...] = (), patterns: dict[str, str] | None = None
    ) -> PiiMasker:
        known: dict[str, Detector] = {
            "email": lambda t: (s for d in (_regex(EMAIL), _regex(EMAIL_OBFUSCATED)) for s in d(t)),
            "rrn": _regex(RRN, rrn_ok),
            "card": _regex(CARD, _card),
            "iban": _regex(IBAN, iban_ok),
            "phone": _phones(regions),
        }
        chosen = {k.upper(): known[k] for k in kinds if k in known}
        for name, pattern in (patterns or {}).items():
            chosen[re.sub(r"[^A-Z]", "", name.upper()) or "CUSTOM"] = _regex(re.compile(pattern))
        return cls(chosen)

    def mask(self, text: str) -> Masked:
        spans: list[tuple[int, int, str]] = []
        for kind, find in self.detectors.items():  # earlier detectors win an overlap (email before phone)
            for start, end in find(text):
                if not any(s < end and start < e for s, e, _ in spans):
                    spans.append((start, end, kind))
        if not spans:
            return Masked(text)
        spans.sort()
        numbers: Counter[str] = Counter()
        by_value: dict[tuple[str, str], str] = {}
        out, pos, values = [], 0, {}
        for start, end, kind in spans:
            value = text[start:end]
            if (kind, value) not in by_value:  # the same value twice is one placeholder, used twice
                numbers[kind] += 1
                by_value[(kind, value)] = f"[[{kind}_{numbers[kind]}]]"
            placeholder = by_value[(kind, value)]
            values[placeholder] = value
            out += [text[pos:start], placeholder]
            pos = end
        out.append(text[pos:])
        return Masked("".join(out), values)
