"""The audit log: who asked for, wrote, changed, approved, exported or read which translation.

Rows hold hashes, never text (sha256 of the source, of the text before and after), so the log itself
leaks nothing it records. Rows are appended in the same transaction as the change they describe; the
database refuses to update or delete them (migration 0007_audit). `tolk audit export` writes JSONL.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tolk.store.models import AuditEntry, now
from tolk.store.repo import Store

ACTIONS = ("translate_request", "machine_write", "edit", "approve", "send_back", "export", "data_access",
           "job")  # fmt: skip


def sha256(text: str | None) -> str | None:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text is not None else None


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli:unknown"


@dataclass(frozen=True)
class Entry:
    actor: str
    action: str
    item_id: str | None = None
    field: str | None = None
    lang: str | None = None
    source_sha256: str | None = None
    engine: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    before_sha256: str | None = None
    after_sha256: str | None = None
    detail: str | None = None


def record(session: Session, *entries: Entry) -> None:
    """Append entries in the caller's transaction, in one statement (Core, not the ORM's bulk path)."""
    if entries:
        stamp = now()
        session.connection().execute(insert(AuditEntry), [_row(e, stamp) for e in entries])


def append(store: Store, *entries: Entry) -> None:
    """In a transaction of its own (reads and requests that change nothing else)."""
    with store.transaction() as session:
        record(session, *entries)


def _row(e: Entry, stamp: datetime) -> dict[str, object]:
    row = dict(e.__dict__)
    row["actor"], row["detail"] = e.actor[:128], (e.detail or None) and e.detail[:255]
    return row | {"at": stamp}


COLUMNS = ("id", "at", "actor", "action", "item_id", "field", "lang", "source_sha256", "engine", "model",
           "prompt_version", "before_sha256", "after_sha256", "detail")  # fmt: skip


def entries(store: Store, since: datetime | None = None) -> Iterator[dict[str, object]]:
    stmt = select(*(getattr(AuditEntry, c) for c in COLUMNS)).order_by(AuditEntry.id)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    with store.sessions() as session:
        for row in session.execute(stmt.execution_options(yield_per=1000)):
            out = dict(zip(COLUMNS, row, strict=True))
            out["at"] = row[1].isoformat() + "Z"
            yield {k: v for k, v in out.items() if v is not None}


def export_jsonl(store: Store, out: IO[str], since: datetime | None = None) -> int:
    n = 0
    for entry in entries(store, since):
        out.write(json.dumps(entry, ensure_ascii=False, sort_keys=False) + "\n")
        n += 1
    return n
