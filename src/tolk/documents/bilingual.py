"""Bilingual files through translate-toolkit: gettext PO/POT, XLIFF 1.2 and 2.0.

Untranslated and fuzzy (or `needs-*`, `initial`) units are filled; a unit that already has a
translation keeps it unless `retranslate` is asked for. Notes, locations, ids and headers stay. XLIFF
inline codes (`<x/>`, `<g>`, `<ph/>`, `<pc>`) are masks: paired ones open and close around the words
they wrap. A unit whose translation failed the gate keeps its source text and is marked: PO fuzzy
(gettext then ignores it until a person looks), XLIFF 1.2 `needs-review-translation`, XLIFF 2.0
`initial`. PO plurals: one unit for the singular, one for the plural; the target gets as
many msgstr forms as its language has (Babel), its header the matching Plural-Forms.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from babel.messages.plurals import get_plural
from translate.storage import po, xliff, xliff2
from translate.storage.placeables import StringElem

from tolk.documents.base import Document, DocumentError, Format, Masks, Options, Unit, cldr

REFILL_STATES = {"new", "needs-translation", "needs-adaptation", "needs-l10n", "initial"}


def _state(unit: Any) -> str | None:
    """The XLIFF state of the unit's target (1.2) or segment (2.0), if it says one."""
    node = getattr(unit, "xmlelement", None)
    if node is None:
        return None
    for el in node.iter():
        tag = str(el.tag).rsplit("}", 1)[-1]
        if tag in ("target", "segment") and el.get("state"):
            return str(el.get("state"))
    return None


def _kept(unit: Any) -> bool:
    if not unit.target or not str(unit.target).strip():
        return False
    if isinstance(unit, po.pounit):
        return not unit.isfuzzy()  # type: ignore[no-untyped-call]
    return (_state(unit) or "translated") not in REFILL_STATES


class _Open:
    def __init__(self, el: StringElem) -> None:
        self.el = el


class _Close:
    pass


def _masked(elem: StringElem, masks: Masks) -> str:
    out = []
    for sub in elem.sub:
        if isinstance(sub, str):
            out.append(sub)
        elif type(sub) is StringElem:
            out.append(_masked(sub, masks))
        elif sub.sub and all(isinstance(x, str) or type(x) is StringElem for x in sub.sub):
            shell = copy.copy(sub)
            shell.sub = []
            out.append(masks.add(_Open(shell)) + "".join(map(str, sub.sub)) + masks.add(_Close()))
        else:
            out.append(masks.add(copy.deepcopy(sub)))
    return "".join(out)


def _rich(masks: Masks, translated: str) -> StringElem:
    root = StringElem([])
    stack = [root]
    for piece in masks.split(translated):
        if isinstance(piece, str):
            stack[-1].sub.append(piece)
        elif isinstance(piece, _Open):
            node = copy.copy(piece.el)
            node.sub = []
            stack[-1].sub.append(node)
            stack.append(node)
        elif isinstance(piece, _Close):
            if len(stack) == 1:
                raise ValueError("markup reordered: an inline code closed before it opened")
            stack.pop()
        else:
            stack[-1].sub.append(copy.deepcopy(piece))  # type: ignore[arg-type]
    if len(stack) != 1:
        raise ValueError("markup reordered: an inline code left open")
    return root


