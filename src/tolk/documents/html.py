"""HTML (lxml): text and the translatable attributes (alt, title, placeholder, aria-label) are units.

An element holding only text and inline elements (a paragraph, a heading, a list item, a cell) is one
unit; its inline tags become masks, opening and closing separately, so words may move across them but
the markup comes back as it was, attributes and all. `<script>`, `<style>`, `<code>`, `<pre>`, and any
element with `translate="no"` or class `notranslate` are kept as they are, inside and out.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree, html

from tolk.documents.base import Document, DocumentError, Format, Masks, Unit, decode, neighbours

ATTRIBUTES = ("alt", "title", "placeholder", "aria-label")
INLINE = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "br",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "i",
        "img",
        "input",
        "kbd",
        "label",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "wbr",
    }
)
KEEP = frozenset({"script", "style", "code", "pre", "textarea", "svg", "math", "template"})
_WORD = re.compile(r"\w")
MARK = "data-tolk-mark"


def untranslatable(el: etree._Element) -> bool:
    if not isinstance(el.tag, str) or el.tag in KEEP:
        return True
    return el.get("translate") == "no" or "notranslate" in (el.get("class") or "").split()


@dataclass
class _Open:
    el: etree._Element


@dataclass
class _Close:
    el: etree._Element


class _Content:
    """An element's inline content as a unit: its text, and its inline children as masks."""

    def __init__(self, el: etree._Element) -> None:
        self.masks = Masks()
        self.text = el.text or ""
        parts = [el.text or ""]
        for child in el:
            parts.append(self._mask(child))
            parts.append(child.tail or "")
        self.text = "".join(parts)

    def _mask(self, el: etree._Element) -> str:
        empty = len(el) == 0 and not (el.text or "").strip()
        if untranslatable(el) or not isinstance(el.tag, str) or empty:
            whole = copy.deepcopy(el)
            whole.tail = None
            return self.masks.add(whole)  # kept as it is: a break, an image, code, a no-translate span
        shell = copy.deepcopy(el)
        shell.text, shell.tail = None, None
        for child in list(shell):
            shell.remove(child)
        inner = [self.masks.add(_Open(shell)), el.text or ""]
        for child in el:
            inner += [self._mask(child), child.tail or ""]
        return "".join(inner) + self.masks.add(_Close(shell))

    def fill(self, el: etree._Element, translated: str) -> None:
        """Replace el's content with the translation, rebuilding the inline elements around the words."""
        pieces = self.masks.split(translated)
        holder = etree.Element("holder")  # built aside: a broken nesting leaves el as it was
        stack: list[etree._Element] = [holder]
        last: etree._Element | None = None  # the element whose tail the next words go to

        def put(text: str) -> None:
            if last is None:
                stack[-1].text = (stack[-1].text or "") + text
            else:
                last.tail = (last.tail or "") + text

        for piece in pieces:
            if isinstance(piece, str):
                put(piece)
            elif isinstance(piece, _Open):
                node = copy.deepcopy(piece.el)
                stack[-1].append(node)
                stack.append(node)
                last = None
            elif isinstance(piece, _Close):
                if len(stack) == 1 or stack[-1].tag != piece.el.tag:
                    raise ValueError("markup reordered: an inline element closed before it opened")
                last = stack.pop()
            else:
                node = copy.deepcopy(piece)
                stack[-1].append(node)
                last = node
        if len(stack) != 1:
            raise ValueError("markup reordered: an inline element left open")
        for child in list(el):
            el.remove(child)
        el.text = holder.text
        for child in list(holder):
            el.append(child)


