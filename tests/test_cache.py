from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tolk.cache import Cache, Cached, InFlight, RedisCache, SqlCache, cache_key
from tolk.store.repo import Store


def test_key_changes_with_every_input() -> None:
    base = ("Red shoes", "en", "es", "apertium:abc", "g1", "ecommerce")
    keys = {cache_key(*base)}
    for i in range(len(base)):
        changed = list(base)
        changed[i] = changed[i] + "x"
        keys.add(cache_key(*changed))
    assert len(keys) == len(base) + 1


@given(st.text(min_size=2, max_size=30), st.data())
def test_key_encoding_is_unambiguous(text: str, data: st.DataObject) -> None:
    # the same characters split differently between two fields must give different keys
    i = data.draw(st.integers(0, len(text) - 1))
    j = data.draw(st.integers(i + 1, len(text)))
    assert cache_key("src", "en", "es", text[:i], text[i:], "p") != cache_key(
        "src", "en", "es", text[:j], text[j:], "p"
    )


def test_key_normalises_source() -> None:
    assert cache_key(" Caf\u0065\u0301 ", "en", "es", "e", "", "p") == cache_key(
        "Café", "en", "es", "e", "", "p"
    )


@pytest.fixture(params=["sql", "redis"])
def cache(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[Cache]:
    """Every cache backend passes the same tests."""
    if request.param == "sql":
        backend: Cache = SqlCache(Store(sqlite_url))
    else:
        backend = RedisCache(request.getfixturevalue("redis_url"), ttl_s=60)
    yield backend
    backend.close()


def test_get_what_was_put(cache: Cache) -> None:
    cache.put_many({"k": Cached("uno", "e", "m"), "j": Cached("dos", "e", "m")})
    assert cache.get_many(["k", "j", "none"]) == {"k": Cached("uno", "e", "m"), "j": Cached("dos", "e", "m")}
    assert cache.get_many([]) == {}


def test_first_writer_wins(cache: Cache) -> None:
    cache.put_many({"k": Cached("uno", "e", "m")})
    cache.put_many({"k": Cached("otro", "e2", "m2")})
    assert cache.get_many(["k"]) == {"k": Cached("uno", "e", "m")}


def test_redis_entries_expire(redis_url: str) -> None:
    cache = RedisCache(redis_url, ttl_s=60)
    cache.put_many({"k": Cached("uno", "e", "m")})
    ttl = cache.client.ttl(RedisCache.prefix + "k")
    assert isinstance(ttl, int) and 0 < ttl <= 60
    cache.close()


def test_inflight_shares_one_answer() -> None:
    async def go() -> tuple[list[str], list[str], Cached | None]:
        inflight = InFlight()
        mine, _ = inflight.claim(["a", "b"])
        again, theirs = inflight.claim(["a", "c"])
        inflight.settle("a", Cached("A", "e", "m"))
        return mine, again, await theirs["a"]

    mine, again, shared = asyncio.run(go())
    assert mine == ["a", "b"] and again == ["c"] and shared == Cached("A", "e", "m")
