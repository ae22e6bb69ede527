"""Documents and i18n files: one module per format behind one protocol (`base.Format`).

Adding a format is a module with a `Format` subclass and its name in tolk.plugins (or an entry point in
another package's `tolk.document_formats` group); the contract test in
tests/contract/test_document_formats.py runs every registered format, and the round-trip and property
tests in tests/test_documents.py run tolk's own over real-looking files.
"""

from __future__ import annotations

from pathlib import Path

from tolk import plugins
from tolk.documents.base import Document, DocumentError, Format, Options, Unit
from tolk.documents.markdown import FRONT_MATTER_KEYS

__all__ = ["Document", "DocumentError", "Format", "Options", "Unit", "format_for", "formats", "registered"]


def registered() -> dict[str, type[Format]]:
    """Every document format by name: tolk's own, then those of installed plugins."""
    return plugins.registered(plugins.DOCUMENT_FORMATS, Format, lambda cls: cls.name)


def formats(
    front_matter_keys: tuple[str, ...] = FRONT_MATTER_KEYS, retranslate: bool = False
) -> list[Format]:
    options = Options(front_matter_keys, retranslate)
    return [cls.configured(options) for cls in registered().values()]


def format_for(path: Path, known: list[Format]) -> Format:
    suffix = path.suffix.lower()
    for fmt in known:
        if suffix in fmt.suffixes:
            return fmt
    names = ", ".join(s for f in known for s in f.suffixes)
    raise DocumentError(f"{path}: unsupported format {suffix or '(no suffix)'!r} (tolk reads {names})")
