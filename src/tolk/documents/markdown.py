"""Markdown (CommonMark + GFM tables + YAML front matter), parsed by markdown-it-py, re-rendered by mdformat.

A unit is the inline content of a heading, a paragraph (in lists and quotes too) or a table cell.
Inside it, every non-text token — emphasis markers, links' opening and closing, inline code, inline
HTML, images, autolinks, hard breaks — is a mask, so the engine moves words around them but cannot
change a URL, a code span or the nesting. Image alt texts and link titles are units of their own.
HTML blocks are translated like HTML files (text, alt and title; markup and other attributes kept).
Code blocks, link reference definitions and front-matter keys not listed are untouched;
the listed front-matter keys (title, description, summary by default) are translated in place.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml
from markdown_it.token import Token
from mdformat._util import build_mdit
from mdformat.renderer import MDRenderer

from tolk.documents.base import Document, DocumentError, Format, Masks, Options, Unit, decode, neighbours
from tolk.documents.html import HtmlDocument

FRONT_MATTER_KEYS = ("title", "description", "summary")
_PAIRS = {
    "strong_open": "strong_close", "em_open": "em_close", "s_open": "s_close", "link_open": "link_close",
}  # fmt: skip


def _parser() -> Any:
    return build_mdit(MDRenderer, mdformat_opts={"wrap": "keep"}, extensions={"tables", "frontmatter"})


class _Inline:
    """One inline token's children as a unit: text pieces and masked token groups."""

    def __init__(self, children: list[Token]) -> None:
        self.masks = Masks()
        parts: list[str] = []
        i = 0
        while i < len(children):
            child = children[i]
            if child.type == "text":
                parts.append(child.content)
            elif child.type == "softbreak":
                parts.append(" ")
            elif child.type == "link_open" and child.markup == "autolink":
                parts.append(self.masks.add(children[i : i + 3]))  # <url>: open, text, close together
                i += 2
            else:
                parts.append(self.masks.add([child]))
            i += 1
        self.text = "".join(parts)

    def children(self, translated: str) -> list[Token]:
        out: list[Token] = []
        for piece in self.masks.split(translated):
            if isinstance(piece, str):
                out.append(Token("text", "", 0, content=piece))
            else:
                out.extend(copy.deepcopy(piece))  # type: ignore[arg-type]
        _check_nesting(out)
        return out


def _check_nesting(tokens: list[Token]) -> None:
    stack: list[str] = []
    for t in tokens:
        if t.type in _PAIRS:
            stack.append(_PAIRS[t.type])
        elif t.type in _PAIRS.values() and (not stack or stack.pop() != t.type):
            raise ValueError("markup reordered: emphasis or link closed before it opened")
    if stack:
        raise ValueError("markup reordered: emphasis or link left open")


