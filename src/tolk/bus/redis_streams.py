"""Redis Streams (redis-py): one stream per queue, one consumer group, acks after the database commit.

- Publishing adds the event to every bound queue's stream in one MULTI; the reply is the confirm
  (run Redis with `appendonly yes` so a confirmed event survives a restart: docs/deploy.md).
- A worker that dies leaves its entries pending; the next fetch anywhere claims those idle longer than
  the visibility timeout (XAUTOCLAIM). An entry delivered more than `max_deliveries` times goes to the
  queue's dead-letter stream with the reason.
- Delayed publishes and retries wait in one sorted set scored by due time; a Lua script moves due
  entries into their streams atomically at each fetch.
- Acked entries are deleted, so a stream's length is what is still to do.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Sequence
from typing import Any

import redis.asyncio as redis
from redis.exceptions import ResponseError

from tolk.bus.base import Bus, Delivery, Unroutable, check_pattern, matches, read_envelope
from tolk.events import Envelope

GROUP = "workers"
PROMOTE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do
  local m = cjson.decode(member)
  redis.call('XADD', ARGV[3] .. m.q, '*', 'body', m.body, 'attempts', m.attempts)
  redis.call('ZREM', KEYS[1], member)
end
return #due
"""


class RedisStreamsBus(Bus):
    def __init__(self, url: str, *, namespace: str = "tolk") -> None:
        self.url, self.ns = url, namespace
        self._redis: redis.Redis = redis.Redis.from_url(url, decode_responses=True)
        self._consumer = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._promote = self._redis.register_script(PROMOTE)
        self._held: dict[str, tuple[str, str, dict[str, str]]] = {}  # tag -> (queue, entry id, fields)

    @classmethod
    def from_url(cls, url: str, *, namespace: str = "tolk") -> RedisStreamsBus:
        return cls(url, namespace=namespace)

    def _stream(self, queue: str) -> str:
        return f"{self.ns}:q:{queue}"

    @property
    def _delayed(self) -> str:
        return f"{self.ns}:delayed"

    @property
    def _bindings(self) -> str:
        return f"{self.ns}:bindings"

    @property
    def _temporary(self) -> str:
        return f"{self.ns}:temporary"  # sorted set: queue -> when it expires unless read again

    async def declare(self, queue: str, patterns: Sequence[str], *, temporary: bool = False) -> None:
        if temporary:
            await self._redis.zadd(self._temporary, {queue: time.time() + self.temporary_ttl_s})
        await self._redis.sadd(self._bindings, *(f"{queue}\t{check_pattern(p)}" for p in patterns))
        try:
            await self._redis.xgroup_create(self._stream(queue), GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _queues_for(self, event_type: str) -> list[str]:
        expired: Any = await self._redis.zrangebyscore(self._temporary, "-inf", time.time())
        for queue in expired:  # a tail that was killed: its queue goes, it collects nothing more
            await self.delete(queue)
        bound: Any = await self._redis.smembers(self._bindings)  # str members: decode_responses
        pairs = [b.split("\t", 1) for b in bound]
        return sorted({q for q, p in pairs if matches(event_type, [p])})

    async def publish(self, envelope: Envelope, *, delay_s: float = 0.0, mandatory: bool = False) -> None:
        queues, body = await self._queues_for(envelope.type), envelope.to_json()
        if mandatory and not queues:
            raise Unroutable(f"no queue is bound to receive {envelope.type} events")
        async with self._redis.pipeline(transaction=True) as pipe:
            for q in queues:
                if delay_s > 0:
                    self._park(pipe, q, body, 0, delay_s)
                else:
                    pipe.xadd(self._stream(q), {"body": body, "attempts": 0})
            await pipe.execute()

    def _park(self, pipe: Any, queue: str, body: str, attempts: int, delay_s: float) -> None:
        member = json.dumps({"q": queue, "body": body, "attempts": attempts, "n": uuid.uuid4().hex})
        pipe.zadd(self._delayed, {member: time.time() + delay_s})

    async def fetch(
        self, queue: str, *, limit: int = 10, visibility_s: float = 30.0, wait_s: float = 0.0
    ) -> list[Delivery]:
        await self._promote(keys=[self._delayed], args=[time.time(), 500, f"{self.ns}:q:"])
        await self._redis.zadd(self._temporary, {queue: time.time() + self.temporary_ttl_s}, xx=True)
        stream = self._stream(queue)
        entries: list[tuple[str, dict[str, str], int]] = []
        claim: Any = await self._redis.xautoclaim(
            stream, GROUP, self._consumer, min_idle_time=max(1, int(visibility_s * 1000)), count=limit
        )
        claimed: list[tuple[str, dict[str, str] | None]] = claim[1]
        if claimed:
            counts = await self._delivery_counts(stream, [entry_id for entry_id, _ in claimed])
            entries += [(entry_id, fields, counts.get(entry_id, 2)) for entry_id, fields in claimed if fields]
        if len(entries) < limit:
            block = int(wait_s * 1000) if wait_s > 0 and not entries else None
            read: Any = await self._redis.xreadgroup(
                GROUP, self._consumer, {stream: ">"}, count=limit - len(entries), block=block
            )
            for _, fresh in read or []:
                entries += [(entry_id, fields, 1) for entry_id, fields in fresh]
        out = []
        for entry_id, fields, deliveries in entries:
            tag = f"{queue}/{entry_id}"
            self._held[tag] = (queue, entry_id, fields)
            attempts = int(fields.get("attempts", 0)) + deliveries
            delivery = Delivery(tag, queue, read_envelope(fields["body"]), attempts)
            if deliveries > self.max_deliveries:
                await self.dead_letter(delivery, f"delivered {deliveries - 1} times without an ack")
                continue
            out.append(delivery)
        return out

    async def _delivery_counts(self, stream: str, ids: list[str]) -> dict[str, int]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for entry_id in ids:
                pipe.xpending_range(stream, GROUP, min=entry_id, max=entry_id, count=1)
            rows = await pipe.execute()
        return {r[0]["message_id"]: int(r[0]["times_delivered"]) for r in rows if r}

    async def _settle(self, delivery: Delivery, extra: Any = None) -> None:
        queue, entry_id, _ = self._held.pop(delivery.tag)
        stream = self._stream(queue)
        async with self._redis.pipeline(transaction=True) as pipe:
            if extra is not None:
                extra(pipe)
            pipe.xack(stream, GROUP, entry_id)
            pipe.xdel(stream, entry_id)
            await pipe.execute()

    async def ack(self, delivery: Delivery) -> None:
        await self._settle(delivery)

    async def retry(self, delivery: Delivery, *, after_s: float, reason: str) -> None:
        body = self._held[delivery.tag][2]["body"]
        await self._settle(
            delivery, lambda pipe: self._park(pipe, delivery.queue, body, delivery.attempts, after_s)
        )

    async def dead_letter(self, delivery: Delivery, reason: str) -> None:
        body = self._held[delivery.tag][2]["body"]
        dead = {"body": body, "reason": reason[:1000], "attempts": delivery.attempts}
        await self._settle(delivery, lambda pipe: pipe.xadd(f"{self.ns}:dead:{delivery.queue}", dead))

    async def dead_letters(self, queue: str) -> list[tuple[Envelope, str]]:
        rows: Any = await self._redis.xrange(f"{self.ns}:dead:{queue}")
        return [(read_envelope(f["body"]), f["reason"]) for _, f in rows]

    async def ping(self) -> None:
        await self._redis.ping()

    async def depth(self, queue: str) -> int:
        return int(await self._redis.xlen(self._stream(queue)))

    async def delete(self, queue: str) -> None:
        members: Any = await self._redis.smembers(self._bindings)
        bound = [b for b in members if b.split("\t", 1)[0] == queue]
        async with self._redis.pipeline(transaction=True) as pipe:
            if bound:
                pipe.srem(self._bindings, *bound)
            pipe.delete(self._stream(queue), f"{self.ns}:dead:{queue}")
            pipe.zrem(self._temporary, queue)
            await pipe.execute()

    async def close(self) -> None:
        await self._redis.aclose()
