"""Text as a reviewer should see it: markup and placeholders as chips (not raw tags, not rendered HTML),
the spans a finding concerns marked, and word diffs — every character escaped."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from markupsafe import Markup, escape

from tolk.text.placeholders import spans as placeholder_spans

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_WORDS = re.compile(r"\s+|[^\s]+")


def chips(text: str, marks: Sequence[tuple[int, int, str]] = ()) -> Markup:
    """`text` with each tag and placeholder as a chip, and each (start, end, why) of `marks` in a
    <mark> (widened to whole chips; overlapping marks merged, their reasons joined)."""
    codes: list[tuple[int, int]] = []
    for start, end in sorted(
        {(m.start(), m.end()) for m in _TAG.finditer(text)} | set(placeholder_spans(text))
    ):
        if not codes or start >= codes[-1][1]:  # the first of overlapping codes wins
            codes.append((start, end))
    regions = _merged([(*_widened(s, e, codes), why) for s, e, why in marks if s < e])
    where = [-1] * len(text)  # which region each character is in
    for n, (start, end, _) in enumerate(regions):
        where[start:end] = [n] * (end - start)
    units: list[tuple[bool, str, int]] = []  # (chip?, text, region)
    chip_end = dict(codes)
    i = 0
    while i < len(text):
        if i in chip_end:
            units.append((True, text[i : chip_end[i]], where[i]))
            i = chip_end[i]
            continue
        if units and not units[-1][0] and units[-1][2] == where[i]:
            units[-1] = (False, units[-1][1] + text[i], where[i])
        else:
            units.append((False, text[i], where[i]))
        i += 1
    out, current = [], -1
    for is_chip, piece, region in units:
        if region != current:
            if current >= 0:
                out.append("</mark>")
            if region >= 0:
                out.append(f'<mark title="{escape(regions[region][2])}">')
            current = region
        out.append(f'<span class="chip">{escape(piece)}</span>' if is_chip else str(escape(piece)))
    if current >= 0:
        out.append("</mark>")
    return Markup("".join(out))


def _widened(start: int, end: int, codes: list[tuple[int, int]]) -> tuple[int, int]:
    for a, b in codes:  # a mark never cuts a chip in two
        if a < start < b:
            start = a
        if a < end < b:
            end = b
    return start, end


def _merged(marks: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for start, end, why in sorted(marks):
        if out and start < out[-1][1]:
            s, e, w = out[-1]
            out[-1] = (s, max(e, end), w if why in w else f"{w}; {why}")
        else:
            out.append((start, end, why))
    return out


def diff(before: str, after: str) -> Markup:
    """Word by word: what `after` removed from `before` in <del>, what it added in <ins>."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    out = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            out.append(f"<del>{escape(''.join(old[a1:a2]))}</del>")
        if op in ("replace", "insert"):
            out.append(f"<ins>{escape(''.join(new[b1:b2]))}</ins>")
        if op == "equal":
            out.append(str(escape("".join(old[a1:a2]))))
    return Markup("".join(out))
