"""What the agent remembers in SQL: processed event ids, attempt counters, product marks, workers.

Processed ids and marks are written in the caller's transaction, the one that holds the effect, so an
event's effect and the record that it happened commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, literal_column, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tolk.events import Envelope
from tolk.store.models import AgentWorker, EventAttempt, ProcessedEvent, ProductMark, now
from tolk.store.repo import Store


def naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


# --- processed events --------------------------------------------------------------------------------


def processed(session: Session, consumer: str, event_id: str) -> ProcessedEvent | None:
    return session.get(ProcessedEvent, (consumer, event_id))


def record(session: Session, consumer: str, envelope: Envelope, outcome: str) -> None:
    """Raises IntegrityError when another worker recorded the same event first."""
    session.add(
        ProcessedEvent(
            consumer=consumer,
            event_id=envelope.id,
            event_type=envelope.type[:64],
            outcome=outcome,
            duplicates=0,
            processed_at=now(),
        )
    )
    session.flush()


def count_duplicate(session: Session, consumer: str, event_id: str) -> None:
    session.execute(
        update(ProcessedEvent)
        .where(ProcessedEvent.consumer == consumer, ProcessedEvent.event_id == event_id)
        .values(duplicates=ProcessedEvent.duplicates + 1)
    )


# --- attempts ----------------------------------------------------------------------------------------


def attempts(store: Store, consumer: str, event_id: str) -> int:
    with store.sessions() as session:
        row = session.get(EventAttempt, (consumer, event_id))
        return row.attempts if row else 0


def add_attempt(store: Store, consumer: str, event_id: str, error: str) -> int:
    """Count a failed try of an event (whatever delivery it came with); returns the new count."""
    with store.transaction() as session:
        stmt = (
            update(EventAttempt)
            .where(EventAttempt.consumer == consumer, EventAttempt.event_id == event_id)
            .values(attempts=EventAttempt.attempts + 1, last_error=error[:2000], updated_at=now())
        )
        if not session.execute(stmt).rowcount:  # type: ignore[attr-defined]
            session.execute(
                store.insert_ignore(EventAttempt).values(
                    consumer=consumer,
                    event_id=event_id,
                    attempts=1,
                    last_error=error[:2000],
                    updated_at=now(),
                )
            )
        row = session.get(EventAttempt, (consumer, event_id))
        return row.attempts if row else 1


def first_seen(store: Store, consumer: str, event_id: str) -> datetime:
    """When this consumer first saw the event (recorded now if never): a parked event's wait counts
    from its arrival, not from `occurred_at`, so a backfill of old events is not given up on sight."""
    with store.transaction() as session:
        row = session.get(EventAttempt, (consumer, event_id))
        if row is not None and row.first_seen_at is not None:
            return row.first_seen_at
        if row is None:
            session.execute(
                store.insert_ignore(EventAttempt).values(
                    consumer=consumer, event_id=event_id, attempts=0, updated_at=now(), first_seen_at=now()
                )
            )
        else:
            row.first_seen_at = now()
    with store.sessions() as session:  # a racing worker may have recorded it first: theirs holds
        row = session.get(EventAttempt, (consumer, event_id))
        return row.first_seen_at if row and row.first_seen_at else now()


# --- product marks -----------------------------------------------------------------------------------


def source_kind(source: str) -> str:
    """The mark of the newest event a producer (the envelope's `source`) published about a product."""
    return f"source:{source}"[:64]


def marks(session: Session, product_id: str) -> dict[str, datetime]:
    rows = session.execute(
        select(ProductMark.event_type, ProductMark.occurred_at).where(ProductMark.product_id == product_id)
    )
    return {kind: at for kind, at in rows}


def advance(store: Store, session: Session, product_id: str, kind: str, envelope: Envelope) -> bool:
    """Move the product's `kind` mark to this event unless a newer one is there; False if one is.

    The UPDATE takes the mark's row lock, so two workers racing on one product serialise here and the
    older event loses, whichever commits first.
    """
    at = naive_utc(envelope.occurred_at)
    row = {"product_id": product_id, "event_type": kind, "occurred_at": at, "event_id": envelope.id}
    insert = store.insert_ignore(ProductMark).values(**row)
    if store.dialect == "mysql":
        if session.execute(insert).rowcount:  # type: ignore[attr-defined]
            return True
    elif session.execute(insert.returning(literal_column("1"))).first() is not None:
        return True  # the first mark of its kind (a racing insert waits on the key, then is ignored)
    stmt = (
        update(ProductMark)
        .where(
            ProductMark.product_id == product_id,
            ProductMark.event_type == kind,
            ProductMark.occurred_at <= at,
        )
        .values(occurred_at=at, event_id=envelope.id)
    )
    return bool(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


# --- workers -----------------------------------------------------------------------------------------


def register(store: Store, worker_id: str, agent: str, host: str, pid: int, queues: Sequence[str]) -> None:
    with store.transaction() as session:
        session.merge(
            AgentWorker(
                id=worker_id,
                agent=agent,
                host=host,
                pid=pid,
                queues=list(queues),
                state="running",
                started_at=now(),
                heartbeat_at=now(),
                restart_requested_at=None,
                stats={},
            )
        )


def heartbeat(store: Store, worker_id: str, state: str, stats: dict[str, Any]) -> bool:
    """Record that the worker lives; True when an operator asked for a restart since it started."""
    with store.transaction() as session:
        session.execute(
            update(AgentWorker)
            .where(AgentWorker.id == worker_id)
            .values(state=state, heartbeat_at=now(), stats=stats)
        )
        row = session.get(AgentWorker, worker_id)
        return bool(row and row.restart_requested_at and row.restart_requested_at >= row.started_at)


def request_restart(store: Store, agent: str, *, alive_within_s: float = 60.0) -> int:
    """Ask every live worker of `agent` to restart (at its next heartbeat); returns how many."""
    cutoff = now() - timedelta(seconds=alive_within_s)
    with store.transaction() as session:
        result = session.execute(
            update(AgentWorker)
            .where(
                AgentWorker.agent == agent,
                AgentWorker.state.in_(["running", "paused"]),
                AgentWorker.heartbeat_at >= cutoff,
            )
            .values(restart_requested_at=now())
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


LOST_AFTER_BEATS = 3


def state(worker: AgentWorker, heartbeat_s: float) -> str:
    """The worker's state as it said it, or `lost` when a live one has been silent for three beats."""
    silent = (now() - worker.heartbeat_at).total_seconds()
    alive = worker.state in ("running", "paused")
    return "lost" if alive and silent > LOST_AFTER_BEATS * heartbeat_s else worker.state


def any_worker(store: Store) -> bool:
    """Has an agent worker ever run against this store (its relay publishes the outbox)?"""
    with store.sessions() as session:
        return session.scalar(select(AgentWorker.id).limit(1)) is not None


def workers(store: Store) -> list[AgentWorker]:
    with store.sessions() as session:
        return list(session.scalars(select(AgentWorker).order_by(AgentWorker.agent, AgentWorker.host)))


def processed_counts(store: Store) -> dict[str, int]:
    with store.sessions() as session:
        rows = session.execute(select(ProcessedEvent.outcome, func.count()).group_by(ProcessedEvent.outcome))
        return {outcome: int(n) for outcome, n in rows}


def claim_once(store: Store, consumer: str, key: str, kind: str) -> bool:
    """True for the one caller, of any number of processes, that records `key` for `consumer` first
    (a scheduled report's slot: sent once, whatever the number of workers)."""
    try:
        with store.transaction() as session:
            session.execute(
                insert(ProcessedEvent).values(
                    consumer=consumer, event_id=key, event_type=kind, outcome="sent", processed_at=now()
                )
            )
    except IntegrityError:
        return False
    return True
