"""Named glossaries for one language pair (the DeepL API's glossaries), kept whole."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from tolk.store.base import _rowcount
from tolk.store.models import GlossarySet, now
from tolk.store.repo import Store


@dataclass(frozen=True, slots=True)
class Named:
    id: str
    name: str
    source_lang: str
    target_lang: str
    entries: dict[str, str]
    created_at: datetime


def _named(row: GlossarySet) -> Named:
    return Named(row.id, row.name, row.source_lang, row.target_lang, dict(row.entries), row.created_at)


def add(store: Store, name: str, source_lang: str, target_lang: str, entries: dict[str, str]) -> Named:
    row = GlossarySet(
        id=str(uuid.uuid4()),
        name=name,
        source_lang=source_lang,
        target_lang=target_lang,
        entries=entries,
        created_at=now(),
    )
    with store.transaction() as session:
        session.add(row)
    return _named(row)


def get(store: Store, glossary_id: str) -> Named | None:
    with store.sessions() as session:
        row = session.get(GlossarySet, glossary_id)
        return _named(row) if row is not None else None


def every(store: Store) -> list[Named]:
    with store.sessions() as session:
        return [_named(r) for r in session.scalars(select(GlossarySet).order_by(GlossarySet.created_at))]


def remove(store: Store, glossary_id: str) -> bool:
    with store.transaction() as session:
        return _rowcount(session.execute(delete(GlossarySet).where(GlossarySet.id == glossary_id))) > 0
