"""Numbers and units survive translation, whatever the locale writes as decimal separator.

Numbers are read in the digits of the scripts tolk serves (Arabic-Indic ٠١٢, Persian ۰۱۲, Devanagari,
Bengali, Thai, Lao, Myanmar, Khmer, fullwidth １２; the Arabic decimal separator ٫ and group separator
٬), right after punctuation (`装,1.5`), and with a unit written against them (`1.7L`, `2200W`). A
separator followed by exactly three digits may group thousands (`1,000`, `1.000`); any other is a
decimal point, so `1.5 V` → `15 V` is a changed number.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from tolk.quality.base import Check, Sample, Severity, case

_UNITS = r"mAh|kg|km/h|km|mm|cm|ml|mL|m|g|L|l|W|V|GB|TB|MB|Hz|°C|°F|%"
# ASCII-only edges: "24시간" and "1.7 L의" hold numbers, "v2" and "A4" are names; a unit may touch the number
_NUMBER = re.compile(
    rf"(?<![A-Za-z0-9])(?<!\d[.,])\d+(?:[.,\u00a0\u202f]\d+)*(?:(?=(?:{_UNITS})(?![A-Za-z]))|(?![A-Za-z0-9]))"
)
_DIGIT = re.compile(r"\d")
_UNIT = re.compile(rf"\d\s?({_UNITS})(?![A-Za-z])")
# the digits of the scripts tolk serves, as ASCII (fullwidth ones NFKC already folds); ٫ decimal, ٬ thousands
_DIGIT_BLOCKS = (0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x0ED0, 0x1040, 0x17E0)  # Arabic … Khmer zeros
_TO_ASCII = str.maketrans(
    {chr(zero + d): str(d) for zero in _DIGIT_BLOCKS for d in range(10)}
    | {"\u066b": ".", "\u066c": ",", "\u066a": "%"}
)


@lru_cache(maxsize=4096)
def _readings(token: str) -> frozenset[str]:
    """Every value a written number may stand for: `1,5` is 1.5 in Spanish and 15 with a stray comma,
    `1.000` is one thousand in German and 1.0 in English. Cached: catalogs repeat their numbers."""
    token = token.replace("\u00a0", " ").replace("\u202f", " ")
    parts = re.split(r"[.,\s]", token)
    if len(parts) == 1:
        return frozenset({str(int(token))})
    readings = set()
    if len(parts[-1]) == 3 and all(len(p) in (2, 3) for p in parts[1:-1]):  # 1,000 · 1.000.000 · 1,00,000
        readings.add(str(int("".join(parts))))
    head, tail = "".join(parts[:-1]), parts[-1]
    readings.add(f"{int(head or '0')}.{tail.rstrip('0') or '0'}")  # the last separator is decimal
    return frozenset(readings)


def _plain(text: str) -> str:
    """NFKC (fullwidth digits and commas), other scripts' digits as ASCII, Arabic separators as . and ,"""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_TO_ASCII)


def numbers(text: str, *, plain: bool = False) -> list[frozenset[str]]:
    """The values of the numbers in `text` (`plain`: `text` has been through `_plain` already)."""
    return [_readings(m.group(0).strip()) for m in _NUMBER.finditer(text if plain else _plain(text))]


def units(text: str, *, plain: bool = False) -> Counter[str]:
    return Counter(m.group(1).lower() for m in _UNIT.finditer(text if plain else _plain(text)))


