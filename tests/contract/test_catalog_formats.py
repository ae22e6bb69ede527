"""One contract every catalog format passes, generated from the registry (tolk.plugins): a format a
plugin adds is in it the moment it is installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tolk.core import InputError
from tolk.formats import catalog

FORMATS = catalog.formats()


@pytest.mark.parametrize("name", list(FORMATS))
def test_the_example_reads_good_rows_and_names_the_bad_line(name: str, tmp_path: Path) -> None:
    fmt = FORMATS[name]
    assert fmt.suffixes and all(s.startswith(".") and s == s.lower() for s in fmt.suffixes)
    path = tmp_path / f"catalog{fmt.suffixes[0]}"
    path.write_bytes(fmt.example)
    assert catalog.catalog_format(path) == name
    rows = list(catalog.read(path))
    bad = [r for r in rows if isinstance(r, catalog.BadRow)]
    good = [r for r in rows if isinstance(r, catalog.Row)]
    assert [b.line for b in bad] == [fmt.example_bad_line] and bad[0].reason
    assert good and all(r.id and r.line != fmt.example_bad_line for r in good)
    scan = catalog.scan(path, skip_bad=True)
    assert scan.rows == len(good) and [b.line for b in scan.bad] == [fmt.example_bad_line]
    with pytest.raises(InputError, match=rf"^{path}:{fmt.example_bad_line}: "):
        catalog.scan(path, skip_bad=False)


def test_each_suffix_belongs_to_one_format() -> None:
    claimed = [s for fmt in FORMATS.values() for s in fmt.suffixes]
    assert len(claimed) == len(set(claimed)), claimed


def test_an_unknown_suffix_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"unknown catalog format \.xml \(use \.jsonl, .*\.csv, \.tsv\)"):
        catalog.catalog_format(tmp_path / "catalog.xml")
