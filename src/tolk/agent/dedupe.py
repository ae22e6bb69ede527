"""Repeat content across workers: a Redis key per (content, language) so one engine call serves all.

The key is sha256 of the source language, the translatable fields and the target language. A worker
claims it (SET NX, short TTL) before translating and marks it done (TTL, default a day) after the
commit; another worker seeing a claim waits instead of calling the engine for the same text, and one
seeing "done" goes through the pipeline, which finds the translation already stored (no engine call).
It only saves engine calls: exactly-once effects come from the processed-events table, not from here.
"""

from __future__ import annotations

from typing import Literal

import redis.asyncio as redis

from tolk.core import digest
from tolk.store.repo import ItemRecord

Claim = Literal["mine", "done", "busy"]


class Dedupe:
    def __init__(self, url: str, *, ttl_s: int = 24 * 3600, claim_s: int = 120, namespace: str = "tolk"):
        self._redis: redis.Redis = redis.Redis.from_url(url, decode_responses=True)
        self.ttl_s, self.claim_s, self.ns = ttl_s, claim_s, namespace

    def key(self, record: ItemRecord, lang: str) -> str:
        return f"{self.ns}:dedupe:{digest(record.source_lang, record.fields, lang)}"

    async def claim(self, record: ItemRecord, lang: str) -> Claim:
        key = self.key(record, lang)
        if await self._redis.set(key, "busy", nx=True, ex=self.claim_s):
            return "mine"
        state = await self._redis.get(key)
        if state is None:  # expired in between: try once more
            return "mine" if await self._redis.set(key, "busy", nx=True, ex=self.claim_s) else "busy"
        return "done" if state == "done" else "busy"

    async def done(self, record: ItemRecord, lang: str) -> None:
        await self._redis.set(self.key(record, lang), "done", ex=self.ttl_s)

    async def release(self, record: ItemRecord, lang: str) -> None:
        key = self.key(record, lang)
        if await self._redis.get(key) == "busy":
            await self._redis.delete(key)

    async def close(self) -> None:
        await self._redis.aclose()
