"""Translation memory: trusted pairs reused exactly (no engine call) or offered as fuzzy hints.

Every unit keeps its origin: a person's edit or approval (`person`), machine text an assessor of meaning
approved (`judge`), an imported TMX (`tmx`, with its creator), or `machine` (from before origins were
kept). Machine text that passed only the rule checks never enters. Only the origins `[quality]
trusted_memory` names (person and tmx by default) are reused or shown to engines. Exact matches are
looked up by the source's hash; fuzzy matches (rapidfuzz's token-sort ratio, threshold configurable)
travel to engines as hints — Qwen-MT's `tm_list`, examples in an LLM's instructions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lxml import etree
from rapidfuzz import fuzz, process

from tolk import __version__, languages
from tolk.core import InputError, TmPair, TolkError
from tolk.store.repo import Store

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class FuzzyIndex:
    """The memory of one language pair, held for a run so that fuzzy lookups do not re-read the store."""

    def __init__(
        self,
        store: Store,
        src: str,
        tgt: str,
        *,
        threshold: float = 75.0,
        limit: int = 50_000,
        origins: frozenset[str] = frozenset({"person", "tmx"}),
    ) -> None:
        self.threshold = threshold
        units = []
        for unit in store.memory_units(src, tgt, origins):
            units.append((unit.source, unit.target))
            if len(units) >= limit:  # beyond this a run-local index costs more than the hints earn
                break
        self._sources = [s for s, _ in units]
        self._targets = [t for _, t in units]

    def hints(self, text: str, n: int = 3) -> tuple[TmPair, ...]:
        if not self._sources:
            return ()
        found = process.extract(text, self._sources, scorer=fuzz.token_sort_ratio, limit=n + 1)
        pairs = [
            TmPair(self._sources[i], self._targets[i])
            for _, score, i in found
            if score >= self.threshold and self._sources[i] != text  # an exact match needs no hint
        ]
        return tuple(pairs[:n])


@dataclass(frozen=True, slots=True)
class Match:
    """A memory unit like a text, for a reviewer: how alike (0–100) and where the unit came from."""

    source: str
    target: str
    similarity: float
    origin: str
    creator: str | None


def similar(
    store: Store, text: str, src: str, tgt: str, *, n: int = 5, threshold: float = 50.0, limit: int = 50_000
) -> list[Match]:
    """The `n` units of the pair most like `text` (any origin: a reviewer weighs them), best first."""
    units = []
    for unit in store.memory_units(src, tgt):
        units.append((unit.source, unit.target, unit.origin, unit.creator))
        if len(units) >= limit:
            break
    if not units:
        return []
    found = process.extract(text, [u[0] for u in units], scorer=fuzz.token_sort_ratio, limit=n)
    return [
        Match(units[i][0], units[i][1], score, units[i][2], units[i][3])
        for _, score, i in found
        if score >= threshold
    ]


# --- TMX 1.4 ---------------------------------------------------------------------------------------------


def read_tmx(path: Path) -> Iterator[tuple[str, str, str, str, str]]:
    """(source lang, target lang, source, target, creator) for every pair in the file; the creator is
    the unit's `creationid`, else the header's, else the file's name."""
    try:
        tree = etree.parse(
            str(path), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        )
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else 0
        raise InputError(f"{path}:{line}: not valid XML: {' '.join(exc.msg.split())}") from None
    root = tree.getroot()
    header = root.find("header")
    if root.tag != "tmx" or header is None:
        raise InputError(f"{path}:1: not a TMX file (no <tmx> root with a <header>)")
    default_src = header.get("srclang")
    default_creator = header.get("creationid") or f"tmx:{path.name}"
    for tu in root.iter("tu"):
        segs: dict[str, str] = {}
        for tuv in tu.findall("tuv"):
            lang = tuv.get(XML_LANG) or tuv.get("lang")
            seg = tuv.find("seg")
            if lang is None or seg is None:
                raise InputError(f"{path}:{tuv.sourceline}: <tuv> needs xml:lang and a <seg>")
            try:
                segs[languages.normalize(lang)] = "".join(seg.itertext())
            except TolkError as exc:
                raise InputError(f"{path}:{tuv.sourceline}: {exc}") from None
        declared = tu.get("srclang") or default_src
        src = languages.normalize(declared) if declared and declared != "*all*" else None
        if src not in segs:
            src = next(iter(segs), None)
        if src is None:
            continue
        creator = tu.get("creationid") or default_creator
        for tgt, text in segs.items():
            if tgt != src and text.strip() and segs[src].strip():
                yield src, tgt, segs[src], text, creator


