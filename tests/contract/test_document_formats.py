"""One contract every document format passes, generated from the registry (tolk.plugins and the
`tolk.document_formats` entry points): a format a plugin adds is in it the moment it is installed.

Each format's own `example` parses into units, renders back unchanged without translations, carries
every translation into its output (which parses again), keeps the masks of what is not text, and its
`bad_example` is refused with a DocumentError that names the file. tests/test_documents.py runs tolk's
own formats over real-looking files, end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from tolk import documents
from tolk.documents.base import MASK_RE

FORMATS = {fmt.name: fmt for fmt in documents.formats()}
MARK = "ZQX "  # what the stand-in translation puts before each unit's text


def _path(name: str) -> Path:
    return Path(f"example{FORMATS[name].suffixes[0]}")


def test_every_registered_format_is_built_and_claims_its_own_suffixes() -> None:
    assert list(FORMATS) == list(documents.registered())
    claimed = [s for fmt in FORMATS.values() for s in fmt.suffixes]
    assert len(claimed) == len(set(claimed)), claimed


@pytest.mark.parametrize("name", list(FORMATS))
def test_the_example_parses_into_units(name: str) -> None:
    fmt = FORMATS[name]
    assert fmt.suffixes and all(s.startswith(".") and s == s.lower() for s in fmt.suffixes)
    assert documents.format_for(_path(name), list(FORMATS.values())) is fmt
    units = fmt.parse(fmt.example, _path(name), "en").units
    assert units and all(u.text.strip() for u in units)
    assert len({u.id for u in units}) == len(units)


@pytest.mark.parametrize("name", list(FORMATS))
def test_without_translations_it_renders_the_same_text(name: str) -> None:
    fmt = FORMATS[name]
    before = [u.text for u in fmt.parse(fmt.example, _path(name), "en").units]
    out = fmt.parse(fmt.example, _path(name), "en").render({}, "en")
    assert [u.text for u in fmt.parse(out, _path(name), "en").units] == before


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_translation_reaches_the_output_with_its_masks(name: str) -> None:
    fmt = FORMATS[name]
    doc = fmt.parse(fmt.example, _path(name), "en")
    translated = {u.id: MARK + u.text for u in doc.units}
    out = doc.render(translated, "es")
    text = out.decode("utf-8")
    assert text.count(MARK.strip()) >= len(doc.units), text
    assert not MASK_RE.search(text), "a mask left in the output"
    fmt.parse(out, _path(name), "es")  # what it writes, it reads


@pytest.mark.parametrize("name", list(FORMATS))
def test_the_bad_example_is_refused_naming_the_file(name: str) -> None:
    fmt = FORMATS[name]
    with pytest.raises(documents.DocumentError, match=rf"^{_path(name)}\b"):
        fmt.parse(fmt.bad_example, _path(name), "en")
