"""Activity rows: each commit's counters, each translation's history line, each engine call. Written in
the transaction of the change they count (the pipeline's commit, a reviewer's action)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from tolk import vault
from tolk.activity import COUNTERS, Tally
from tolk.store.models import Activity, EngineCall, HistoryEntry, now
from tolk.store.repo import Store

if TYPE_CHECKING:  # a type only: what an engine call leaves behind is stored here, engines sit above
    from tolk.engines.base import Call


def record(session: Session, tally: Tally) -> None:
    if not tally.empty:
        session.execute(insert(Activity).values(at=now(), **dataclasses.asdict(tally)))


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a translation's history (machine, edit, approve, send_back)."""

    key: tuple[str, str, str]  # item id, field, language
    actor: str
    action: str
    text: str | None
    grade: str | None = None
    score: float | None = None


def remember_text(
    session: Session,
    key: tuple[str, str, str],
    actor: str,
    action: str,
    text: str | None,
    grade: str | None = None,
    score: float | None = None,
) -> None:
    """One line of a translation's history."""
    remember_texts(session, [Line(key, actor, action, text, grade, score)])


def remember_texts(session: Session, lines: Sequence[Line]) -> None:
    """History lines, in one statement (a run writes one per translation it stores)."""
    if not lines:
        return
    stamp, box = now(), vault.of(session)
    rows = [
        {
            "item_id": line.key[0],
            "field": line.key[1],
            "lang": line.key[2],
            "at": stamp,
            "actor": line.actor[:128],
            "action": line.action,
            "grade": line.grade,
            "score": line.score,
            "text": None if line.text is None else box.seal(line.key[1], line.text),
        }
        for line in lines
    ]
    session.connection().execute(insert(HistoryEntry), rows)


def record_calls(store: Store, calls: Sequence[Call]) -> None:
    if not calls:
        return
    stamp = now()
    rows = [
        {
            "at": stamp,
            "engine": c.engine,
            "model": c.model[:128],
            "source": c.source,
            "target": c.target,
            "segments": c.segments,
            "ok": c.ok,
            "seconds": c.seconds,
            "tokens_in": c.usage.tokens_in,
            "tokens_out": c.usage.tokens_out,
            "cost": c.usage.cost,
        }
        for c in calls
    ]
    with store.transaction() as session:
        session.execute(insert(EngineCall), rows)


def spent_since(store: Store, since: datetime) -> float:
    """What the engine calls recorded since `since` cost (the daily cap's measure)."""
    with store.sessions() as session:
        total = session.execute(select(func.sum(EngineCall.cost)).where(EngineCall.at >= since)).scalar()
    return float(total or 0.0)


# --- read back: the dashboard's and the reports' figures ---------------------------------------------


def activity_since(store: Store, since: datetime, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """The activity table's `columns` (counter names, `at`, `lang`) for every row since `since`."""
    with store.sessions() as session:
        stmt = select(*(getattr(Activity, c) for c in columns)).where(Activity.at >= since)
        return [tuple(row) for row in session.execute(stmt)]


def first_at(store: Store) -> datetime | None:
    """When the first activity row was written (None: nothing yet)."""
    with store.sessions() as session:
        found: datetime | None = session.scalar(select(func.min(Activity.at)))
        return found


def calls_since(store: Store, since: datetime) -> list[tuple[datetime, str, float, float]]:
    """(when, engine, seconds, cost) of every engine call since `since`."""
    with store.sessions() as session:
        stmt = select(EngineCall.at, EngineCall.engine, EngineCall.seconds, EngineCall.cost)
        return [(r[0], r[1], r[2], r[3]) for r in session.execute(stmt.where(EngineCall.at >= since))]


def sums_by_lang(store: Store, since: datetime, until: datetime) -> dict[str, dict[str, Any]]:
    """Every counter summed per language over the window."""
    sums = [func.sum(getattr(Activity, c)) for c in COUNTERS]
    stmt = select(Activity.lang, *sums).where(Activity.at >= since, Activity.at < until)
    with store.sessions() as session:
        return {
            lang: dict(zip(COUNTERS, values, strict=True))
            for lang, *values in session.execute(stmt.group_by(Activity.lang))
        }


def spend_by_target(store: Store, since: datetime, until: datetime) -> dict[str, dict[str, Any]]:
    """Requests, tokens and cost of the engine calls per target language over the window."""
    spend = [func.count(), func.sum(EngineCall.tokens_in + EngineCall.tokens_out), func.sum(EngineCall.cost)]
    stmt = select(EngineCall.target, *spend).where(EngineCall.at >= since, EngineCall.at < until)
    with store.sessions() as session:
        return {
            row[0]: dict(zip(("requests", "tokens", "cost"), row[1:], strict=True))
            for row in session.execute(stmt.group_by(EngineCall.target))
        }


def characters_since(store: Store, since: datetime) -> int:
    """Source characters translated on request since `since` (the API's usage)."""
    with store.sessions() as session:
        total = session.execute(select(func.sum(Activity.characters)).where(Activity.at >= since)).scalar()
    return int(total or 0)