class HtmlDocument(Document):
    def __init__(self, text: str, path: Path) -> None:
        self.whole = bool(re.search(r"<html[\s>]", text[:2000], re.IGNORECASE))
        try:
            if self.whole:
                self.root = html.document_fromstring(text)
            else:
                self.root = html.fragment_fromstring(text, create_parent="div")
        except (etree.ParserError, ValueError) as exc:
            raise DocumentError(f"{path}: cannot parse HTML ({exc})") from None
        declared = re.search(r"<!doctype[^>]*>", text[:2000], re.IGNORECASE)  # lxml would invent one
        self.doctype = declared.group(0) if declared else ""
        for n, el in enumerate(self.root.iter()):  # copies keep it: how render finds an element again
            if isinstance(el.tag, str):
                el.set(MARK, str(n))
        self.units: list[Unit] = []
        self.contents: dict[str, tuple[list[int], _Content]] = {}
        self.texts: dict[str, tuple[list[int], str]] = {}  # text or tail runs in mixed content
        self.attrs: dict[str, tuple[str, str]] = {}  # unit id -> (element mark, attribute)
        self._walk(self.root, [])
        neighbours(self.units)

    def _walk(self, el: etree._Element, path: list[int]) -> None:
        if untranslatable(el):
            return
        self._attributes(el)
        children = [c for c in el if isinstance(c.tag, str)]
        inline_only = all(c.tag in INLINE for c in children)
        if inline_only and el.tag not in INLINE | {"html", "body", "head"}:
            content = _Content(el)
            if _WORD.search(re.sub(r"\{\{t\d+\}\}", "", content.text)):
                uid = ".".join(map(str, path)) or "root"
                self.contents[uid] = (path, content)
                self.units.append(Unit(uid, content.text.strip(), {"element": str(el.tag)}))
            self._attributes_below(el, path)
            return
        for kind, value in (("text", el.text),):
            if value and _WORD.search(value):
                self._run(path, kind, value)
        for i, child in enumerate(el):
            if isinstance(child.tag, str):
                self._walk(child, [*path, i])
            if child.tail and _WORD.search(child.tail):
                self._run([*path, i], "tail", child.tail)

    def _attributes(self, el: etree._Element) -> None:
        for name in ATTRIBUTES:
            value = el.get(name)
            if value and _WORD.search(value):
                uid = f"{el.get(MARK)}@{name}"
                self.attrs[uid] = (el.get(MARK) or "", name)
                self.units.append(Unit(uid, value, {"attribute": name, "element": str(el.tag)}))

    def _attributes_below(self, el: etree._Element, path: list[int]) -> None:
        for child in el:
            if isinstance(child.tag, str) and not untranslatable(child):
                self._attributes(child)
                self._attributes_below(child, path)

    def _run(self, path: list[int], kind: str, value: str) -> None:
        uid = f"{'.'.join(map(str, path))}:{kind}"
        self.texts[uid] = (path, kind)
        self.units.append(Unit(uid, value.strip()))

    def render(self, translated: dict[str, str], target: str) -> bytes:
        root = copy.deepcopy(self.root)

        def at(path: list[int]) -> etree._Element:
            el = root
            for i in path:
                el = el[i]
            return el

        for uid, (path, content) in self.contents.items():
            if uid in translated:
                source = content.text
                lead, trail = source[: len(source) - len(source.lstrip())], source[len(source.rstrip()) :]
                try:
                    content.fill(at(path), lead + translated[uid] + trail)
                except ValueError as exc:  # fill checks before it changes anything
                    self.keep(uid, str(exc))
        for uid, (path, kind) in self.texts.items():
            if uid in translated:
                el = at(path)
                old = (el.text if kind == "text" else el.tail) or ""
                new = old[: len(old) - len(old.lstrip())] + translated[uid] + old[len(old.rstrip()) :]
                if kind == "text":
                    el.text = new
                else:
                    el.tail = new
        marked = {el.get(MARK): el for el in root.iter() if isinstance(el.tag, str)}
        for uid, (mark, name) in self.attrs.items():
            if uid in translated and mark in marked:
                marked[mark].set(name, translated[uid])
        for el in marked.values():
            el.attrib.pop(MARK, None)
        if self.whole:
            if root.get("lang"):
                root.set("lang", target)
            out = str(html.tostring(root, encoding="unicode", doctype=self.doctype or None))
        else:
            out = (root.text or "") + "".join(html.tostring(c, encoding="unicode") for c in root)
        return out.encode("utf-8")


class Html(Format):
    name = "html"
    suffixes = (".html", ".htm")
    example = (
        b'<!DOCTYPE html>\n<html lang="en"><head><title>Help</title></head><body><h1>Shipping</h1>'
        b'<p>Orders <b>ship</b> in two days.</p><img src="box.png" alt="A parcel"></body></html>\n'
    )
    bad_example = b"<p>Caf\xe9</p>"  # Latin-1, not UTF-8

    def parse(self, data: bytes, path: Path, source: str) -> Document:
        return HtmlDocument(decode(data, path), path)