# Units as languages write them out (kg -> 킬로그램, 公斤, กิโลกรัม, کیلوگرم): a unit symbol of the source
# may come back as one of these. Symbols in other scripts (Cyrillic кг, Arabic كغ) are listed too.
_NAMES = {
    "mah": "毫安时|毫安|ミリアンペア|밀리암페어|มิลลิแอมป์|мАч",
    "kg": "kilo\\w*|킬로그램|킬로|公斤|千克|キログラム|キロ|กิโลกรัม|กก\\.?|كغ|كجم|كيلوغرام|کیلوگرم|кг",
    "km/h": "km/t|kmh|킬로미터|公里|キロ|กม\\.?/ชม|كم/س|км/ч",
    "km": "kilom\\w*|킬로미터|公里|千米|キロメートル|キロ|กิโลเมตร|กม\\.?|كم|کیلومتر|км",
    "mm": "millim\\w*|밀리미터|毫米|ミリメートル|ミリ|มิลลิเมตร|มม\\.?|مم|میلی‌متر|мм",
    "cm": "[cz]entim\\w*|센티미터|센티|厘米|公分|センチメートル|センチ|เซนติเมตร|ซม\\.?|سم|سانتی‌متر|см",
    "ml": "millilit\\w*|밀리리터|毫升|ミリリットル|มิลลิลิตร|มล\\.?|مل|میلی‌لیتر|мл",
    "m": "met(?:er|re|ro)s?|미터|米|公尺|メートル|เมตร|م|متر|м",
    "g": "gram\\w*|gramm\\w*|그램|克|公克|グラム|กรัม|غ|غرام|جرام|گرم|г",
    "l": "lit(?:er|re|ro)s?|리터|升|公升|リットル|ลิตร|لتر|لیتر|л",
    "w": "watt\\w*|와트|瓦|瓦特|ワット|วัตต์|واط|وات|Вт",
    "v": "volt\\w*|볼트|伏|伏特|ボルト|โวลต์|فولت|ولت|В",
    "gb": "기가바이트|ギガバイト|กิกะไบต์|جيجابايت|ГБ",
    "tb": "테라바이트|テラバイト|เทราไบต์|تيرابايت|ТБ",
    "mb": "메가바이트|メガバイト|เมกะไบต์|ميجابايت|МБ",
    "hz": "hertz|헤르츠|赫兹|赫茲|ヘルツ|เฮิรตซ์|هرتز|Гц",
    "°c": "도|度|摂氏|องศา|درجة|درجه|градус\\w*",
    "°f": "화씨|华氏|華氏|ฟาเรนไฮต์|فهرنهايت",
    "%": "퍼센트|프로|百分|パーセント|เปอร์เซ็นต์|٪|بالمئة|درصد|процент\\w*",
}
_SPELLED = {unit: re.compile(rf"\d\s?(?:{names})", re.IGNORECASE) for unit, names in _NAMES.items()}


def _spelled(unit: str, target: str, times: int) -> bool:
    """The unit comes back `times` times, written out in the target's words."""
    pattern = _SPELLED.get(unit)
    return pattern is not None and len(pattern.findall(target)) >= times


class Numbers(Check):
    id = "numbers"
    witness = True  # the injection check asks it too
    severity = Severity.MAJOR
    description = "numbers (and the units after them) in the source appear in the translation"
    good = (
        case("Weighs 1.7 kg, 2 pieces.", "Pesa 1,7 kg, 2 piezas."),
        case("It costs 1,000 dollars.", "Es kostet 1.000 Dollar.", "de"),
        case("Kettle 1.7L, 2200W", "Hervidor 1,7 L, 2200 W"),
        case("Pack, 1.5 L", "装,1.5升", "zh-CN"),
        case("Capacity 1.5 L", "السعة ١٫٥ لتر", "ar"),
        case("Capacity 1.5 L", "容量１．５Ｌ", "ja"),
        case("Capacity 1.5 L", "ظرفیت ۱٫۵ لیتر", "fa"),
        case("Capacity 1.5 L, 2 kg", "용량 1.5리터, 2킬로그램", "ko"),
        case("Save 30%", "توفير ٣٠٪", "ar"),
    )
    bad = (
        case("Weighs 1.7 kg, 2 pieces.", "Pesa 1,8 kg, 2 piezas."),
        case("It costs 1,000 dollars.", "Es kostet 100 Dollar.", "de"),
        case("Battery 1.5 V", "Batería 15 V"),
        case("Weighs 2.5 kg", "Pesa 25 kg"),
        case("Kettle 1.7L, 2200W", "Hervidor 1,7 L, 2000 W"),
        case("Pack, 1.5 L", "装,2.5升", "zh-CN"),
        case("Capacity 1.5 L", "السعة ٢٫٥ لتر", "ar"),
        case("Weighs 1.5 kg", "Pesa 1,5", "es"),
        case("Weighs 1.5 kg", "무게 1.5", "ko"),
    )

    def problem(self, s: Sample) -> str | tuple[str, dict[str, object]] | None:
        if not _DIGIT.search(s.source):  # nothing to lose (\d: every script's digits, fullwidth too)
            return None
        plain_source, plain_target = _plain(s.source), _plain(s.target)
        source, target = numbers(plain_source, plain=True), numbers(plain_target, plain=True)
        missing = []
        for want in source:
            hit = next((i for i, have in enumerate(target) if have & want), None)
            if hit is None:
                missing.append(min(want, key=len))
            else:
                target.pop(hit)
        if missing:
            return f"numbers missing or changed: {', '.join(missing)}", {"missing": missing}
        lost = units(plain_source, plain=True) - units(plain_target, plain=True)
        missing = sorted(unit for unit, n in lost.items() if not _spelled(unit, plain_target, n))
        if missing:
            return f"units missing: {', '.join(missing)}", {"missing": missing}
        return None
