"""The document-format protocol: parse a file into units, render it back with their translations.

A unit is one piece a person would translate as a whole — a paragraph, a heading, a table cell, a
resource value, a PO message — with the context around it (the neighbouring paragraphs, its key, its
note). What is not text (code, URLs, link targets, markup, placeholders) is either outside every unit or
masked inside one as `{{tN}}`, a placeholder every engine keeps; `Masks.restore` puts it back and fails
the unit when the engine lost or repeated one.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from babel import Locale, UnknownLocaleError

from tolk.core import InputError

MASK_RE = re.compile(r"\{\{t(\d+)\}\}")


class DocumentError(InputError):
    """A file tolk cannot read as its format: `FILE: reason` (line where known)."""


@dataclass
class Unit:
    id: str
    text: str  # what the engine sees, masks included
    context: dict[str, str] = field(default_factory=dict)


@dataclass
class Masks:
    """Spans an engine must not touch, in the order they appear: `{{t0}}`, `{{t1}}`, …"""

    kept: list[object] = field(default_factory=list)

    def add(self, value: object) -> str:
        self.kept.append(value)
        return f"{{{{t{len(self.kept) - 1}}}}}"

    def split(self, text: str) -> list[str | object]:
        """The translated text as pieces: strings, and the kept objects where their masks were."""
        seen: set[int] = set()
        out: list[str | object] = []
        pos = 0
        for m in MASK_RE.finditer(text):
            n = int(m.group(1))
            if n >= len(self.kept) or n in seen:
                raise ValueError(
                    f"markup token {m.group(0)} {'invented' if n >= len(self.kept) else 'repeated'}"
                )
            seen.add(n)
            out += [text[pos : m.start()], self.kept[n]]
            pos = m.end()
        out.append(text[pos:])
        if len(seen) != len(self.kept):
            raise ValueError(f"markup lost: {len(self.kept) - len(seen)} of {len(self.kept)} tokens missing")
        return [p for p in out if p != ""]

    def restore(self, text: str, show: Callable[[object], str] = str) -> str:
        return "".join(p if isinstance(p, str) else show(p) for p in self.split(text))


class Document(abc.ABC):
    units: list[Unit]
    failed_units: tuple[str, ...] = ()  # set before render: units whose translation failed the gate
    problems: dict[str, str]  # filled by render: units it had to leave in the source, and why

    def keep(self, uid: str, why: str) -> None:
        """Leave a unit in its source language (its translation broke the markup) and say why."""
        if not hasattr(self, "problems"):
            self.problems = {}
        self.problems[uid] = why

    @abc.abstractmethod
    def render(self, translated: dict[str, str], target: str) -> bytes:
        """The file in `target`: units with a translation take it, the others keep their source."""


@dataclass(frozen=True)
class Options:
    """What `tolk docs translate` tells every format; each takes what concerns it."""

    front_matter_keys: tuple[str, ...] | None = None  # Markdown front matter to translate (None: its own)
    retranslate: bool = False  # PO / XLIFF: translate units that already have a translation too


class Format(abc.ABC):
    """A document format: a class named in tolk.plugins (or in a plugin's `tolk.document_formats` entry
    points). `example` and `bad_example` are what the contract test (tests/contract/test_document_formats.py)
    holds every format to: the first translates and renders back, the second is refused naming the file."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]
    example: ClassVar[bytes]  # a small file of this format, with text to translate
    bad_example: ClassVar[bytes]  # a file it must refuse with a DocumentError

    @classmethod
    def configured(cls, options: Options) -> Format:
        """This format as the run's options ask (most have none)."""
        return cls()

    @abc.abstractmethod
    def parse(self, data: bytes, path: Path, source: str) -> Document:
        """Raise DocumentError for what cannot be read."""


def decode(data: bytes, path: Path) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DocumentError(
            f"{path}:{line}: not UTF-8 (byte {data[exc.start]:#x}); convert it first"
        ) from None
    return text.removeprefix("\ufeff")


def neighbours(units: list[Unit], width: int = 300) -> None:
    """Give each unit the text before and after it, trimmed, as context (the seed's context units)."""
    for i, unit in enumerate(units):
        if i > 0:
            unit.context.setdefault("previous", units[i - 1].text[-width:])
        if i + 1 < len(units):
            unit.context.setdefault("next", units[i + 1].text[:width])


def cldr(lang: str) -> Locale | None:
    """Babel's locale for a tolk language tag (zh-CN → zh_CN), or None where CLDR has none."""
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None
