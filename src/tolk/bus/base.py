"""The bus protocol every broker module implements, and the contract tests hold it to.

Delivery is at least once: a fetched message stays owned by the consumer until it is acked, retried
later or dead-lettered; one whose consumer disappears (crash, lost connection, visibility timeout)
comes back. A copy delivered more than `max_deliveries` times without a decision goes to the dead
letters: that is the poison message that kills its worker. Effects become exactly-once in the
consumer (processed event ids stored in the same transaction as the effect).

Routing patterns are AMQP topic patterns on the event type on every bus: `*` is one word, `#` zero or
more (`i18n.*`, `product.#`, `#`).
"""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from pydantic import ValidationError

from tolk.core import InputError, TolkError
from tolk.events import Envelope

TEMPORARY_TTL_S = 60.0  # a temporary queue whose consumer stopped fetching (killed) is gone after this


UNREADABLE = "unreadable"  # the type of the stand-in for a message that is not a tolk envelope


def read_envelope(body: str | bytes) -> Envelope:
    """The envelope in a message body. A body that is not one (another producer's bytes) becomes a
    stand-in of type `unreadable`, with the body and the error, which the consumer dead-letters at once
    instead of failing every fetch; its id comes from the body, so redeliveries are recognised."""
    try:
        return Envelope.model_validate_json(body)
    except ValidationError as exc:
        raw = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        return Envelope(
            id=f"unreadable-{hashlib.sha256(raw).hexdigest()[:40]}",
            type=UNREADABLE,
            occurred_at=datetime.now(UTC),
            source="unknown",
            payload={
                "body": raw[:2000].decode("utf-8", "replace"),
                "error": f"{where + ': ' if where else ''}{error['msg']}",
            },
        )


class Unroutable(TolkError):
    """A mandatory publish that no queue is bound to receive: the event was not accepted."""


@dataclass(frozen=True, slots=True)
class Delivery:
    tag: str  # the bus's handle for ack / retry / dead-letter
    queue: str
    envelope: Envelope
    attempts: int  # deliveries so far, this one and those before a retry included


@lru_cache(maxsize=256)
def _words(pattern: str) -> tuple[str, ...]:
    words = tuple(pattern.split("."))
    for word in words:
        if word not in ("*", "#") and ("*" in word or "#" in word):
            raise InputError(f"pattern {pattern!r}: '*' and '#' stand for whole words (e.g. 'i18n.*')")
    return words


def _match(words: Sequence[str], pattern: Sequence[str]) -> bool:
    if not pattern:
        return not words
    if pattern[0] == "#":
        return any(_match(words[i:], pattern[1:]) for i in range(len(words) + 1))
    return bool(words) and pattern[0] in ("*", words[0]) and _match(words[1:], pattern[1:])


def check_pattern(pattern: str) -> str:
    _words(pattern)
    return pattern


def matches(event_type: str, patterns: Sequence[str]) -> bool:
    """Topic patterns as in `tolk events tail --types 'i18n.*'`."""
    words = event_type.split(".")
    return any(_match(words, _words(p)) for p in patterns)


class Bus(abc.ABC):
    url: str  # what `open_bus` opens this bus from
    ns: str  # the namespace on a shared broker ("" where there is none)
    max_deliveries: int = 5  # deliveries of one copy without a decision before it is dead-lettered
    prefetch: int = 16  # messages one consumer may hold unsettled (brokers that push: their window)
    temporary_ttl_s: float = TEMPORARY_TTL_S  # a temporary queue not read for this long is removed

    @abc.abstractmethod
    async def declare(self, queue: str, patterns: Sequence[str], *, temporary: bool = False) -> None:
        """A durable queue receiving every event whose type matches one of `patterns`. A `temporary`
        one (`tolk events tail`) lives only while its consumer does: RabbitMQ's exclusive auto-delete
        queue; elsewhere it expires `temporary_ttl_s` after its last fetch, so a killed tail leaves
        nothing collecting events."""

    @abc.abstractmethod
    async def publish(self, envelope: Envelope, *, delay_s: float = 0.0, mandatory: bool = False) -> None:
        """Returns once the bus holds the event durably (publisher confirm). `mandatory`: raise
        Unroutable when no queue is bound to receive it (nothing is stored then)."""

    @abc.abstractmethod
    async def fetch(
        self, queue: str, *, limit: int = 10, visibility_s: float = 30.0, wait_s: float = 0.0
    ) -> list[Delivery]:
        """Messages ready now (waiting up to `wait_s` for the first); each is the caller's until it is
        settled or its consumer goes away (for buses that lease: `visibility_s` without a decision)."""

    @abc.abstractmethod
    async def ack(self, delivery: Delivery) -> None: ...

    @abc.abstractmethod
    async def retry(self, delivery: Delivery, *, after_s: float, reason: str) -> None:
        """Deliver again no sooner than `after_s` (a new copy; never an immediate requeue loop)."""

    @abc.abstractmethod
    async def dead_letter(self, delivery: Delivery, reason: str) -> None: ...

    @abc.abstractmethod
    async def dead_letters(self, queue: str) -> list[tuple[Envelope, str]]:
        """What was given up on, with the reason."""

    @abc.abstractmethod
    async def depth(self, queue: str) -> int:
        """How much work waits in the queue, what to scale on: the ready messages at least (RabbitMQ);
        buses that can see them also count those in flight (Redis) and delayed (embedded)."""

    @abc.abstractmethod
    async def delete(self, queue: str) -> None:
        """Remove a queue, its bindings and its dead letters (e.g. `tolk events tail`'s own queue)."""

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise when the broker cannot be reached (readiness probes)."""

    async def close(self) -> None:
        return None
