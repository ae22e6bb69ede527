"""The embedded bus: no server, one SQLite file, for one machine (the default).

Queues are rows; a fetch leases ready rows with one UPDATE … RETURNING, so several worker processes on
the same machine can share a queue. A lease that runs out (the worker died) makes the row ready again.
Delayed messages and retries are rows with a later `available_at`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from tolk.bus.base import Bus, Delivery, Unroutable, check_pattern, matches, read_envelope
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
    deliveries INTEGER NOT NULL DEFAULT 0,  -- of this copy; a retry starts a new copy
    carried INTEGER NOT NULL DEFAULT 0,     -- deliveries of the copies before it
    dead_reason TEXT
);
CREATE INDEX IF NOT EXISTS ix_bus_ready ON bus_messages (queue, dead_reason, available_at);
CREATE TABLE IF NOT EXISTS bus_temporary (queue TEXT PRIMARY KEY, expires_at REAL NOT NULL);
"""
POLL_S = 0.05


class EmbeddedBus(Bus):
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.url, self.ns = f"sqlite:///{self.path}", ""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    @classmethod
    def from_url(cls, url: str) -> EmbeddedBus:
        return cls(url.removeprefix("sqlite:///"))

    async def declare(self, queue: str, patterns: Sequence[str], *, temporary: bool = False) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR IGNORE INTO bus_bindings VALUES (?, ?)",
                [(queue, check_pattern(p)) for p in patterns],
            )
            if temporary:
                self._db.execute(
                    "INSERT OR REPLACE INTO bus_temporary VALUES (?, ?)",
                    (queue, time.time() + self.temporary_ttl_s),
                )

    def _expire_temporary(self) -> None:
        """Queues of tails that were killed: their bindings and messages go (inside a transaction)."""
        gone = [
            q
            for (q,) in self._db.execute(
                "SELECT queue FROM bus_temporary WHERE expires_at < ?", (time.time(),)
            )
        ]
        for q in gone:
            for table in ("bus_bindings", "bus_messages", "bus_temporary"):
                self._db.execute(f"DELETE FROM {table} WHERE queue = ?", (q,))

    async def publish(self, envelope: Envelope, *, delay_s: float = 0.0, mandatory: bool = False) -> None:
        due, body = time.time() + delay_s, envelope.to_json()
        with self._db:  # one transaction: every bound queue gets it, or none does
            self._db.execute("BEGIN IMMEDIATE")
            self._expire_temporary()
            bindings = self._db.execute("SELECT queue, pattern FROM bus_bindings").fetchall()
            queues = sorted({q for q, p in bindings if matches(envelope.type, [p])})
            if mandatory and not queues:
                raise Unroutable(f"no queue is bound to receive {envelope.type} events")
            self._db.executemany(
                "INSERT INTO bus_messages (queue, envelope, available_at) VALUES (?, ?, ?)",
                [(q, body, due) for q in queues],
            )

    async def fetch(
        self, queue: str, *, limit: int = 10, visibility_s: float = 30.0, wait_s: float = 0.0
    ) -> list[Delivery]:
        deadline = time.monotonic() + wait_s
        while True:
            got = await self._lease(queue, limit, visibility_s)
            if got or time.monotonic() >= deadline:
                return got
            await asyncio.sleep(POLL_S)

    async def _lease(self, queue: str, limit: int, visibility_s: float) -> list[Delivery]:
        now = time.time()
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(  # a temporary queue lives while it is read
                "UPDATE bus_temporary SET expires_at = ? WHERE queue = ?", (now + self.temporary_ttl_s, queue)
            )
            rows = self._db.execute(
                """UPDATE bus_messages SET deliveries = deliveries + 1, available_at = ?
                   WHERE id IN (SELECT id FROM bus_messages WHERE queue = ? AND dead_reason IS NULL
                                AND available_at <= ? ORDER BY available_at, id LIMIT ?)
                   RETURNING id, envelope, deliveries, carried""",
                (now + visibility_s, queue, now, limit),
            ).fetchall()
        out = []
        for row_id, body, deliveries, carried in sorted(rows):
            delivery = Delivery(str(row_id), queue, read_envelope(body), deliveries + carried)
            if deliveries > self.max_deliveries:
                await self.dead_letter(delivery, f"delivered {deliveries - 1} times without an ack")
                continue
            out.append(delivery)
        return out

    async def ack(self, delivery: Delivery) -> None:
        self._db.execute("DELETE FROM bus_messages WHERE id = ?", (int(delivery.tag),))

    async def retry(self, delivery: Delivery, *, after_s: float, reason: str) -> None:
        self._db.execute(
            "UPDATE bus_messages SET available_at = ?, carried = carried + deliveries, deliveries = 0"
            " WHERE id = ?",
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
        return [(read_envelope(body), reason) for body, reason in rows]

    async def ping(self) -> None:
        self._db.execute("SELECT 1").fetchone()

    async def depth(self, queue: str) -> int:
        row = self._db.execute(
            "SELECT count(*) FROM bus_messages WHERE queue = ? AND dead_reason IS NULL", (queue,)
        ).fetchone()
        return int(row[0])

    async def delete(self, queue: str) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for table in ("bus_bindings", "bus_messages", "bus_temporary"):
                self._db.execute(f"DELETE FROM {table} WHERE queue = ?", (queue,))

    async def close(self) -> None:
        self._db.close()
