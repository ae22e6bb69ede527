"""The domain's nouns: segments, hints, results, grades and the errors every layer raises.

No I/O here; everything else imports this module.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


class Grade(enum.StrEnum):
    """How far a person (or the gate) trusts a translation.

    MACHINE and REWRITE are machine output and may be replaced by newer machine output;
    APPROVED and HUMAN are never overwritten by a machine.
    """

    MACHINE = "MACHINE"
    REWRITE = "REWRITE"
    APPROVED = "APPROVED"
    HUMAN = "HUMAN"

    @property
    def protected(self) -> bool:
        return self in PROTECTED_GRADES


PROTECTED_GRADES = frozenset({Grade.APPROVED, Grade.HUMAN})
# statuses that keep a text from being published (export, documents, API answers): it failed the gate,
# waits for a person's approval, or a reviewer sent it back
HELD = frozenset({"NEEDS_REVIEW", "PENDING_APPROVAL", "SENT_BACK"})


def publishable(status: str | None) -> bool:
    """May a text with this status go out as a translation?"""
    return status not in HELD


class Finish(enum.StrEnum):
    """Why an engine stopped producing a segment."""

    STOP = "stop"  # complete translation
    LENGTH = "length"  # cut off by the output limit: a failure
    ERROR = "error"  # the engine failed on this segment


@dataclass(frozen=True, slots=True)
class Term:
    """A glossary entry: `target` is forced; do-not-translate terms keep `source` verbatim."""

    source: str
    target: str
    do_not_translate: bool = False
    case_sensitive: bool = False
    note: str = ""

    @property
    def expected(self) -> str:
        return self.source if self.do_not_translate else self.target


@dataclass(frozen=True, slots=True)
class TmPair:
    """A translation-memory example passed to engines as a hint."""

    source: str
    target: str


@dataclass(frozen=True, slots=True)
class Segment:
    """One unit of text to translate. `id` is unique within a batch; `context` carries e.g. category."""

    id: str
    text: str
    context: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Hints:
    """What an engine may use besides the text: terms, memory, domain, formality (tolk.formality)."""

    terms: tuple[Term, ...] = ()
    tm: tuple[TmPair, ...] = ()
    domain: str | None = None
    formality: str = "default"


@dataclass(slots=True)
class Usage:
    requests: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float = 0.0

    def add(self, other: Usage) -> None:
        self.requests += other.requests
        self.tokens_in += other.tokens_in
        self.tokens_out += other.tokens_out
        self.cost += other.cost


@dataclass(slots=True)
class Result:
    """An engine's answer for one segment."""

    id: str
    text: str
    finish: Finish = Finish.STOP
    error: str | None = None
    unknown_words: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    engine: str = ""  # the engine that produced it (a fallback may stand in)
    model: str = ""
    transient: bool = False  # failed for a reason that may pass (an engine error, not the text)
    outage: bool = False  # failed because the engine is unavailable now (breaker open, no quota)
    warnings: list[str] = field(
        default_factory=list
    )  # e.g. "pii: [[EMAIL_1]] lost": the gate sends it to review
    personal: bool = False  # personal data was masked and put back: never kept in a shared cache or memory

    @property
    def ok(self) -> bool:
        return self.finish is Finish.STOP and self.error is None


# --- errors -----------------------------------------------------------------------------------------


class TolkError(Exception):
    """An expected failure: shown to the user as one line, without a traceback."""

    exit_code = 1


class InputError(TolkError):
    """Bad input from the user (file, option, field): exit code 2."""

    exit_code = 2


class ConfigError(TolkError):
    exit_code = 2


class UnsupportedPair(TolkError):
    def __init__(self, engine: str, source: str, target: str, why: str = "") -> None:
        msg = f"engine {engine!r} cannot translate {source} -> {target}"
        super().__init__(f"{msg}: {why}" if why else msg)


class EngineError(TolkError):
    """An engine call failed after retries."""


class EngineDown(EngineError):
    """The engine failed for a reason that may pass (timeouts, refused connections, 5xx after retries):
    a configured fallback takes the segments at once."""


class EngineUnavailable(EngineDown):
    """The engine cannot be used right now (breaker open, quota exhausted, no key)."""


class Deferred(TolkError):
    """A translation could not be finished now for a reason that may pass; nothing was written."""

    def __init__(self, why: str, *, outage: bool) -> None:
        super().__init__(why)
        self.outage = outage


# --- hashing ----------------------------------------------------------------------------------------


def normalize_text(text: str) -> str:
    """What counts as 'the same source': NFC, trimmed. Inner whitespace is meaningful (markup, lists)."""
    return unicodedata.normalize("NFC", text).strip()


def digest(*parts: Any) -> str:
    """sha256 over an unambiguous encoding (a JSON array), so ('a|b', 'c') != ('a', 'b|c')."""
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def text_hash(text: str) -> str:
    """How a rejected translation is recognised when it comes back (from memory, cache or an engine)."""
    return digest("text", text.strip())


# --- text no store can keep -------------------------------------------------------------------------

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(data: dict[str, Any]) -> str | None:
    """`field: why` for the first value no store can keep: a lone surrogate (JSON's `\\ud800` escape,
    which UTF-8 cannot encode) or a NUL character (PostgreSQL refuses it in text); None if all can."""
    todo: list[tuple[str, Any]] = list(data.items())
    while todo:
        key, value = todo.pop()
        for text in (key, value) if isinstance(value, str) else (key,):
            if found := _UNSTORABLE.search(text):
                name = key.encode("utf-8", "backslashreplace").decode()
                if found.group(0) == "\x00":
                    return f"{name}: a NUL character, not text"
                return f"{name}: a lone surrogate (\\ud800-\\udfff), not text; fix the escape"
        if isinstance(value, dict):
            todo += [(f"{key}.{k}", v) for k, v in value.items()]
        elif isinstance(value, list):
            todo += [(f"{key}.{i}", v) for i, v in enumerate(value)]
    return None


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`X-Tolk-Signature` of a webhook body (reports and events alike): HMAC-SHA256 over
    `timestamp.body`, so a receiver can check both and refuse an old timestamp (a replay)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def now() -> datetime:
    """UTC without a zone, as every store keeps its timestamps (SQLite and MySQL drop the zone)."""
    return datetime.now(UTC).replace(tzinfo=None)
