"""Fuzzing the file parsers (hypothesis, bounded): catalogs (JSONL, CSV, TSV), glossaries, TMX, the
config and the agent registry. Whatever the bytes, a parser either reads them or says why in one line
(a TolkError naming the file); it never raises anything else.

The inputs mix what breaks parsers in the field: NUL, lone surrogates (as JSON escapes), byte-order
marks, CRLF, stray and unclosed quotes, control characters, deep nesting, long lines, odd encodings.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tolk import config, glossary, memory
from tolk.agent import registry
from tolk.core import TolkError
from tolk.formats import catalog

HOSTILE = [
    "\x00", "\ufeff", "\r\n", "\r", '"', '""', "'", "\\ud800", "\\udfff", "\x1b", "\x0b", "\u2028", "{", "}",
    "[", "]", ",", "\t", "\\", "<", ">", "&", "]]>", "<!ENTITY x SYSTEM 'file:///etc/passwd'>", "&x;",
    "id", "name", "lang", "source", "target", "=", "[engines.x]", "kind", "agents:", "- name:", "é", "한국어",
    "\U0001f600", "%s", "{0}", "<seg>", "<tu>", "<tuv xml:lang='en'>", "<tmx version='1.4'>", "<header/>",
]  # fmt: skip
pieces = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20))
texts = st.lists(pieces, max_size=40).map("".join)
blobs = st.one_of(
    texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
    texts.map(lambda t: t.encode("utf-16")),
    st.binary(max_size=300),
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reads(name: str, parse: Callable[[Path], Any]) -> Callable[[bytes], None]:
    def check(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            try:
                parse(path)
            except TolkError as exc:
                message = str(exc)
                assert "\n" not in message.strip() and message, message
                assert name in message or "environment" in message, message  # names the file

    return check


def _catalog(path: Path) -> None:
    scan = catalog.scan(path, skip_bad=True)
    assert all(isinstance(b.line, int) and b.line >= 1 and b.reason for b in scan.bad)
    for row in catalog.read(path):
        if isinstance(row, catalog.Row):
            str(row.data).encode("utf-8")  # whatever was read can be stored


PARSERS: dict[str, Callable[[bytes], None]] = {
    "catalog.jsonl": reads("catalog.jsonl", _catalog),
    "catalog.csv": reads("catalog.csv", _catalog),
    "catalog.tsv": reads("catalog.tsv", _catalog),
    "glossary.csv": reads("glossary.csv", glossary.load),
    "memory.tmx": reads("memory.tmx", lambda p: list(memory.read_tmx(p))),
    "tolk.toml": reads("tolk.toml", config.load),
    "agents.yaml": reads("agents.yaml", lambda p: registry.load(p)),
}


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_any_bytes_are_read_or_refused_in_one_line(name: str) -> None:
    check = PARSERS[name]
    FUZZ(given(blobs)(check))()


@pytest.mark.parametrize("name", ["catalog.jsonl", "catalog.csv"])
def test_hostile_rows_among_good_ones_are_named_and_the_good_ones_read(name: str) -> None:
    """One hostile cell per row between good rows: every good row is read, every bad one named."""

    @FUZZ
    @given(st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=5))
    def check(hostile: list[str]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            cell = "".join(hostile).replace("\n", " ")
            if name.endswith(".jsonl"):
                import json

                bad = json.dumps({"id": "bad", "name": cell}, ensure_ascii=False).replace("\\\\u", "\\u")
                lines = ['{"id": "a", "name": "Red shoe"}', bad, '{"id": "b", "name": "Blue hat"}']
            else:
                quoted = '"' + cell.replace('"', '""') + '"'
                lines = ["id,name", "a,Red shoe", f"bad,{quoted}", "b,Blue hat"]
            path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + b"\n")
            scan = catalog.scan(path, skip_bad=True)
            good = {
                r.id
                for r in catalog.read(path)
                if isinstance(r, catalog.Row) and r.line not in {b.line for b in scan.bad}
            }
            assert {"a", "b"} <= good

    check()
