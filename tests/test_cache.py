from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tolk.cache import Cached, RedisCache, SqlCache, cache_key
from tolk.store.repo import Store


def test_key_changes_with_every_input() -> None:
    base = ("Red shoes", "en", "es", "apertium:abc", "g1", "ecommerce")
    keys = {cache_key(*base)}
    for i in range(len(base)):
        changed = list(base)
        changed[i] = changed[i] + "x"
        keys.add(cache_key(*changed))
    assert len(keys) == len(base) + 1


@given(st.text(max_size=20), st.text(max_size=20))
def test_key_encoding_is_unambiguous(a: str, b: str) -> None:
    # ("a|b", "c") must never collide with ("a", "b|c")
    if (a, b) != (a + "|", b):
        assert (
            cache_key(a, "en", "es", b, "", "p") != cache_key(a + "|", "en", "es", b, "", "p") or a + "|" == a
        )


def test_key_normalises_source() -> None:
    assert cache_key(" Caf\u0065\u0301 ", "en", "es", "e", "", "p") == cache_key(
        "Café", "en", "es", "e", "", "p"
    )


def test_sql_cache(sqlite_url: str) -> None:
    cache = SqlCache(Store(sqlite_url))
    cache.put_many({"k": Cached("uno", "e", "m")})
    assert cache.get_many(["k", "x"]) == {"k": Cached("uno", "e", "m")}


def test_redis_cache_set_nx_with_ttl(redis_url: str) -> None:
    cache = RedisCache(redis_url, ttl_s=60)
    cache.put_many({"k": Cached("uno", "e", "m")})
    cache.put_many({"k": Cached("otro", "e", "m"), "j": Cached("dos", "e", "m")})
    assert cache.get_many(["k", "j", "none"]) == {"k": Cached("uno", "e", "m"), "j": Cached("dos", "e", "m")}
    ttl = cache.client.ttl(RedisCache.prefix + "k")
    assert isinstance(ttl, int) and 0 < ttl <= 60
    cache.close()
