"""A document's structure without its translatable text, per format, for round-trip comparisons.

Each `skeleton(path, data)` parses a file with a reader independent of the one tolk writes with where
one exists (markdown-it for Markdown, lxml for HTML, json/yaml, translate-toolkit for PO/XLIFF) and
keeps everything that must survive translation byte for byte: block and inline structure, code, URLs,
attributes, keys, non-string values, placeholders, ids, notes and locations. `texts` are the
translatable strings, to check they changed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from lxml import etree, html
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin
from translate.storage import po, xliff, xliff2

from tolk.documents.html import ATTRIBUTES, INLINE, untranslatable

PLACEHOLDERS = re.compile(r"\{\{\s*\w+\s*\}\}|\{\w+\}|%\(\w+\)[sd]|%[sd]|%\{\w+\}|#")


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDERS.findall(text))


def skeleton(path: Path, data: bytes) -> tuple[list[Any], list[str]]:
    suffix = path.suffix
    text = data.decode("utf-8")
    if suffix == ".md":
        return _markdown(text)
    if suffix == ".html":
        return _html(text)
    if suffix in (".json", ".arb"):
        return _tree(json.loads(text))
    if suffix == ".yml":
        return _tree(yaml.safe_load(text))
    if suffix in (".po", ".pot"):
        return _po(data)
    if suffix in (".xlf", ".xliff"):
        return _xliff(data)
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return [len(paragraphs), [placeholders(p) for p in paragraphs]], paragraphs


def _markdown(text: str) -> tuple[list[Any], list[str]]:
    md = MarkdownIt("commonmark").enable("table").use(front_matter_plugin)
    shape: list[Any] = []
    texts: list[str] = []
    for t in md.parse(text):
        if t.type == "front_matter":
            meta = yaml.safe_load(t.content)
            kept = {k: v for k, v in meta.items() if k not in ("title", "description")}
            shape.append(("front_matter", sorted(meta), kept))
            texts += [meta["title"], meta["description"]]
        elif t.type in ("fence", "code_block", "html_block"):
            shape.append((t.type, t.info, t.content))  # byte-exact
        elif t.type == "inline":
            whole = "".join(c.content for c in t.children or [] if c.type == "text")
            if re.search(r"[A-Za-z]{3}", whole):
                texts.append(whole)  # a unit's text, to see it changed
            run: list[str] = []
            for c in t.children or []:
                if c.type == "text":
                    run.append(c.content)
                    continue
                if c.type == "softbreak":
                    run.append(" ")
                    continue
                if run:
                    shape.append(("text", placeholders("".join(run))))
                    run = []
                attrs = {k: v for k, v in (c.attrs or {}).items() if k not in ("title", "alt")}
                shape.append(
                    (c.type, c.tag, attrs, c.content if c.type in ("code_inline", "html_inline") else "")
                )
            if run:
                shape.append(("text", placeholders("".join(run))))
        else:
            shape.append((t.type, t.tag, t.nesting))
    return shape, [t for t in texts if re.search(r"[A-Za-z]{3}", t)]


def _html(text: str) -> tuple[list[Any], list[str]]:
    root = html.document_fromstring(text)
    shape: list[Any] = []
    texts: list[str] = []

    def walk(el: etree._Element, keep: bool) -> None:
        keep = keep or untranslatable(el)
        attrs = {k: v for k, v in el.attrib.items() if keep or (k not in ATTRIBUTES and k != "lang")}
        shape.append((el.tag, attrs))
        if not keep and all(c.tag in INLINE for c in el if isinstance(c.tag, str)):
            texts.append(" ".join(el.text_content().split()))  # a unit's text, to see it changed
        for value in (el.text, *(c.tail for c in el)):
            if value and value.strip():
                if keep:
                    shape.append(("kept", value))
                else:
                    shape.append(("text", placeholders(value)))
        for child in el:
            if isinstance(child.tag, str):
                walk(child, keep)

    walk(root, False)
    return shape, [t for t in texts if re.search(r"[A-Za-z]{3}", t)]


def _tree(node: Any, path: str = "") -> tuple[list[Any], list[str]]:
    shape: list[Any] = []
    texts: list[str] = []
    if isinstance(node, dict):
        plural_groups: dict[str, set[str]] = {}
        for k, v in node.items():
            found = re.fullmatch(r"(.+)_(zero|one|two|few|many|other)", k)
            if found and isinstance(v, str):  # i18next plural keys are re-cut per target language
                plural_groups.setdefault(found[1], set()).update(placeholders(v))
                if found[2] == "other":
                    shape.append((f"{path}/{found[1]}_*", "plural"))
                texts.append(v)
                continue
            if k.startswith("@"):
                shape.append((f"{path}/{k}", v if k != "@@locale" else "locale"))
                continue
            s, t = _tree(v, f"{path}/{k}")
            shape += s
            texts += t
        shape += sorted((f"{path}/{base}_*", sorted(found)) for base, found in plural_groups.items())
    elif isinstance(node, list):
        for i, v in enumerate(node):
            s, t = _tree(v, f"{path}/{i}")
            shape += s
            texts += t
    elif isinstance(node, str):
        # plural branches are re-cut for the target (Spanish gains `many`): compare which placeholders,
        # not how often
        held = placeholders(node)
        shape.append((path, sorted(held) if ", plural," in node else held))
        texts.append(node)
    else:
        shape.append((path, node))
    return shape, texts


def _po(data: bytes) -> tuple[list[Any], list[str]]:
    store = po.pofile.parsestring(data)  # type: ignore[no-untyped-call]
    shape: list[Any] = []
    texts: list[str] = []
    for u in store.units:
        if u.isheader():
            continue
        shape.append((str(u.source), u.getlocations(), u.getnotes("developer"), u.getcontext()))
        texts.append(str(u.target) if u.target and str(u.target).strip() else str(u.source))
    return shape, texts


def _xliff(data: bytes) -> tuple[list[Any], list[str]]:
    cls = xliff2.Xliff2File if b'version="2.0"' in data else xliff.xlifffile
    store = cls.parsestring(data)  # type: ignore[no-untyped-call]
    shape: list[Any] = []
    texts: list[str] = []
    for u in store.units:
        if u.isheader():
            continue
        shape.append((u.getid(), " ".join(str(u.source).split()), u.getnotes()))
        texts.append(str(u.target) if u.target else str(u.source))  # bilingual: what changes is the target
    return shape, texts


def inline_codes(data: bytes) -> list[list[tuple[str, str]]]:
    """Per XLIFF target: its inline codes (tag, id), in order."""
    root = etree.fromstring(data)
    out = []
    for target in root.iter("{*}target"):
        out.append(
            [(str(el.tag).rsplit("}", 1)[-1], el.get("id") or "") for el in target.iter() if el is not target]
        )
    return out
