"""Numbers and units survive translation, whatever the locale writes as decimal separator."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from tolk.quality.base import Check, Sample, Severity

# ASCII-only edges: "24시간" and "1.7 L의" hold numbers, "v2" and "A4" are names
_NUMBER = re.compile(r"(?<![A-Za-z0-9.,])\d+(?:[.,\u00a0\u202f]\d+)*(?![A-Za-z0-9])")
_UNIT = re.compile(r"\d\s?(mAh|kg|km/h|km|mm|cm|ml|mL|m|g|L|l|W|V|GB|TB|MB|Hz|°C|°F|%)(?![A-Za-z])")


def _readings(token: str) -> set[str]:
    """Every value a written number may stand for: `1,5` is 1.5 in Spanish and 15 with a stray comma,
    `1.000` is one thousand in German and 1.0 in English."""
    token = token.replace("\u00a0", " ").replace("\u202f", " ")
    parts = re.split(r"[.,\s]", token)
    seps = re.findall(r"[.,\s]", token)
    if not seps:
        return {str(int(token))}
    readings = {str(int("".join(parts)))}  # every separator groups thousands
    head, tail = "".join(parts[:-1]), parts[-1]
    readings.add(f"{int(head or '0')}.{tail.rstrip('0') or '0'}")  # the last separator is decimal
    return readings


def numbers(text: str) -> list[set[str]]:
    text = unicodedata.normalize("NFKC", text)
    return [_readings(m.group(0).strip()) for m in _NUMBER.finditer(text)]


def units(text: str) -> Counter[str]:
    return Counter(m.group(1).lower() for m in _UNIT.finditer(unicodedata.normalize("NFKC", text)))


# languages that commonly write units out in their own script (kg -> 킬로그램, 公斤, กิโลกรัม)
SPELLED_UNITS = {"ja", "zh", "ko", "th", "lo", "km", "my", "ar", "he", "ru", "uk", "bg"}


class Numbers(Check):
    id = "numbers"
    severity = Severity.MAJOR
    description = "numbers (and the units after them) in the source appear in the translation"

    def problem(self, s: Sample) -> str | tuple[str, dict[str, object]] | None:
        source, target = numbers(s.source), numbers(s.target)
        missing = []
        for want in source:
            hit = next((i for i, have in enumerate(target) if have & want), None)
            if hit is None:
                missing.append(min(want, key=len))
            else:
                target.pop(hit)
        if missing:
            return f"numbers missing or changed: {', '.join(missing)}", {"missing": missing}
        lost_units = units(s.source) - units(s.target)
        if lost_units and s.tgt_lang.split("-")[0] not in SPELLED_UNITS:
            return f"units missing: {', '.join(sorted(lost_units))}", {"missing": sorted(lost_units)}
        return None
