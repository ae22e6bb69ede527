"""Activity rows: each commit's counters, each translation's history line, each engine call. Written in
the transaction of the change they count (the pipeline's commit, a reviewer's action)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from tolk import vault
from tolk.activity import Tally
from tolk.store.models import Activity, EngineCall, HistoryEntry, now
from tolk.store.repo import Store

if TYPE_CHECKING:  # a type only: what an engine call leaves behind is stored here, engines sit above
    from tolk.engines.base import Call


def record(session: Session, tally: Tally) -> None:
    if not tally.empty:
        session.execute(insert(Activity).values(at=now(), **dataclasses.asdict(tally)))


def remember_text(
    session: Session, key: tuple[str, str, str], actor: str, action: str, text: str | None,
    grade: str | None = None, score: float | None = None,
) -> None:  # fmt: skip
    """One line of a translation's history (machine, edit, approve, send_back)."""
    item_id, field, lang = key
    session.execute(
        insert(HistoryEntry).values(
            item_id=item_id, field=field, lang=lang, at=now(), actor=actor[:128], action=action,
            text=None if text is None else vault.of(session).seal(field, text), grade=grade, score=score,
        )
    )  # fmt: skip


def record_calls(store: Store, calls: Sequence[Call]) -> None:
    if not calls:
        return
    stamp = now()
    rows = [
        {"at": stamp, "engine": c.engine, "model": c.model[:128], "source": c.source, "target": c.target,
         "segments": c.segments, "ok": c.ok, "seconds": c.seconds, "tokens_in": c.usage.tokens_in,
         "tokens_out": c.usage.tokens_out, "cost": c.usage.cost}
        for c in calls
    ]  # fmt: skip
    with store.transaction() as session:
        session.execute(insert(EngineCall), rows)


def spent_since(store: Store, since: datetime) -> float:
    """What the engine calls recorded since `since` cost (the daily cap's measure)."""
    with store.sessions() as session:
        total = session.execute(select(func.sum(EngineCall.cost)).where(EngineCall.at >= since)).scalar()
    return float(total or 0.0)
