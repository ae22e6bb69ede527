"""The embedded bus: no server, one SQLite file, for one machine (the default).

Queues are rows; a fetch leases ready rows with one UPDATE … RETURNING, so several worker processes on
the same machine can share a queue. Delayed messages are rows with a later `available_at`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from tolk.bus.base import Bus, Delivery, matches
from tolk.events import Envelope

SCHEMA = """
CREATE TABLE IF NOT EXISTS bus_bindings (
    queue TEXT NOT NULL, pattern TEXT NOT NULL, PRIMARY KEY (queue, pattern)
);
CREATE TABLE IF NOT EXISTS bus_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    envelope TEXT NOT NULL,
    available_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    dead_reason TEXT
);
CREATE INDEX IF NOT EXISTS ix_bus_ready ON bus_messages (queue, dead_reason, available_at);
"""


class EmbeddedBus(Bus):
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    @classmethod
    def from_url(cls, url: str) -> EmbeddedBus:
        return cls(url.removeprefix("sqlite:///"))

    async def declare(self, queue: str, patterns: Sequence[str]) -> None:
        self._db.executemany(
            "INSERT OR IGNORE INTO bus_bindings VALUES (?, ?)", [(queue, p) for p in patterns]
        )

    async def publish(self, envelope: Envelope, *, delay_s: float = 0.0) -> None:
        bindings = self._db.execute("SELECT queue, pattern FROM bus_bindings").fetchall()
        queues = sorted({q for q, p in bindings if matches(envelope.type, [p])})
        due, body = time.time() + delay_s, envelope.to_json()
        with self._db:  # one transaction: every bound queue gets it, or none does
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT INTO bus_messages (queue, envelope, available_at) VALUES (?, ?, ?)",
                [(q, body, due) for q in queues],
            )

    async def fetch(self, queue: str, *, limit: int = 10, visibility_s: float = 30.0) -> list[Delivery]:
        now = time.time()
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            rows = self._db.execute(
                """UPDATE bus_messages SET attempts = attempts + 1, available_at = ?
                   WHERE id IN (SELECT id FROM bus_messages WHERE queue = ? AND dead_reason IS NULL
                                AND available_at <= ? ORDER BY available_at, id LIMIT ?)
                   RETURNING id, envelope, attempts""",
                (now + visibility_s, queue, now, limit),
            ).fetchall()
        out = []
        for row_id, body, attempts in sorted(rows):
            delivery = Delivery(str(row_id), queue, Envelope.model_validate_json(body), attempts)
            if attempts > self.max_deliveries:
                await self.dead_letter(delivery, f"delivered {attempts - 1} times without an ack")
                continue
            out.append(delivery)
        return out

    async def ack(self, delivery: Delivery) -> None:
        self._db.execute("DELETE FROM bus_messages WHERE id = ?", (int(delivery.tag),))

    async def retry(self, delivery: Delivery, *, after_s: float, reason: str) -> None:
        self._db.execute(
            "UPDATE bus_messages SET available_at = ? WHERE id = ?",
            (time.time() + after_s, int(delivery.tag)),
        )

    async def dead_letter(self, delivery: Delivery, reason: str) -> None:
        self._db.execute("UPDATE bus_messages SET dead_reason = ? WHERE id = ?", (reason, int(delivery.tag)))

    async def dead_letters(self, queue: str) -> list[tuple[Envelope, str]]:
        rows = self._db.execute(
            "SELECT envelope, dead_reason FROM bus_messages"
            " WHERE queue = ? AND dead_reason IS NOT NULL ORDER BY id",
            (queue,),
        ).fetchall()
        return [(Envelope.model_validate_json(body), reason) for body, reason in rows]

    async def close(self) -> None:
        self._db.close()