class BilingualDocument(Document):
    def __init__(self, data: bytes, path: Path, kind: str, retranslate: bool) -> None:
        self.data, self.kind = data, kind
        store = self._parse(path)
        self.units: list[Unit] = []
        self.masks: dict[str, Masks] = {}
        for n, unit in enumerate(store.units):
            if (
                unit.isheader()
                or getattr(unit, "isobsolete", lambda: False)()
                or not str(unit.source).strip()
            ):
                continue
            if _kept(unit) and not retranslate:
                continue
            found = (
                ("note", unit.getnotes()),
                ("location", " ".join(unit.getlocations())),
                ("msgctxt", unit.getcontext()),
            )
            context = {k: v for k, v in found if v}
            if isinstance(unit, po.pounit):
                plural = unit.hasplural()  # type: ignore[no-untyped-call]
                forms = unit.source.strings if plural else [str(unit.source)]
                for k, text in enumerate(forms[:2]):
                    self.units.append(
                        Unit(f"{n}.{k}", str(text), context | ({"plural": "plural form"} if k else {}))
                    )
            else:
                masks = Masks()
                self.masks[str(n)] = masks
                self.units.append(Unit(str(n), _masked(unit.rich_source[0], masks), context))

    def _parse(self, path: Path) -> Any:
        parser: Any = {"po": po.pofile, "xliff": xliff.xlifffile, "xliff2": xliff2.Xliff2File}[self.kind]
        try:
            return parser.parsestring(self.data)
        except Exception as exc:  # translate-toolkit raises what its parser raises
            raise DocumentError(
                f"{path}: not a valid {self.kind.upper()} file ({exc})".replace("\n", " ")
            ) from None

    def render(self, translated: dict[str, str], target: str) -> bytes:
        store = self._parse(Path("?"))
        failed = set(self.failed_units)
        nplurals, plural_forms = _plural(target)
        for n, unit in enumerate(store.units):
            if isinstance(unit, po.pounit):
                one, many = translated.get(f"{n}.0"), translated.get(f"{n}.1")
                if one is None:
                    continue
                if unit.hasplural():  # type: ignore[no-untyped-call]
                    unit.target = [many or one] if nplurals == 1 else [one] + [many or one] * (nplurals - 1)
                else:
                    unit.target = one
                unit.markfuzzy(f"{n}.0" in failed or f"{n}.1" in failed)
            elif str(n) in translated:
                try:
                    unit.rich_target = [_rich(self.masks[str(n)], translated[str(n)])]
                except ValueError as exc:
                    self.keep(str(n), str(exc))
                    continue
                if str(n) in failed and isinstance(unit, xliff.xliffunit):
                    unit.set_state_n(unit.S_NEEDS_REVIEW)  # state="needs-review-translation"
                else:
                    unit.markfuzzy(str(n) in failed)
                if isinstance(unit, xliff.xliffunit):
                    unit.markapproved(False)  # approved="yes" is a person's word, never a machine's
        if isinstance(store, po.pofile):  # after the units: a new header shifts their indexes
            store.updateheader(  # type: ignore[no-untyped-call]
                add=True, Language=target.replace("-", "_"), Plural_Forms=plural_forms
            )
        else:
            store.settargetlanguage(target)
        return bytes(store)


def _plural(lang: str) -> tuple[int, str]:
    """How many msgstr forms the language has, and its Plural-Forms header (English's where unknown)."""
    locale = cldr(lang)
    if locale is None:
        return 2, "nplurals=2; plural=(n != 1);"
    rule = get_plural(locale)
    return int(rule.num_plurals), str(rule.plural_forms)


class _Bilingual(Format):
    def __init__(self, retranslate: bool = False) -> None:
        self.retranslate = retranslate

    @classmethod
    def configured(cls, options: Options) -> Format:
        return cls(options.retranslate)


class Gettext(_Bilingual):
    name = "po"
    suffixes = (".po", ".pot")
    example = (
        b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n#: shop.py:3\n'
        b'msgid "Add to cart"\nmsgstr ""\n\nmsgid "%d item left"\nmsgid_plural "%d items left"\n'
        b'msgstr[0] ""\nmsgstr[1] ""\n'
    )
    bad_example = b'msgid "Add to cart\nmsgstr ""\n'

    def parse(self, data: bytes, path: Path, source: str) -> Document:
        return BilingualDocument(data, path, "po", self.retranslate)


class Xliff(_Bilingual):
    name = "xliff"
    suffixes = (".xlf", ".xliff")
    example = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" '
        b'xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="app" source-language="en" '
        b'datatype="plaintext"><body><trans-unit id="cta"><source>Add <g id="1">to cart</g></source>'
        b'</trans-unit><trans-unit id="help"><source>Help</source></trans-unit></body></file></xliff>\n'
    )
    bad_example = b"<xliff><file>"

    def parse(self, data: bytes, path: Path, source: str) -> Document:
        kind = (
            "xliff2"
            if b'version="2.' in data[:2000] or b"urn:oasis:names:tc:xliff:document:2" in data[:2000]
            else "xliff"
        )
        return BilingualDocument(data, path, kind, self.retranslate)
