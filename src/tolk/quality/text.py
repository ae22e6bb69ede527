"""Text helpers the checks share."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import _lru_cache_wrapper, lru_cache
from typing import TypeVar

T = TypeVar("T")
_CACHES: list[_lru_cache_wrapper[object]] = []


def per_text(fn: Callable[[str], T]) -> Callable[[str], T]:
    """Cache a reading of one text: a source is read once for each of its target languages, not once
    per language. Every such cache is emptied by `clear_caches`."""
    cached = lru_cache(maxsize=4096)(fn)
    _CACHES.append(cached)
    return cached


# scripts that mark no sentence end (Thai, Lao, Khmer, Burmese): an unpunctuated end says nothing there,
# and a space separates clauses as often as sentences
UNPUNCTUATED = frozenset({"th", "lo", "km", "my"})
# a sentence end: CJK full stops need no space after them ("。1-2 个工作日"); Latin ones end before a space
SENTENCE_END = re.compile(r"[。！？]+|[.!?…؟]+(?=[\"'”’」』)）\]]*(?:\s|$))")

_TAG = re.compile(r"<[^<>]+>|<[A-Za-z/][^<>]*$")  # a tag, or one cut off at the end of a text


def strip_markup(text: str) -> str:
    if "<" not in text and "&" not in text:  # most catalog text: nothing to strip
        return text
    return html.unescape(_TAG.sub(" ", text))


def normalized(text: str) -> str:
    return " ".join(strip_markup(text).casefold().split())


@per_text
def words(text: str) -> str:
    """What a reader reads of `text`: no markup, no placeholders, ICU branch texts as language. Cached
    like `placeholders.parse`: one source is read for each of its target languages."""
    from tolk.text.placeholders import parse, readable

    plain = strip_markup(text)
    return readable(plain, parsed=parse(text) if plain == text else None)


def clear_caches() -> None:
    """Forget what was read (for benches that measure a cold pass)."""
    from tolk.text.placeholders import parse

    for cache in _CACHES:
        cache.cache_clear()
    parse.cache_clear()
