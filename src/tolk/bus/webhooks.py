"""`[[webhooks]]`: tolk's events POSTed to HTTP subscribers, for those without a broker.

Every event a run writes to the outbox is handed to the subscribers whose `events` patterns match its
type (one delivery row each, in the store), then sent: the envelope as JSON, as the bus would carry it,
with `X-Tolk-Event` (its type), `X-Tolk-Delivery` (the envelope id: deduplicate on it, as delivery is at
least once), `X-Tolk-Attempt`, `X-Tolk-Timestamp` and `X-Tolk-Signature: sha256=<HMAC of
"timestamp.body">`. A 2xx answer delivers it; anything else, or no answer within `timeout_s`, is tried
again after `retry_s`, doubling each time up to an hour, until `attempts` are spent; then it stays as
failed, listed by `tolk events webhooks`. Each subscriber is retried on its own: a dead one holds up
nobody else.

Whoever runs a loop delivers: every agent worker, `tolk serve`, or `tolk events deliver` (which stops
when nothing is due, or with `--watch` keeps going).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from fnmatch import fnmatchcase

import httpx2

from tolk.config import HookSettings
from tolk.core import now, sign
from tolk.store import webhooks as deliveries
from tolk.store.repo import Store

log = logging.getLogger(__name__)

IN_FLIGHT = 4  # deliveries to one subscriber at once: a receiver is a web app, not a broker
CLAIM = 32  # deliveries one pass takes on
MAX_WAIT_S = 3600.0
MAX_AGE_S = 86400.0  # an event older than this when first handed out is not sent (history)
KEEP_DELIVERED_S = 7 * 86400.0


class Webhooks:
    def __init__(
        self, hooks: Sequence[HookSettings], transport: httpx2.AsyncBaseTransport | None = None
    ) -> None:
        self.hooks = {h.subscriber: h for h in hooks}
        self._http = httpx2.AsyncClient(transport=transport)
        # a claimed delivery is another deliverer's again after this: long enough for a whole pass whose
        # deliveries all go to one subscriber and all time out
        self.lease_s = max((h.timeout_s for h in hooks), default=10.0) * (CLAIM // IN_FLIGHT + 1) + 30.0
        self._turns: dict[str, asyncio.Semaphore] = {}

    def wanted_by(self, kind: str) -> list[str]:
        return [who for who, h in self.hooks.items() if any(fnmatchcase(kind, p) for p in h.events)]

    async def once(self, store: Store) -> int:
        """Hand out new events, send what is due; how many deliveries were attempted."""
        deliveries.hand_out(store, self.wanted_by, fresh_after=now() - timedelta(seconds=MAX_AGE_S))
        due = deliveries.claim(store, self.lease_s, CLAIM)
        errors = await asyncio.gather(*(self._send(d) for d in due))
        for d, error in zip(due, errors, strict=True):
            if error is None:
                deliveries.delivered(store, d.id)
                continue
            retry = self.retry_at(d.subscriber, d.attempts)
            log.warning(
                "webhook %s: %s %s, attempt %d: %s%s",
                d.subscriber,
                d.event_type,
                d.event_id,
                d.attempts,
                error,
                "" if retry else "; given up",
            )
            deliveries.missed(store, d.id, error, retry)
        return len(due)

    def retry_at(self, subscriber: str, attempts: int) -> datetime | None:
        hook = self.hooks.get(subscriber)
        if hook is None or attempts >= hook.attempts:
            return None
        return now() + timedelta(seconds=min(hook.retry_s * 2 ** (attempts - 1), MAX_WAIT_S))

    async def _send(self, d: deliveries.Due) -> str | None:
        """None when the subscriber took it, else why not."""
        hook = self.hooks.get(d.subscriber)
        if hook is None:
            return "no such subscriber in [[webhooks]] any more"
        async with self._turns.setdefault(d.subscriber, asyncio.Semaphore(IN_FLIGHT)):
            return await self._post(hook, d)

    async def _post(self, hook: HookSettings, d: deliveries.Due) -> str | None:
        body = d.body.encode("utf-8")
        stamp = str(int(time.time()))
        headers = {
            "content-type": "application/json",
            "x-tolk-event": d.event_type,
            "x-tolk-delivery": d.event_id,
            "x-tolk-attempt": str(d.attempts),
            "x-tolk-timestamp": stamp,
            "x-tolk-signature": sign(hook.secret.get_secret_value(), stamp, body),
        }
        try:
            answer = await self._http.post(hook.url, content=body, headers=headers, timeout=hook.timeout_s)
        except httpx2.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"[:300]
        if 200 <= answer.status_code < 300:
            return None
        return f"HTTP {answer.status_code}: {answer.text[:200]}"

    async def run(self, store: Store, stop: asyncio.Event, poll_s: float = 1.0) -> None:
        """Deliver until `stop` is set; delivered rows are pruned now and then."""
        pruned = 0.0
        while not stop.is_set():
            try:
                sent = await self.once(store)
                if time.monotonic() - pruned > 3600:
                    deliveries.prune(store, now() - timedelta(seconds=KEEP_DELIVERED_S))
                    pruned = time.monotonic()
            except Exception as exc:  # the database is away: try again later
                log.warning("webhook delivery failed (%s); retrying", exc)
                sent = 0
            if not sent:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), poll_s)

    async def aclose(self) -> None:
        await self._http.aclose()
