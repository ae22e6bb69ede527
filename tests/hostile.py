"""The project's own hostile catalog: every kind of bad row a real export has produced, and good rows
among them that must still be written."""

from __future__ import annotations

import json

HOSTILE_ROWS: list[tuple[bytes, str | None]] = [  # (a JSONL line, the reason it is bad or None: good)
    (b'{"id": "bom", "name": "Red shoe"}\r\n', None),  # after the file's byte-order mark, CRLF
    (b'{"id": "nul", "name": "a \\u0000 b"}\n', "name: a NUL character"),
    (b'{"id": "half", "name": "a \\ud800 b"}\n', "name: a lone surrogate"),
    (b'{"id": "ctl", "name": "raw \x1b escape"}\n', "bad JSON: Invalid control character"),
    (b'{"id": "esc", "name": "escaped \\u001b control"}\n', None),
    (b"[" * 50_000 + b"]" * 50_000 + b"\n", "JSON nested too deeply"),
    (
        b'{"id": "deep", "name": "Hat", "extra": ' + b"[" * 5_000 + b"]" * 5_000 + b"}\n",
        "JSON nested too deeply",
    ),
    (
        json.dumps({"id": "wide", "name": "Scarf", **{f"attr{i}": i for i in range(10_000)}}).encode()
        + b"\n",
        None,
    ),
    (b'{"id": "utf", "name": "\xff\xfe broken"}\n', "invalid UTF-8"),
    (b'{"id": "big", "name": "' + b"x" * 50_000_000 + b'"}\n', "over the limit of 4,194,304 for one row"),
    (
        json.dumps({"id": "long", "name": "Soft cotton. " * 4_000}).encode() + b"\n",
        "name: 52,000 characters, over the engine's limit of 50,000",
    ),
    (b'{"id": "last", "name": "Blue hat"}', None),  # no newline at the end
]


def hostile_catalog(big_line: int = 50_000_000) -> bytes:
    """The rows as one JSONL file, opened by a byte-order mark; `big_line`: the size of the big row's
    text (an upload limit may refuse the 50 MB file as a whole before its rows are read)."""
    lines = [line for line, _ in HOSTILE_ROWS]
    big = next(i for i, line in enumerate(lines) if line.startswith(b'{"id": "big"'))
    lines[big] = b'{"id": "big", "name": "' + b"x" * big_line + b'"}\n'
    return b"\xef\xbb\xbf" + b"".join(lines)


GOOD_IDS = ["bom", "esc", "last", "wide"]