def import_tmx(store: Store, path: Path) -> int:
    """Read the whole file first (a bad unit changes nothing), then remember every pair."""
    pairs = list(read_tmx(path))
    with store.transaction() as session:
        for src, tgt, source, target, creator in pairs:
            store.remember(session, src, tgt, source, target, "tmx", creator=creator)
    return len(pairs)


# characters XML 1.0 cannot hold, not even as references: a unit carrying one (a control character
# pasted into a catalog) is written without it rather than failing the whole export
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


_TAG = re.compile(r"<(/?)([A-Za-z][\w:.-]*)[^<>]*?(/?)>")
_VOID = frozenset({"br", "hr", "img", "input", "wbr", "meta", "link", "source", "col", "area"})


def inline(seg: etree._Element, text: str) -> None:
    """`text` into a TMX `<seg>` with its markup and placeholders as TMX 1.4 inline codes (level 2):
    a tag pair as `<bpt>`/`<ept>` sharing an `i`, a lone opening or closing tag as `<it>`, a void tag
    or a placeholder as `<ph>`, each holding the native code — so a CAT tool protects them, and a
    reader that flattens (tolk's, translate-toolkit's) gets the same text back."""
    from tolk.text.placeholders import spans as placeholder_spans

    codes: list[tuple[int, int, re.Match[str] | None]] = [
        (m.start(), m.end(), m) for m in _TAG.finditer(text)
    ]
    codes += [(s, e, None) for s, e in placeholder_spans(text) if not any(a <= s < b for a, b, _ in codes)]
    codes.sort(key=lambda c: c[0])
    seg.text, last, pos, pair = "", None, 0, 0
    opened: list[tuple[str, etree._Element]] = []
    for start, end, tag in codes:
        plain = text[pos:start]
        if last is None:
            seg.text = plain
        else:
            last.tail = plain
        native = text[start:end]
        if tag is None or tag.group(3) or tag.group(2).lower() in _VOID:
            last = etree.SubElement(seg, "ph")
        elif not tag.group(1):
            pair += 1
            last = etree.SubElement(seg, "bpt", i=str(pair))
            opened.append((tag.group(2).lower(), last))
        elif opened and opened[-1][0] == tag.group(2).lower():
            last = etree.SubElement(seg, "ept", i=opened.pop()[1].get("i") or "")
        else:
            last = etree.SubElement(seg, "it", pos="end")
        last.text, pos = native, end
    for _, unclosed in opened:  # an opening tag whose closing one is not in this segment
        unclosed.tag = "it"
        unclosed.attrib.clear()
        unclosed.set("pos", "begin")
    if last is None:
        seg.text = text[pos:]
    else:
        last.tail = text[pos:]


def write_tmx(store: Store, out: IO[str], src: str | None = None, tgt: str | None = None) -> int:
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(
        root,
        "header",
        creationtool="tolk",
        creationtoolversion=__version__,
        segtype="sentence",
        datatype="plaintext",
        adminlang="en",
        srclang=src or "*all*",
        **{"o-tmf": "tolk"},
    )
    body = etree.SubElement(root, "body")
    count = 0
    for unit in store.memory_units(src, tgt):
        tu = etree.SubElement(body, "tu", srclang=unit.src_lang)
        if unit.creator:
            tu.set("creationid", xml_safe(unit.creator))
        etree.SubElement(tu, "prop", type="x-origin").text = unit.origin
        for lang, text in ((unit.src_lang, unit.source), (unit.tgt_lang, unit.target)):
            tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
            inline(etree.SubElement(tuv, "seg"), xml_safe(text))
        count += 1
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(etree.tostring(root, encoding="unicode", pretty_print=True))
    return count
