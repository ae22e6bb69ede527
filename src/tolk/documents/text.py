"""Plain text: a paragraph (lines up to a blank line) is a unit; blank lines and line ends stay."""

from __future__ import annotations

import re
from pathlib import Path

from tolk.documents.base import Document, Format, Unit, decode, neighbours

_PARAGRAPHS = re.compile(r"(\n[ \t]*\n+)")


class TextDocument(Document):
    def __init__(self, parts: list[str]) -> None:
        self.parts = parts  # paragraphs at even indexes, separators at odd ones
        self.units = [Unit(str(i), p.strip()) for i, p in enumerate(parts) if i % 2 == 0 and p.strip()]
        neighbours(self.units)

    def render(self, translated: dict[str, str], target: str) -> bytes:
        out = []
        for i, part in enumerate(self.parts):
            text = translated.get(str(i)) if i % 2 == 0 else None
            if text is None:
                out.append(part)
            else:  # keep the paragraph's own leading and trailing whitespace
                lead, trail = part[: len(part) - len(part.lstrip())], part[len(part.rstrip()) :]
                out.append(lead + text + trail)
        return "".join(out).encode("utf-8")


class PlainText(Format):
    name = "text"
    suffixes = (".txt",)
    example = b"Welcome to the shop.\n\nOrders ship within two days.\n"
    bad_example = b"Caf\xe9\n"  # Latin-1, not UTF-8

    def parse(self, data: bytes, path: Path, source: str) -> Document:
        return TextDocument(_PARAGRAPHS.split(decode(data, path)))
