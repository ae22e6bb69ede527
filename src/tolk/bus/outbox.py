"""The outbox relay: publishes due outbox rows and marks them sent.

A crash between publish and mark means the event is published again: delivery is at least once, and
consumers deduplicate on the envelope id. Relays in several workers claim rows with SKIP LOCKED, so
they share the work instead of publishing the same rows. A delayed event is a row with a later due
time, so it is never published early; with the default poll interval it goes out within a second of
its due time.
"""

from __future__ import annotations

import asyncio
import contextlib

from tolk.bus.base import Bus
from tolk.events import Envelope
from tolk.store.repo import Store

PUBLISHING = 16  # publishes in flight at once: confirms overlap, connection pools are not exhausted


async def relay_once(store: Store, bus: Bus, *, batch: int = 100) -> int:
    slots = asyncio.Semaphore(PUBLISHING)

    async def publish(body: str) -> None:
        async with slots:
            await bus.publish(Envelope.model_validate_json(body))

    with store.transaction() as session:  # the claimed rows stay locked until they are marked sent
        due = store.outbox_claim(session, batch)
        await asyncio.gather(*(publish(body) for _, body in due))  # confirmed before marked sent
        if due:
            store.outbox_mark_sent(session, [row_id for row_id, _ in due])
    return len(due)


async def relay(store: Store, bus: Bus, stop: asyncio.Event, *, poll_s: float = 0.5) -> int:
    """Run until `stop` is set; returns how many events went out."""
    sent = 0
    while not stop.is_set():
        n = await relay_once(store, bus)
        sent += n
        if n == 0:
            with contextlib.suppress(TimeoutError):  # nothing due: sleep, but wake at once on stop
                await asyncio.wait_for(stop.wait(), poll_s)
    return sent + await relay_once(store, bus)
