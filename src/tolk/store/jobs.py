"""Catalog jobs posted to the API: their rows, created in the transaction of their audit entry,
updated as they run, marked interrupted when the server that ran them stopped."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tolk.core import now
from tolk.store.models import CatalogJob
from tolk.store.repo import Store

__all__ = ["CatalogJob", "add", "get", "interrupt_leftovers", "set_values"]


def add(session: Session, job_id: str, actor: str, targets: list[str], total: int) -> CatalogJob:
    """A queued job, in the caller's transaction."""
    job = CatalogJob(
        id=job_id,
        state="queued",
        actor=actor,
        targets=targets,
        total=total,
        done=0,
        summary={},
        created_at=now(),
    )
    session.add(job)
    return job


def set_values(store: Store, job_id: str, **values: Any) -> None:
    with store.transaction() as session:
        session.execute(update(CatalogJob).where(CatalogJob.id == job_id).values(**values))


def get(store: Store, job_id: str) -> CatalogJob | None:
    with store.sessions() as session:
        return session.scalars(select(CatalogJob).where(CatalogJob.id == job_id)).first()


def interrupt_leftovers(store: Store) -> None:
    """At start-up: jobs a stopped server left running will never finish."""
    with store.transaction() as session:
        session.execute(
            update(CatalogJob)
            .where(CatalogJob.state.in_(["queued", "running"]))
            .values(
                state="interrupted",
                error="the server stopped during this job; post it again",
                finished_at=now(),
            )
        )
