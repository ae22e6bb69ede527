"""Product catalogs in (JSONL, CSV, TSV) and translations out (JSONL, CSV), streamed.

Reading never holds the file in memory: rows are yielded one by one, and the duplicate-id check keeps its
index in a temporary SQLite file, so memory stays flat on a million rows.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar, Protocol

from tolk import plugins
from tolk.core import InputError, digest, unstorable

# One row's bytes, at most: a product row is kilobytes (50,000-character fields fit several times over);
# a 50 MB line would be held, stored and scanned many times, and overflows a MySQL packet (16 MB).
MAX_ROW_BYTES = 4 * 1024 * 1024
CSV_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = (
    *("id", "field", "lang", "source", "text", "grade"),
    *("status", "score", "failed", "approved_by", "engine", "model"),
)


@dataclass(slots=True)
class Row:
    line: int
    id: str
    data: dict[str, Any]


@dataclass(slots=True)
class BadRow:
    line: int
    reason: str


@dataclass(slots=True)
class Scan:
    """What a validation pass found: good rows counted, bad ones listed."""

    path: Path
    rows: int = 0
    bad: list[BadRow] = field(default_factory=list)
    repeats: set[int] = field(default_factory=set)  # lines repeating an earlier row exactly

    @property
    def skip_lines(self) -> set[int]:
        """Lines the translation pass leaves out: bad rows and exact repeats."""
        return {b.line for b in self.bad} | self.repeats


class CatalogFormat(Protocol):
    """A catalog file format: the suffixes it claims, and its rows (or why each is bad) with their line
    numbers. `example` is a small catalog in the format whose data rows are good except the one on
    line `example_bad_line`: the contract test (generated from the registry) reads it."""

    suffixes: ClassVar[tuple[str, ...]]
    example: ClassVar[bytes]
    example_bad_line: ClassVar[int]

    def rows(self, fh: IO[bytes]) -> Iterator[Row | BadRow]: ...


class JsonLines:
    suffixes = (".jsonl", ".ndjson", ".json")
    example = b'{"id": "a", "name": "Red shoe"}\n{"name": "no id"}\n{"id": "b", "name": "Blue hat"}\n'
    example_bad_line = 2

    def rows(self, fh: IO[bytes]) -> Iterator[Row | BadRow]:
        return _read_jsonl(fh)


class CommaSeparated:
    suffixes: ClassVar[tuple[str, ...]] = (".csv",)
    delimiter = ","
    example = b'id,name\na,Red shoe\nb,"Blue ""hat"""\n,no id\n'
    example_bad_line = 4

    def rows(self, fh: IO[bytes]) -> Iterator[Row | BadRow]:
        return _read_csv(fh, self.delimiter)


class TabSeparated(CommaSeparated):
    suffixes = (".tsv",)
    delimiter = "\t"
    example = b"id\tname\na\tRed shoe\nb\tBlue hat\nc\n"


def formats() -> dict[str, type[CatalogFormat]]:
    """Every catalog format by name: tolk's own and installed plugins' (tolk.plugins)."""
    return {
        name: plugins.load(plugins.CATALOG_FORMATS, name)
        for name in plugins.available(plugins.CATALOG_FORMATS)
    }


def catalog_format(path: Path) -> str:
    suffix = path.suffix.lower()
    known = formats()
    for name, cls in known.items():
        if suffix in cls.suffixes:
            return name
    claimed = ", ".join(s for cls in known.values() for s in cls.suffixes)
    raise InputError(f"{path}: unknown catalog format {suffix or '(no extension)'} (use {claimed})")


def read(path: Path) -> Iterator[Row | BadRow]:
    """Every data row of the catalog, or the reason it is bad, with its line number."""
    kind = formats()[catalog_format(path)]
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    with fh:
        yield from kind().rows(fh)


def _row(line: int, data: Any) -> Row | BadRow:
    if not isinstance(data, dict):
        return BadRow(line, f"expected a JSON object, got {type(data).__name__}")
    if (why := unstorable(data)) is not None:
        return BadRow(line, why)
    raw_id = data.get("id")
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
        return BadRow(line, "missing id")
    if not isinstance(raw_id, str | int) or isinstance(raw_id, bool):
        return BadRow(line, f"id must be a string or integer, got {type(raw_id).__name__}")
    item_id = str(raw_id).strip()
    if len(item_id) > 191:
        return BadRow(line, "id longer than 191 characters")
    return Row(line, item_id, data)


