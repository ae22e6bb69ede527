"""Personal data masked before text leaves for an external engine, and put back after.

Each value found becomes a typed, numbered placeholder — `[[EMAIL_1]]`, `[[PHONE_2]]` — that engines
keep like any other token. After translation every placeholder must come back exactly once; one lost,
repeated or invented is a warning that sends the translation to review (the gate's `pii` check), never a
silent publish. Values are kept only in memory, in the mask of the segment they came from: nothing here
logs them, and errors name placeholders, not values.

Detectors: e-mail addresses (also "name (at) domain (dot) com"), phone numbers (phonenumbers: the
configured regions, Korea by default, and any international +CC number), Korean resident registration
numbers, payment card numbers (Luhn-checked), IBANs (mod-97-checked), and configured regexes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import phonenumbers

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


def luhn(digits: str) -> bool:
    total, double = 0, False
    for ch in reversed(digits):
        n = int(ch) * (2 if double else 1)
        total += n - 9 if n > 9 else n
        double = not double
    return total % 10 == 0


def iban_ok(value: str) -> bool:
    compact = value.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _regex(pattern: re.Pattern[str], check: Callable[[str], bool] | None = None) -> Detector:
    def find(text: str) -> Iterator[Span]:
        for m in pattern.finditer(text):
            if check is None or check(m.group(0)):
                yield m.span()

    return find


def _phones(regions: tuple[str, ...]) -> Detector:
    def find(text: str) -> Iterator[Span]:
        for region in (*regions, None):  # None: only +CC numbers, whatever the country
            for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
                yield m.start, m.end

    return find


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
    def build(cls, kinds: list[str], regions: tuple[str, ...] = ("KR",),
              patterns: dict[str, str] | None = None) -> PiiMasker:  # fmt: skip
        known: dict[str, Detector] = {
            "email": lambda t: (s for d in (_regex(EMAIL), _regex(EMAIL_OBFUSCATED)) for s in d(t)),
            "rrn": _regex(RRN),
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
