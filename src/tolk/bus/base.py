"""The bus protocol every broker module implements, and the contract tests hold it to.

Delivery is at least once: a fetched message stays owned by the consumer until it is acked, retried
later or dead-lettered; one left unacked comes back after its visibility timeout. Effects become
exactly-once in the consumer (processed event ids stored in the same transaction as the effect).
"""

from __future__ import annotations

import abc
import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

from tolk.events import Envelope


@dataclass(frozen=True, slots=True)
class Delivery:
    tag: str  # the bus's handle for ack / retry / dead-letter
    queue: str
    envelope: Envelope
    attempts: int  # deliveries so far, this one included


def matches(event_type: str, patterns: Sequence[str]) -> bool:
    """Topic patterns as in `tolk events tail --types 'i18n.*'`."""
    return any(fnmatch.fnmatchcase(event_type, p) for p in patterns)


class Bus(abc.ABC):
    max_deliveries: int = 5  # a message delivered this often without an ack goes to the dead letters

    @abc.abstractmethod
    async def declare(self, queue: str, patterns: Sequence[str]) -> None:
        """A durable queue receiving every event whose type matches one of `patterns`."""

    @abc.abstractmethod
    async def publish(self, envelope: Envelope, *, delay_s: float = 0.0) -> None:
        """Returns once the bus holds the event durably (publisher confirm)."""

    @abc.abstractmethod
    async def fetch(self, queue: str, *, limit: int = 10, visibility_s: float = 30.0) -> list[Delivery]:
        """Messages ready now; each is the caller's until acked or its visibility timeout passes."""

    @abc.abstractmethod
    async def ack(self, delivery: Delivery) -> None: ...

    @abc.abstractmethod
    async def retry(self, delivery: Delivery, *, after_s: float, reason: str) -> None:
        """Deliver again no sooner than `after_s` (never an immediate requeue loop)."""

    @abc.abstractmethod
    async def dead_letter(self, delivery: Delivery, reason: str) -> None: ...

    @abc.abstractmethod
    async def dead_letters(self, queue: str) -> list[tuple[Envelope, str]]:
        """What was given up on, with the reason."""

    async def close(self) -> None:
        return None