def _read_jsonl(fh: IO[bytes]) -> Iterator[Row | BadRow]:
    for n, raw in enumerate(fh, 1):
        if len(raw) > MAX_ROW_BYTES:
            yield BadRow(n, f"a row of {len(raw):,} bytes, over the limit of {MAX_ROW_BYTES:,} for one row")
            continue
        try:
            text = raw.decode("utf-8-sig" if n == 1 else "utf-8")  # a byte-order mark may open the file
        except UnicodeDecodeError as exc:
            yield BadRow(n, f"invalid UTF-8 at byte {exc.start}")
            continue
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield BadRow(n, f"bad JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield BadRow(n, "JSON nested too deeply")
            continue
        yield _row(n, data)


class _Lines:
    """Decoded lines for csv.reader, remembering where a UTF-8 error happened."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh, self.line, self.error = fh, 0, ""

    def __iter__(self) -> Iterator[str]:
        for raw in self.fh:
            self.line += 1
            try:
                yield raw.decode("utf-8-sig" if self.line == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                self.error = f"invalid UTF-8 at byte {exc.start}"
                yield "\0BAD\0\n"


def _read_csv(fh: IO[bytes], delimiter: str) -> Iterator[Row | BadRow]:
    lines = _Lines(fh)
    # strict: a stray quote is an error, not text; a quote left open is found at the end of the file
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield BadRow(1, f"bad CSV header: {exc}")
        return
    header = [h.strip() for h in header]
    if "id" not in header:
        yield BadRow(1, "header has no 'id' column")
        return
    while True:
        start = lines.line + 1  # a record may span lines (a quoted cell with line breaks)
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):  # every row after it was read into one cell
                yield BadRow(start, "unclosed quote: the quoted cell runs to the end of the file")
                return
            yield BadRow(start, f"bad CSV: {exc}")
            continue
        if lines.error:
            yield BadRow(lines.line, lines.error)
            lines.error = ""
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            yield BadRow(lines.line, f"{len(values)} cells, header has {len(header)}")
            continue
        yield _row(lines.line, dict(zip(header, values, strict=True)))


@contextmanager
def _id_index() -> Iterator[sqlite3.Connection]:
    with tempfile.TemporaryDirectory(prefix="tolk-ids-") as tmp:
        db = sqlite3.connect(os.path.join(tmp, "ids.db"))
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("CREATE TABLE ids (id TEXT PRIMARY KEY, h TEXT, line INTEGER)")
        try:
            yield db
        finally:
            db.close()


def scan(path: Path, *, skip_bad: bool, check: Callable[[Row], str | None] | None = None) -> Scan:
    """Validate the whole catalog before anything is written.

    Without `skip_bad` the first bad row raises `FILE:LINE: reason`. A repeated id with identical content
    is a harmless repeat; with different content it is an error. `check` adds the caller's own rules
    (it returns the reason a row is bad, or None).
    """
    result = Scan(path)
    with _id_index() as ids:
        for row in read(path):
            if isinstance(row, Row) and check is not None and (reason := check(row)):
                row = BadRow(row.line, reason)
            if isinstance(row, Row):
                h = digest(row.data)
                seen = ids.execute("SELECT h, line FROM ids WHERE id = ?", (row.id,)).fetchone()
                if seen is None:
                    ids.execute("INSERT INTO ids VALUES (?, ?, ?)", (row.id, h, row.line))
                    result.rows += 1
                    continue
                if seen[0] == h:
                    result.repeats.add(row.line)
                    continue
                row = BadRow(
                    row.line, f"duplicate id {row.id!r} with different content (first at line {seen[1]})"
                )
            if not skip_bad:
                raise InputError(f"{path}:{row.line}: {row.reason}")
            result.bad.append(row)
    return result


# --- export ---------------------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    """A list (failed checks) as one CSV cell: `numbers;glossary`."""
    return ";".join(map(str, value)) if isinstance(value, list) else value


def neutralise(cell: Any) -> Any:
    """Keep spreadsheet apps from running a cell as a formula (CSV injection)."""
    if isinstance(cell, str) and cell.startswith(CSV_DANGEROUS):
        return "'" + cell
    return cell


def write_export(records: Iterable[dict[str, Any]], out: IO[str], fmt: str) -> int:
    count = 0
    if fmt == "jsonl":
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            count += 1
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for rec in records:
            writer.writerow({k: neutralise(_cell(rec.get(k))) for k in EXPORT_COLUMNS})
            count += 1
    else:
        raise InputError(f"--format: unknown export format {fmt!r} (use jsonl or csv)")
    return count


@contextmanager
def _replacing(path: Path, mode: str) -> Iterator[IO[Any]]:
    """A temp file beside `path`, renamed over it on success: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        text = "b" not in mode
        with os.fdopen(fd, mode, encoding="utf-8" if text else None, newline="" if text else None) as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_output(path: Path) -> Iterator[IO[str]]:
    """Text written to `path` whole or not at all."""
    with _replacing(path, "w") as fh:
        yield fh


def write_atomic(path: Path, data: bytes) -> None:
    """`data` in `path`, whole or not at all."""
    with _replacing(path, "wb") as fh:
        fh.write(data)
