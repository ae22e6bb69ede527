"""Translation cache: an engine's answer for a segment under the exact conditions that produced it.

The key is sha256 over an unambiguous encoding of (normalised source, source lang, target lang, engine
fingerprint, applicable glossary terms, profile): change any of them and the segment is translated again;
change nothing and it never reaches the engine again. SQL-backed (the store) by default; Redis
(`SET NX` + TTL) for workers that share it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from tolk.core import Result, TolkError, digest, normalize_text
from tolk.store.repo import Store

KEY_VERSION = 1


@dataclass(frozen=True, slots=True)
class Cached:
    text: str
    engine: str
    model: str


def cache_key(source_text: str, source: str, target: str, engine: str, glossary: str, profile: str) -> str:
    return digest(KEY_VERSION, normalize_text(source_text), source, target, engine, glossary, profile)


class InFlight:
    """Concurrent requests for the same key share one engine call (per process).

    The first caller of a key owns it and must `settle` it; later callers get a future to await.
    """

    def __init__(self) -> None:
        self._pending: dict[str, asyncio.Future[Cached | None]] = {}

    def claim(self, keys: Iterable[str]) -> tuple[list[str], dict[str, asyncio.Future[Cached | None]]]:
        mine, theirs = [], {}
        for key in keys:
            if key in self._pending:
                theirs[key] = self._pending[key]
            else:
                self._pending[key] = asyncio.get_running_loop().create_future()
                mine.append(key)
        return mine, theirs

    def settle(self, key: str, value: Cached | None) -> None:
        """Hand the owner's answer (None: it failed) to everyone waiting on `key`."""
        future = self._pending.pop(key, None)
        if future is not None and not future.done():
            future.set_result(value)


class Cache(Protocol):
    def get_many(self, keys: Sequence[str]) -> dict[str, Cached]: ...
    def put_many(self, entries: dict[str, Cached]) -> None: ...
    def forget(self, keys: Sequence[str]) -> None: ...
    def close(self) -> None: ...


class SqlCache:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get_many(self, keys: Sequence[str]) -> dict[str, Cached]:
        return {k: Cached(*v) for k, v in self.store.cache_get(list(keys)).items()}

    def put_many(self, entries: dict[str, Cached]) -> None:
        self.store.cache_put({k: (c.text, c.engine, c.model) for k, c in entries.items()})

    def forget(self, keys: Sequence[str]) -> None:
        self.store.cache_delete(list(keys))

    def close(self) -> None:
        pass


class RedisCache:
    """Shared cache for many workers; the first writer of a key wins (`SET NX`), entries expire."""

    prefix = "tolk:tr:"

    def __init__(self, url: str, ttl_s: int) -> None:
        try:
            import redis
        except ModuleNotFoundError:
            raise TolkError("the Redis cache needs redis-py: pip install 'tolk[redis]'") from None
        self.ttl_s = ttl_s
        self.client = redis.Redis.from_url(url)
        try:
            self.client.ping()
        except redis.RedisError as exc:
            raise TolkError(f"cannot reach the Redis cache at {url}: {exc}") from None

    def get_many(self, keys: Sequence[str]) -> dict[str, Cached]:
        if not keys:
            return {}
        values = self.client.mget([self.prefix + k for k in keys])
        out = {}
        for key, raw in zip(keys, values, strict=True):
            if raw is not None:
                data = json.loads(raw)
                out[key] = Cached(data["t"], data["e"], data["m"])
        return out

    def put_many(self, entries: dict[str, Cached]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for key, c in entries.items():
            value = json.dumps({"t": c.text, "e": c.engine, "m": c.model}, ensure_ascii=False)
            pipe.set(self.prefix + key, value, nx=True, ex=self.ttl_s)
        pipe.execute()

    def forget(self, keys: Sequence[str]) -> None:
        if keys:
            self.client.delete(*(self.prefix + k for k in keys))

    def close(self) -> None:
        self.client.close()


def open_cache(url: str | None, store: Store, ttl_s: int) -> Cache:
    if not url or url in {"sql", "store"}:
        return SqlCache(store)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisCache(url, ttl_s)
    raise TolkError(f"cache: unsupported URL {url!r} (use the store, or redis://host:6379/0)")


def shareable(res: Result) -> bool:
    """May go to a shared place (the cache, other pipelines of the process): not a failed or warned text
    (a warned one waits for a person), not one that held personal data (restored values never sit
    where other items read)."""
    return res.ok and not res.warnings and not res.personal
