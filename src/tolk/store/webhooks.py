"""Webhook deliveries: the outbox's events handed to each subscriber, then sent until answered.

Handing out (`hand_out`) and claiming (`claim`) lock their rows with SKIP LOCKED, so the delivery loops
of several workers (and `tolk serve`) share the work instead of sending an event twice. A claim leases
its deliveries for a while (`next_at` moves on, the attempt is counted) and the caller sends them
outside any transaction; a process that dies mid-send leaves the lease to run out, and the delivery is
sent again: at least once, and the envelope id lets a receiver deduplicate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, delete, func, insert, select, update

from tolk.store.base import _rowcount
from tolk.store.models import OutboxEvent, WebhookDelivery, now
from tolk.store.repo import Store

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


@dataclass(frozen=True, slots=True)
class Due:
    id: int
    subscriber: str
    event_id: str
    event_type: str
    body: str
    attempts: int  # this one included


@dataclass(frozen=True, slots=True)
class Standing:
    """One subscriber's deliveries, as `tolk events webhooks` lists them."""

    subscriber: str
    pending: int
    delivered: int
    failed: int
    last_error: str | None
    last_at: datetime | None


def hand_out(
    store: Store, wanted_by: Callable[[str], Sequence[str]], *, fresh_after: datetime, limit: int = 500
) -> int:
    """Due outbox events not handed out yet become one delivery per subscriber that wants their type
    (`wanted_by(type)`); events older than `fresh_after` are passed over (a subscriber added today is
    not sent last month's). How many deliveries were made."""
    made = 0
    with store.transaction() as session:
        stmt = (
            select(OutboxEvent.id, OutboxEvent.type, OutboxEvent.body, OutboxEvent.created_at)
            .where(OutboxEvent.hooked_at.is_(None), OutboxEvent.due_at <= now())
            .order_by(OutboxEvent.due_at, OutboxEvent.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = list(session.execute(stmt))
        if not rows:
            return 0
        at = now()
        deliveries = [
            {
                "subscriber": who,
                "event_id": event_id,
                "event_type": kind,
                "body": body,
                "state": PENDING,
                "attempts": 0,
                "next_at": at,
                "created_at": at,
            }
            for event_id, kind, body, created in rows
            if created >= fresh_after
            for who in wanted_by(kind)
        ]
        if deliveries:
            session.execute(insert(WebhookDelivery), deliveries)
            made = len(deliveries)
        ids = [r[0] for r in rows]
        session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(ids)).values(hooked_at=at))
    return made


def claim(store: Store, lease_s: float, limit: int = 50) -> list[Due]:
    """Pending deliveries whose time has come, leased for `lease_s` and their attempt counted."""
    with store.transaction() as session:
        stmt = (
            select(WebhookDelivery)
            .where(WebhookDelivery.state == PENDING, WebhookDelivery.next_at <= now())
            .order_by(WebhookDelivery.next_at, WebhookDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = list(session.scalars(stmt))
        until = now() + timedelta(seconds=lease_s)
        due = []
        for row in rows:
            row.attempts += 1
            row.next_at = until
            due.append(Due(row.id, row.subscriber, row.event_id, row.event_type, row.body, row.attempts))
    return due


def delivered(store: Store, delivery_id: int) -> None:
    with store.transaction() as session:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id)
            .values(state=DELIVERED, done_at=now(), last_error=None)
        )


def missed(store: Store, delivery_id: int, error: str, retry_at: datetime | None) -> None:
    """A failed attempt: tried again at `retry_at`, or (None) given up."""
    values: dict[str, object] = {"last_error": error[:500]}
    if retry_at is None:
        values |= {"state": FAILED, "done_at": now()}
    else:
        values["next_at"] = retry_at
    with store.transaction() as session:
        session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values))


def standings(store: Store) -> list[Standing]:
    d = WebhookDelivery

    def count(state: str) -> ColumnElement[int]:
        return func.sum(case((d.state == state, 1), else_=0))

    stmt = (
        select(d.subscriber, count(PENDING), count(DELIVERED), count(FAILED), func.max(d.created_at))
        .group_by(d.subscriber)
        .order_by(d.subscriber)
    )
    with store.sessions() as session:
        rows = list(session.execute(stmt))
        out = []
        for who, pending, done, failed, last_at in rows:
            error = session.scalar(
                select(d.last_error)
                .where(d.subscriber == who, d.last_error.is_not(None))
                .order_by(d.id.desc())
                .limit(1)
            )
            out.append(Standing(who, int(pending or 0), int(done or 0), int(failed or 0), error, last_at))
    return out


def prune(store: Store, before: datetime) -> int:
    """Delivered rows done before `before` go (failed ones stay: someone should see them)."""
    with store.transaction() as session:
        stmt = delete(WebhookDelivery).where(
            WebhookDelivery.state == DELIVERED, WebhookDelivery.done_at < before
        )
        return _rowcount(session.execute(stmt))