class MarkdownDocument(Document):
    def __init__(self, text: str, path: Path, keys: tuple[str, ...]) -> None:
        self.mdit = _parser()
        self.env: dict[str, Any] = {}
        try:
            self.tokens: list[Token] = self.mdit.parse(text, self.env)
        except Exception as exc:  # markdown-it accepts any text; a plugin (front matter) may not
            raise DocumentError(f"{path}: cannot parse Markdown ({exc})") from None
        self.units: list[Unit] = []
        self.inlines: dict[int, _Inline] = {}
        self.attrs: dict[str, tuple[int, int, str]] = {}
        self.front: dict[str, str] = {}
        self.blocks: dict[int, HtmlDocument] = {}
        for n, token in enumerate(self.tokens):
            if token.type == "front_matter":
                self._front_matter(token.content, path, keys)
            elif token.type == "inline" and token.children:
                self._inline(n, token.children)
            elif token.type == "html_block" and re.search(r"<[A-Za-z]", token.content):
                self._html_block(n, token.content, path)
        neighbours(self.units)

    def _front_matter(self, content: str, path: Path, keys: tuple[str, ...]) -> None:
        try:
            data = yaml.safe_load(content) or {}
        except yaml.YAMLError as exc:
            raise DocumentError(f"{path}: front matter is not YAML ({exc})".replace("\n", " ")) from None
        if not isinstance(data, dict):
            return
        for key in keys:
            value = data.get(key)
            on_one_line = re.search(rf"(?m)^{re.escape(key)}:[^\n]*$", content)
            if isinstance(value, str) and value.strip() and on_one_line:
                self.front[key] = value
                self.units.append(Unit(f"fm.{key}", value, {"front_matter": key}))

    def _html_block(self, n: int, content: str, path: Path) -> None:
        """Raw HTML between paragraphs: its text and alt/title attributes, as in an HTML file."""
        try:
            block = HtmlDocument(content, path)
        except DocumentError:
            return  # markdown-it took it as HTML; if lxml cannot, it stays as it is
        self.blocks[n] = block
        self.units += [Unit(f"h{n}.{u.id}", u.text, u.context) for u in block.units]

    def _inline(self, n: int, children: list[Token]) -> None:
        inline = _Inline(children)
        if inline.text.strip() and re.search(r"\w", re.sub(r"\{\{t\d+\}\}", "", inline.text)):
            self.inlines[n] = inline
            self.units.append(Unit(f"b{n}", inline.text))
        for k, child in enumerate(children):
            child.meta["tolk_child"] = k  # copies keep it: how render finds this image or link again
            for attr in ("alt", "title"):
                value = child.content if (attr == "alt" and child.type == "image") else None
                if attr == "title":
                    title = child.attrs.get("title") if child.type in ("image", "link_open") else None
                    value = title if isinstance(title, str) else None
                if isinstance(value, str) and value.strip():
                    uid = f"b{n}.{k}.{attr}"
                    self.attrs[uid] = (n, k, attr)
                    self.units.append(Unit(uid, value, {"attribute": attr}))

    def render(self, translated: dict[str, str], target: str) -> bytes:
        tokens = copy.deepcopy(self.tokens)
        for n, inline in self.inlines.items():
            text = translated.get(f"b{n}")
            if text is not None:
                try:
                    tokens[n].children = inline.children(text)
                except ValueError as exc:
                    self.keep(f"b{n}", str(exc))
        for uid, (n, k, attr) in self.attrs.items():
            text = translated.get(uid)
            if text is None:
                continue
            child = next((c for c in tokens[n].children or [] if c.meta.get("tolk_child") == k), None)
            if child is None:
                continue
            if attr == "alt":
                child.content, child.children = text, [Token("text", "", 0, content=text)]
            else:
                child.attrs["title"] = text
        for n, block in self.blocks.items():
            mine = {k.removeprefix(f"h{n}."): v for k, v in translated.items() if k.startswith(f"h{n}.")}
            if mine:
                block.problems = {}
                html = block.render(mine, target).decode("utf-8")
                tokens[n].content = html if html.endswith("\n") else html + "\n"
                for uid, why in block.problems.items():
                    self.keep(f"h{n}.{uid}", why)
        for t in tokens:
            if t.type == "front_matter":
                t.content = _front_matter(t.content, self.front, translated)
        out: str = self.mdit.renderer.render(tokens, self.mdit.options, copy.deepcopy(self.env))
        return out.encode("utf-8")


def _front_matter(content: str, keys: dict[str, str], translated: dict[str, str]) -> str:
    for key in keys:
        text = translated.get(f"fm.{key}")
        if text is not None:
            value = yaml.safe_dump(text, allow_unicode=True, default_style=None, width=10_000).strip()
            value = value.removesuffix("\n...").removesuffix("...").strip()
            line = f"{key}: {value}".replace("\\", "\\\\")  # a replacement string: its backslashes escaped
            content = re.sub(rf"(?m)^{re.escape(key)}:[^\n]*$", line, content, count=1)
    return content


class Markdown(Format):
    name = "markdown"
    suffixes = (".md", ".markdown")
    example = (
        b"---\ntitle: Getting started\nlayout: docs\n---\n\n# Your first product\n\n"
        b"Run `shop new` and open [the dashboard](https://example.com).\n\n- Add a photo\n- Set a price\n\n"
        b"```bash\nshop new\n```\n"
    )
    bad_example = b"# Caf\xe9 latte\n"  # Latin-1, not UTF-8

    def __init__(self, keys: tuple[str, ...] = FRONT_MATTER_KEYS) -> None:
        self.keys = keys

    @classmethod
    def configured(cls, options: Options) -> Format:
        return cls(options.front_matter_keys or FRONT_MATTER_KEYS)

    def parse(self, data: bytes, path: Path, source: str) -> Document:
        return MarkdownDocument(decode(data, path), path, self.keys)
