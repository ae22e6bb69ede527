"""Documents and i18n files: one module per format behind one protocol (`base.Format`).

Adding a format is a module with a `Format` subclass and a line in `formats()`; the round-trip and
property tests in tests/test_documents.py run over every format listed here.
"""

from __future__ import annotations

from pathlib import Path

from tolk.documents.base import Document, DocumentError, Format, Unit
from tolk.documents.bilingual import Gettext, Xliff
from tolk.documents.html import Html
from tolk.documents.markdown import FRONT_MATTER_KEYS, Markdown
from tolk.documents.resources import Json, Yaml
from tolk.documents.text import PlainText

__all__ = ["Document", "DocumentError", "Format", "Unit", "format_for", "formats"]


def formats(
    front_matter_keys: tuple[str, ...] = FRONT_MATTER_KEYS, retranslate: bool = False
) -> list[Format]:
    return [Markdown(front_matter_keys), Html(), Json(), Yaml(), Gettext(retranslate), Xliff(retranslate),
            PlainText()]  # fmt: skip


def format_for(path: Path, known: list[Format]) -> Format:
    suffix = path.suffix.lower()
    for fmt in known:
        if suffix in fmt.suffixes:
            return fmt
    names = ", ".join(s for f in known for s in f.suffixes)
    raise DocumentError(f"{path}: unsupported format {suffix or '(no suffix)'!r} (tolk reads {names})")
