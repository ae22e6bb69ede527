"""RabbitMQ (aio-pika): a topic exchange, one durable quorum queue per consumer group and language.

- Publishing waits for the broker's confirm; the relay marks an outbox row sent only after it.
- Queues are quorum queues with an explicit delivery limit: a message whose consumer keeps dying is
  dead-lettered by the broker (at-least-once dead-lettering) to `<queue>.dead` instead of looping.
- A retry is a new copy parked in a TTL queue that dead-letters back to the queue when it expires, then
  the original is acked: no `nack(requeue=True)` loops. Delayed publishes go the same way to the
  topic exchange. Delay queues are made per delay (ms) on demand and expire when unused.
- Messages are consumed with a prefetch window; an unacked message returns when its channel closes.
- A lost connection is replaced at the next call; the worker backs off between calls.

Why aio-pika rather than FastStream: the Bus protocol is pull-shaped (fetch, then an explicit ack,
retry or dead-letter after the database commit), shared with the Redis and embedded buses; a handler
framework would hide exactly the moment we need to control.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Sequence
from typing import Any

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractConnection,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    FieldValue,
)
from aiormq.abc import DeliveredMessage
from aiormq.exceptions import ChannelPreconditionFailed

from tolk.bus.base import Bus, Delivery, Unroutable, check_pattern, read_envelope
from tolk.core import ConfigError
from tolk.events import Envelope

log = logging.getLogger(__name__)
QUORUM: dict[str, FieldValue] = {"x-queue-type": "quorum"}
UNUSED_DELAY_QUEUE_MS = 10 * 60 * 1000  # delay queues disappear this long after their last use


class RabbitBus(Bus):
    def __init__(self, url: str, *, namespace: str = "tolk") -> None:
        self.url, self.ns = url, namespace
        self._conn: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None  # publishing, confirms on
        self._exchange: AbstractExchange | None = None
        self._delays: AbstractExchange | None = None
        self.declared: set[str] = set()  # queues this bus made (delay queues included)
        self._consumers: dict[str, tuple[asyncio.Queue[AbstractIncomingMessage], AbstractChannel]] = {}
        self._held: dict[str, AbstractIncomingMessage] = {}
        self._temporary: dict[str, list[str]] = {}  # exclusive queues (tails): re-made after a reconnect
        self._lock = asyncio.Lock()

    @classmethod
    def from_url(cls, url: str, *, namespace: str = "tolk") -> RabbitBus:
        return cls(url, namespace=namespace)

    def _name(self, queue: str) -> str:
        return f"{self.ns}.{queue}"

    async def _open(self) -> AbstractChannel:
        """The publishing channel, on a new connection when the old one died.

        Reconnecting is ours, not aio-pika's robust connection: after a broker restart that one could
        stay half-open. Here a dead connection is replaced at the next call (the worker backs off
        between calls); consumers are re-created on it; messages held from the old one cannot be
        settled any more, and the broker redelivers them (deduplicated by the consumer).
        """
        async with self._lock:
            if self._conn is None or not _alive(self._conn):
                if self._conn is not None:
                    with contextlib.suppress(Exception):
                        await self._conn.close()
                self._conn = await aio_pika.connect(self.url, timeout=10)
                self._channel = None
                self._consumers.clear()
            if self._channel is None or self._channel.is_closed:
                self._channel = await self._conn.channel(publisher_confirms=True)
                self._exchange = await self._channel.declare_exchange(
                    f"{self.ns}.events", aio_pika.ExchangeType.TOPIC, durable=True
                )
                self._delays = await self._channel.declare_exchange(
                    f"{self.ns}.delays", aio_pika.ExchangeType.HEADERS, durable=True
                )
            return self._channel

    async def declare(self, queue: str, patterns: Sequence[str], *, temporary: bool = False) -> None:
        channel = await self._open()
        name = self._name(queue)
        if temporary:  # exclusive and auto-delete: the broker removes it with its connection
            self._temporary[queue] = [check_pattern(p) for p in patterns]
            q = await channel.declare_queue(name, durable=False, exclusive=True, auto_delete=True)
            assert self._exchange is not None
            for pattern in patterns:
                await q.bind(self._exchange, routing_key=pattern)
            return
        self.declared |= {name, f"{name}.dead"}
        await channel.declare_queue(f"{name}.dead", durable=True, arguments=QUORUM)
        try:
            q = await self._declare_main(channel, name)
        except ChannelPreconditionFailed as exc:  # the queue exists with other arguments
            self._channel = None  # the broker closed that channel
            raise ConfigError(
                f"RabbitMQ queue {name} exists with other settings ({exc}); delete it or use the same "
                "agent.max_deliveries as the workers that made it"
            ) from None
        assert self._exchange is not None
        for pattern in patterns:
            await q.bind(self._exchange, routing_key=check_pattern(pattern))

    async def _declare_main(self, channel: AbstractChannel, name: str) -> AbstractQueue:
        return await channel.declare_queue(
            name,
            durable=True,
            arguments={
                **QUORUM,
                # the broker counts returns; a copy is delivered at most max_deliveries times
                "x-delivery-limit": self.max_deliveries - 1,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": f"{name}.dead",
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            },
        )

    async def publish(self, envelope: Envelope, *, delay_s: float = 0.0, mandatory: bool = False) -> None:
        """`mandatory` holds for immediate publishes: a delayed one is routed when it comes due (the
        caller checks the bindings it knows, as `tolk events publish` does)."""
        await self._open()
        assert self._exchange is not None
        message = _message(envelope.to_json().encode(), envelope.id, {})
        if delay_s > 0:
            await self._delay(message, envelope.type, delay_s, then_to=self._exchange.name, kind="publish")
            return
        # a mandatory message no queue is bound for comes back (Basic.Return) instead of a confirm
        result = await self._exchange.publish(message, routing_key=envelope.type, mandatory=mandatory)
        if isinstance(result, DeliveredMessage):
            raise Unroutable(f"no queue is bound to receive {envelope.type} events")

    async def _delay(
        self, message: aio_pika.Message, routing_key: str, delay_s: float, *, then_to: str, kind: str
    ) -> None:
        """Park `message` for `delay_s`, then dead-letter it to exchange `then_to` with its routing key."""
        ms = max(1, round(delay_s * 1000))
        name = f"{self.ns}.{kind}.{ms}"
        if name not in self.declared:
            channel = await self._open()
            q = await channel.declare_queue(
                name,
                durable=True,
                arguments={
                    **QUORUM,
                    "x-message-ttl": ms,
                    "x-expires": ms + UNUSED_DELAY_QUEUE_MS,
                    "x-dead-letter-exchange": then_to,
                    "x-dead-letter-strategy": "at-least-once",
                    "x-overflow": "reject-publish",
                },
            )
            assert self._delays is not None
            await q.bind(self._delays, arguments={"x-match": "all", "tolk-delay": name})
            self.declared.add(name)
        assert self._delays is not None
        message.headers["tolk-delay"] = name
        await self._delays.publish(message, routing_key=routing_key)

    async def fetch(
        self, queue: str, *, limit: int = 10, visibility_s: float = 30.0, wait_s: float = 0.0
    ) -> list[Delivery]:
        inbox = await self._consume(queue, limit)
        out: list[Delivery] = []
        deadline = time.monotonic() + wait_s
        while len(out) < limit:
            try:
                if out:
                    message = inbox.get_nowait()
                else:
                    message = await asyncio.wait_for(inbox.get(), max(0.0, deadline - time.monotonic()))
            except (asyncio.QueueEmpty, TimeoutError):
                break
            if message.channel.is_closed:  # from a channel lost in a reconnect: the broker re-sends it
                continue
            out.append(self._delivery(queue, message))
        return out

    async def _consume(self, queue: str, limit: int) -> asyncio.Queue[AbstractIncomingMessage]:
        await self._open()  # reconnects (and forgets every consumer) if the connection died
        if queue in self._consumers and self._consumers[queue][1].is_closed:
            del self._consumers[queue]  # closed by the broker: consume on a new channel
        if queue not in self._consumers:
            if queue in self._temporary:  # an exclusive queue died with the old connection: make it anew
                await self.declare(queue, self._temporary[queue], temporary=True)
            assert self._conn is not None
            channel = await self._conn.channel()
            await channel.set_qos(prefetch_count=max(limit, self.prefetch))
            inbox: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
            q: AbstractQueue = await channel.declare_queue(self._name(queue), passive=True)
            await q.consume(inbox.put)
            self._consumers[queue] = (inbox, channel)
        return self._consumers[queue][0]

    def _delivery(self, queue: str, message: AbstractIncomingMessage) -> Delivery:
        headers = message.headers or {}
        redelivered = int(str(headers.get("x-delivery-count", 0)))  # quorum queues count returns
        carried = int(str(headers.get("tolk-attempts", 0)))
        tag = uuid.uuid4().hex
        self._held[tag] = message
        return Delivery(tag, queue, read_envelope(message.body), carried + redelivered + 1)

    async def ack(self, delivery: Delivery) -> None:
        message = self._held.pop(delivery.tag)
        with contextlib.suppress(Exception):  # a lost channel: the broker delivers it again (deduplicated)
            await message.ack()

    async def retry(self, delivery: Delivery, *, after_s: float, reason: str) -> None:
        message = self._held[delivery.tag]
        await self._open()
        headers = {"tolk-attempts": delivery.attempts, "tolk-retry-reason": reason[:200]}
        copy = _message(message.body, message.message_id, headers)
        await self._delay(copy, self._name(delivery.queue), after_s, then_to="", kind="retry")
        await self.ack(delivery)  # only after the copy is confirmed

    async def dead_letter(self, delivery: Delivery, reason: str) -> None:
        message = self._held[delivery.tag]
        channel = await self._open()
        headers = {"tolk-reason": reason[:1000], "tolk-attempts": delivery.attempts}
        copy = _message(message.body, message.message_id, headers)
        await channel.default_exchange.publish(copy, routing_key=f"{self._name(delivery.queue)}.dead")
        await self.ack(delivery)

    async def dead_letters(self, queue: str) -> list[tuple[Envelope, str]]:
        await self._open()
        assert self._conn is not None
        out: list[tuple[Envelope, str]] = []
        async with self._conn.channel() as channel:  # closing it returns every message we looked at
            q = await channel.declare_queue(f"{self._name(queue)}.dead", passive=True)
            while (message := await q.get(no_ack=False, fail=False)) is not None:
                out.append((read_envelope(message.body), _reason(message.headers or {})))
        return out

    async def ping(self) -> None:
        await self._open()

    async def depth(self, queue: str) -> int:
        await self._open()
        assert self._conn is not None
        async with self._conn.channel() as channel:
            q = await channel.declare_queue(self._name(queue), passive=True)
            return int(q.declaration_result.message_count or 0)

    async def delete(self, queue: str) -> None:
        channel = await self._open()
        name = self._name(queue)
        if self._temporary.pop(queue, None) is not None:
            await channel.queue_delete(name)
        else:
            for q in (name, f"{name}.dead"):
                await channel.queue_delete(q)
        self.declared -= {name, f"{name}.dead"}
        self._consumers.pop(queue, None)

    async def close(self) -> None:
        for _, channel in self._consumers.values():
            with contextlib.suppress(Exception):
                await channel.close()
        if self._conn is not None:
            await self._conn.close()
        self._conn = self._channel = None
        self._consumers.clear()
        self._held.clear()


def _alive(conn: AbstractConnection) -> bool:
    """`is_closed` alone stays False when the broker drops the connection; `connected` is cleared."""
    return not conn.is_closed and conn.connected.is_set()


def _message(body: bytes, message_id: str | None, headers: dict[str, Any]) -> aio_pika.Message:
    return aio_pika.Message(
        body,
        message_id=message_id,
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        headers=headers,
    )


def _reason(headers: dict[str, Any]) -> str:
    if "tolk-reason" in headers:
        return str(headers["tolk-reason"])
    why = str(headers.get("x-first-death-reason", "unknown"))
    if why == "delivery_limit":
        return "delivered too many times without an ack (the broker's delivery limit)"
    return f"dead-lettered by the broker: {why}"
