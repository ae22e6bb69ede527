"""What people and downstream systems read: a page of translations, the review queue and its counts, a
translation's history, the export stream. Reads only; the writes that decide what a text is live in
translations.py."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Text, cast, exists, func, or_, select

from tolk.core import HELD, publishable
from tolk.store.base import StoreBase
from tolk.store.models import HistoryEntry, SourceField, Translation

REVIEW_STATUSES = ("NEEDS_REVIEW", "PENDING_APPROVAL")  # the quality loop's; "SENT_BACK" waits for a machine
# the review queue's orders: by product; lowest score first; longest waiting first; newest first; by check
_ORDER: dict[str, tuple[Any, ...]] = {
    "product": (),
    "score": (Translation.score.is_(None), Translation.score),
    "age": (Translation.updated_at,),
    "newest": (Translation.updated_at.desc(),),
    "check": (cast(Translation.checks, Text),),
}
REVIEW_SORTS = tuple(_ORDER)


def _waiting() -> Any:
    """Waiting for a person: failed the gate, awaits approval, or a suggestion beside a person's text."""
    return Translation.status.in_(REVIEW_STATUSES) | Translation.suggestion.is_not(None)


class Reading(StoreBase):
    def history(self, item_id: str, field: str, lang: str, limit: int = 200) -> list[HistoryEntry]:
        """A translation's history lines, newest first."""
        stmt = (
            select(HistoryEntry)
            .where(HistoryEntry.item_id == item_id, HistoryEntry.field == field, HistoryEntry.lang == lang)
            .order_by(HistoryEntry.id.desc())
        )
        with self.sessions() as session:
            return list(session.scalars(stmt.limit(limit)))

    def translations(
        self, langs: Sequence[str] | None, grade: str | None, *, offset: int = 0, limit: int = 100
    ) -> list[Translation]:
        """A page of translations (of these languages, of this grade), by language, item and field."""
        stmt = select(Translation).order_by(Translation.lang, Translation.item_id, Translation.field)
        if langs:
            stmt = stmt.where(Translation.lang.in_(langs))
        if grade:
            stmt = stmt.where(Translation.grade == grade)
        with self.sessions() as session:
            return list(session.scalars(stmt.offset(offset).limit(limit)))

    def published_texts(self, item_ids: Iterable[str], lang: str) -> dict[str, dict[str, str]]:
        """Each item's stored translations into `lang` that may be published, field by field (what an
        item-wide rule — a required term anywhere in the item — reads beside a run's new texts)."""
        wanted = sorted(set(item_ids))
        if not wanted:
            return {}
        stmt = select(Translation.item_id, Translation.field, Translation.text, Translation.status).where(
            Translation.item_id.in_(wanted), Translation.lang == lang
        )
        found: dict[str, dict[str, str]] = {}
        with self.sessions() as session:
            for item_id, field, text, status in session.execute(stmt):
                if publishable(status):
                    found.setdefault(item_id, {})[field] = text
        return found

    def sources(self, item_ids: Iterable[str]) -> dict[tuple[str, str], str]:
        """The source text of every field of these items, by (item id, field)."""
        ids = set(item_ids)
        if not ids:
            return {}
        stmt = select(SourceField.item_id, SourceField.field, SourceField.text)
        with self.sessions() as session:
            return {(i, f): text for i, f, text in session.execute(stmt.where(SourceField.item_id.in_(ids)))}

    def review_queue(
        self,
        lang: str | Sequence[str] | None = None,
        limit: int = 100,
        *,
        grade: str | None = None,
        profile: str | None = None,
        check: str | None = None,
        offset: int = 0,
        q: str | None = None,
        sort: str = "product",
    ) -> list[Translation]:
        """What waits for a person: failed the gate, awaits approval, or has a newer machine suggestion;
        narrowed to languages, a grade, a profile, one failed check or a search (`q`: in the product
        id, the source or the translation, any case), in the order `sort` names (REVIEW_SORTS)."""
        t = Translation
        stmt = select(t).where(_waiting()).order_by(*_ORDER[sort], t.lang, t.item_id, t.field)
        if q:
            in_source = exists().where(
                SourceField.item_id == t.item_id,
                SourceField.field == t.field,
                SourceField.text.icontains(q, autoescape=True),
            )
            stmt = stmt.where(
                or_(t.item_id.icontains(q, autoescape=True), t.text.icontains(q, autoescape=True), in_source)
            )
        if lang:
            stmt = stmt.where(Translation.lang.in_([lang] if isinstance(lang, str) else list(lang)))
        if grade:
            stmt = stmt.where(Translation.grade == grade)
        if profile:
            stmt = stmt.where(Translation.profile == profile)
        if check:  # every dialect keeps the JSON text as SQLAlchemy wrote it (json.dumps separators)
            needle = json.dumps({"id": check})[1:-1]
            stmt = stmt.where(cast(Translation.checks, Text).contains(needle, autoescape=True))
        with self.sessions() as session:
            return list(session.scalars(stmt.offset(offset).limit(limit)))

    def review_counts(self) -> dict[str, int]:
        """How many translations wait for a person, per language."""
        stmt = select(Translation.lang, func.count()).where(_waiting()).group_by(Translation.lang)
        with self.sessions() as session:
            return {lang: int(n) for lang, n in session.execute(stmt)}

    def export_rows(self, lang: str | None = None, *, everything: bool = False) -> Iterator[dict[str, Any]]:
        """(id, field, lang) records with their source and what a downstream system filters on: status
        (the row's, or its grade: CHECKED, APPROVED, HUMAN are publishable), score, failed checks and
        approved_by; streamed in id order. Only publishable rows unless `everything`."""
        t = Translation
        stmt = (
            select(
                t.item_id,
                t.field,
                t.lang,
                SourceField.text,
                t.text,
                t.grade,
                t.engine,
                t.model,
                t.status,
                t.score,
                t.checks,
                t.approved_by,
            )
            .join(SourceField, (SourceField.item_id == t.item_id) & (SourceField.field == t.field))
            .order_by(t.item_id, t.field, t.lang)
        )
        if lang:
            stmt = stmt.where(t.lang == lang)
        if not everything:
            stmt = stmt.where(t.status.is_(None) | t.status.not_in(sorted(HELD)))
        keys = ("id", "field", "lang", "source", "text", "grade", "engine", "model")
        with self.sessions() as session:
            for row in session.execute(stmt.execution_options(yield_per=1000)):
                record = dict(zip(keys, row[:8], strict=True))
                status, score, checks, approved_by = row[8:]
                failed = [str(c.get("id")) for c in checks or [] if isinstance(c, dict)]
                yield record | {
                    "status": status or record["grade"],
                    "score": score,
                    "failed": failed,
                    "approved_by": approved_by,
                }
