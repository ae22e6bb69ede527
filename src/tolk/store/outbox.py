"""Events on their way out (the transactional outbox), consumed events that came to nothing, and runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from tolk.events import Envelope
from tolk.store.base import StoreBase, _rowcount
from tolk.store.models import OutboxEvent, ProcessedEvent, Run, now

EVENT_FAILURES = ("failed", "dead")  # outcomes of consumed events that came to nothing


class Outbox(StoreBase):
    """The outbox, event failures and runs."""

    # --- outbox -------------------------------------------------------------------------------------

    def outbox_add(self, session: Session, envelope: Envelope, delay_s: float = 0.0) -> None:
        """Queue an event in the caller's transaction: it exists exactly when the change does."""
        self.outbox_add_many(session, [(envelope, delay_s)])

    def outbox_add_many(self, session: Session, queued: Sequence[tuple[Envelope, float]]) -> None:
        """Queue events (each with its delay in seconds) in the caller's transaction, in one statement."""
        if not queued:
            return
        created = now()
        rows = [
            {
                "id": e.id,
                "type": e.type,
                "body": e.to_json(),
                "created_at": created,
                "due_at": created + timedelta(seconds=delay),
                "sent_at": None,
            }
            for e, delay in queued
        ]
        session.connection().execute(insert(OutboxEvent), rows)

    def outbox_prune(self, sent_before: datetime) -> int:
        """Delete events published before `sent_before` (never an unpublished one); how many went."""
        with self.transaction() as session:
            stmt = delete(OutboxEvent).where(
                OutboxEvent.sent_at.is_not(None), OutboxEvent.sent_at < sent_before
            )
            return _rowcount(session.execute(stmt))

    def outbox_claim(self, session: Session, limit: int = 100) -> list[tuple[str, str]]:
        """Unsent events whose time has come, oldest first, as (id, body), locked for the caller's
        transaction: concurrent relays (one per worker) skip each other's rows instead of publishing
        them twice (PostgreSQL, MariaDB; SQLite has one writer anyway)."""
        stmt = (
            select(OutboxEvent.id, OutboxEvent.body)
            .where(OutboxEvent.sent_at.is_(None), OutboxEvent.due_at <= now())
            .order_by(OutboxEvent.due_at, OutboxEvent.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [(r[0], r[1]) for r in session.execute(stmt)]

    def outbox_mark_sent(self, session: Session, ids: Sequence[str]) -> None:
        session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(ids)).values(sent_at=now()))

    def outbox_due(self) -> tuple[int, datetime | None]:
        """Unsent events whose time has come, and when the oldest of them came due (the relay's lag)."""
        due = (OutboxEvent.sent_at.is_(None), OutboxEvent.due_at <= now())
        with self.sessions() as session:
            row = session.execute(select(func.count(), func.min(OutboxEvent.due_at)).where(*due)).one()
        return int(row[0]), row[1]

    def outbox_recent(self, kind: str, n: int = 5) -> list[OutboxEvent]:
        """The last `n` events of a type, newest first, sent or not."""
        stmt = select(OutboxEvent).where(OutboxEvent.type == kind).order_by(OutboxEvent.created_at.desc())
        with self.sessions() as session:
            return list(session.scalars(stmt.limit(n)))

    def outbox_pending(self) -> int:
        """Unsent events, due or delayed."""
        with self.sessions() as session:
            stmt = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.sent_at.is_(None))
            return int(session.scalar(stmt) or 0)

    def outbox(self, *, pending: bool = True, limit: int = 1000) -> list[OutboxEvent]:
        stmt = select(OutboxEvent).order_by(OutboxEvent.due_at, OutboxEvent.created_at).limit(limit)
        if pending:
            stmt = stmt.where(OutboxEvent.sent_at.is_(None))
        with self.sessions() as session:
            return list(session.scalars(stmt))

    # --- events the agent could not use -------------------------------------------------------------

    def event_failures(self, since: datetime, until: datetime) -> list[tuple[datetime, str, str]]:
        """(when, language, outcome) of consumed events that failed as a whole in the window: `failed`
        (unusable: no text, unknown product, a language no worker serves) and `dead` (dead-lettered)."""
        stmt = select(ProcessedEvent.processed_at, ProcessedEvent.consumer, ProcessedEvent.outcome).where(
            ProcessedEvent.outcome.in_(EVENT_FAILURES),
            ProcessedEvent.processed_at >= since,
            ProcessedEvent.processed_at < until,
        )
        with self.sessions() as session:
            return [
                (at, consumer.rsplit(".", 1)[-1], outcome) for at, consumer, outcome in session.execute(stmt)
            ]

    # --- runs ----------------------------------------------------------------------------------------

    def start_run(self, command_name: str) -> int:
        with self.transaction() as session:
            run = Run(command=command_name, stats={})
            session.add(run)
            session.flush()
            return run.id

    def finish_run(self, run_id: int, stats: dict[str, Any]) -> None:
        with self.transaction() as session:
            session.execute(update(Run).where(Run.id == run_id).values(finished_at=now(), stats=stats))
