"""Items and their translations: the catalog's rows, the machine's and people's texts, the review queue.
The rule that no machine overwrites a person's work is enforced by the write itself (a conditional
UPDATE), so it holds with any number of concurrent writers."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, literal_column, select, update
from sqlalchemy.orm import Session

from tolk.core import PROTECTED_GRADES, Grade, digest, normalize_text
from tolk.store.base import StoreBase, _rowcount
from tolk.store.knowledge import Knowledge
from tolk.store.models import Item, SourceField, Translation, now
from tolk.store.reading import Reading
from tolk.vault import Vault

_PROTECTED = [g.value for g in PROTECTED_GRADES]


@dataclass(slots=True)
class ItemRecord:
    id: str
    source_lang: str
    category: str | None
    fields: dict[str, str]  # translatable fields
    attrs: dict[str, Any]  # everything else
    content_hash: str


@dataclass(slots=True)
class MachineWrite:
    item_id: str
    field: str
    lang: str
    text: str
    engine: str
    model: str
    source_hash: str
    cache_key: str | None
    checks: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    score: float | None = None
    status: str | None = None
    grade: Grade = Grade.MACHINE
    profile: str | None = None
    approved_by: str | None = None  # judge:<engine>, reference, round-trip:<engine>
    fallback_for: str | None = None  # made by a fallback engine standing in for this one


@dataclass(frozen=True, slots=True)
class Existing:
    grade: str
    source_hash: str
    cache_key: str | None


class _Statements:
    """The hot-path statements, built once per store: building SQL per row costs more than running it."""

    def __init__(self, store: StoreBase) -> None:
        t = Translation.__table__.c
        where = (
            t.item_id == bindparam("k_item"),
            t.field == bindparam("k_field"),
            t.lang == bindparam("k_lang"),
        )
        cols = (
            "text",
            "grade",
            "status",
            "engine",
            "model",
            "source_hash",
            "cache_key",
            "checks",
            "score",
            "profile",
            "approved_by",
            "fallback_for",
            "updated_at",
        )
        set_values = {c: bindparam(f"v_{c}", type_=t[c].type) for c in cols}
        self.update_machine = (
            update(Translation)
            .where(*where, t.grade.not_in(_PROTECTED))
            .values(version=t.version + 1, **set_values)
        )
        self.suggest = (
            update(Translation)
            .where(*where, t.grade.in_(_PROTECTED))
            .values(
                suggestion=bindparam("v_suggestion", type_=t.suggestion.type),
                suggestion_engine=bindparam("v_suggestion_engine"),
            )
        )
        insert_translation = store.insert_ignore(Translation)
        if store.dialect != "mysql":
            insert_translation = insert_translation.returning(literal_column("1"))
        self.insert_translation = insert_translation
        i = Item.__table__.c
        item_cols = ("source_lang", "category", "attrs", "content_hash", "updated_at")
        self.update_item = (
            update(Item)
            .where(i.id == bindparam("k_id"))
            .values(**{c: bindparam(f"v_{c}", type_=i[c].type) for c in item_cols})
        )


def _item_row(r: ItemRecord, stamp: Any, box: Vault) -> dict[str, Any]:
    return {
        "id": r.id,
        "source_lang": r.source_lang,
        "category": r.category,
        "attrs": box.seal_attrs(r.attrs),
        "content_hash": r.content_hash,
        "updated_at": stamp,
    }


class Translations(Knowledge, Reading):
    """Items, their source fields and their translations (a person's text also teaches the memory)."""

    @cached_property
    def _sql(self) -> _Statements:
        return _Statements(self)

    # --- items ---------------------------------------------------------------------------------------

    def save_items(self, session: Session, records: Sequence[ItemRecord]) -> int:
        """Insert new items and update changed ones; unchanged items are not touched. Returns changes.

        Rows go in as one executemany per table: per-row statements dominate large catalogs.
        """
        if not records:
            return 0
        ids = [r.id for r in records]
        known = {
            r[0]: r[1] for r in session.execute(select(Item.id, Item.content_hash).where(Item.id.in_(ids)))
        }
        fresh = [r for r in records if r.id not in known]
        changed = [r for r in records if r.id in known and known[r.id] != r.content_hash]
        conn, stamp, box = session.connection(), now(), self.vault
        if fresh:
            conn.execute(insert(Item), [_item_row(r, stamp, box) | {"created_at": stamp} for r in fresh])
        if changed:
            rows = [
                {f"v_{k}": v for k, v in _item_row(r, stamp, box).items() if k != "id"} | {"k_id": r.id}
                for r in changed
            ]
            conn.execute(self._sql.update_item, rows)
            conn.execute(delete(SourceField).where(SourceField.item_id.in_([r.id for r in changed])))
        fields = [
            {
                "item_id": r.id,
                "field": name,
                "text": box.seal(name, text),
                "source_hash": digest(normalize_text(text)),
            }
            for r in (*fresh, *changed)
            for name, text in r.fields.items()
        ]
        if fields:
            conn.execute(insert(SourceField), fields)
        return len(fresh) + len(changed)

    def item_attrs(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every item's id and attributes (its fields that are not translated), by id."""
        with self.sessions() as session:
            for item_id, attrs in session.execute(select(Item.id, Item.attrs).order_by(Item.id)):
                yield item_id, dict(attrs or {})

    # --- translations --------------------------------------------------------------------------------

    def existing(
        self, session: Session, item_ids: Iterable[str], lang: str
    ) -> dict[tuple[str, str], Existing]:
        stmt = select(
            Translation.item_id,
            Translation.field,
            Translation.grade,
            Translation.source_hash,
            Translation.cache_key,
        ).where(Translation.item_id.in_(list(item_ids)), Translation.lang == lang)
        return {(r[0], r[1]): Existing(r[2], r[3], r[4]) for r in session.execute(stmt)}

    def write_machine(self, session: Session, w: MachineWrite, *, exists: bool = True) -> str:
        """Store machine output: 'inserted', 'updated', or 'suggested' when a person's text is there.

        `exists=False` (the caller saw no row) tries the insert first; either order ends the same.
        """
        conn, sql = session.connection(), self._sql
        text = self.vault.seal(w.field, w.text)
        values = {
            "v_text": text,
            "v_grade": w.grade.value,
            "v_status": w.status,
            "v_engine": w.engine,
            "v_model": w.model,
            "v_source_hash": w.source_hash,
            "v_cache_key": w.cache_key,
            "v_checks": w.checks,
            "v_score": w.score,
            "v_profile": w.profile,
            "v_approved_by": w.approved_by,
            "v_fallback_for": w.fallback_for,
            "v_updated_at": now(),
        }
        key = {"k_item": w.item_id, "k_field": w.field, "k_lang": w.lang}
        row = {c.removeprefix("v_"): v for c, v in values.items()} | {
            "item_id": w.item_id,
            "field": w.field,
            "lang": w.lang,
            "version": 1,
            "created_at": values["v_updated_at"],
        }
        # update first where a row exists: it takes the row's write lock at once (no shared-then-exclusive
        # upgrade that deadlocks concurrent writers on InnoDB)
        if exists and _rowcount(conn.execute(sql.update_machine, key | values)) == 1:
            return "updated"
        if self._inserted(conn, row):
            return "inserted"
        if _rowcount(conn.execute(sql.update_machine, key | values)) == 1:  # inserted by another writer
            return "updated"
        conn.execute(sql.suggest, key | {"v_suggestion": text, "v_suggestion_engine": w.engine})
        return "suggested"

    def write_human(
        self,
        session: Session,
        item_id: str,
        field: str,
        lang: str,
        text: str,
        *,
        grade: Grade = Grade.HUMAN,
        expected_version: int | None = None,
        actor: str = "person",
        learn: bool = True,
    ) -> bool:
        """A person's edit or approval. With `expected_version`, a concurrent change makes it fail (False).

        An edit is the person's text: the machine's score and findings described another text, so they
        go (and the machine's suggestion with them). An approval keeps them: they describe this text."""
        conds = [Translation.item_id == item_id, Translation.field == field, Translation.lang == lang]
        if expected_version is not None:
            conds.append(Translation.version == expected_version)
        values: dict[str, Any] = {
            "text": self.vault.seal(field, text),
            "grade": grade.value,
            "status": None,
            "approved_by": actor,
            "fallback_for": None,
            "version": Translation.version + 1,
            "updated_at": now(),
        }
        if grade is Grade.HUMAN:
            values |= {"score": None, "checks": [], "suggestion": None, "suggestion_engine": None}
        if _rowcount(session.execute(update(Translation).where(*conds).values(**values))) != 1:
            return False
        if learn:  # a person's text teaches the memory (unless it holds someone's personal data)
            self.remember_translation(session, item_id, field, lang, creator=actor)
        return True

    def send_back(self, session: Session, translation_id: int, version: int, status: str) -> bool:
        """Back to the machines, if it is still the version the reviewer saw: the cached text and any
        suggestion go; the text stays visible until a machine replaces it."""
        stmt = (
            update(Translation)
            .where(Translation.id == translation_id, Translation.version == version)
            .values(
                grade=Grade.MACHINE.value,
                status=status,
                cache_key=None,
                suggestion=None,
                version=Translation.version + 1,
                updated_at=now(),
            )
        )
        return _rowcount(session.execute(stmt)) == 1

    def source_lang(self, session: Session, item_id: str) -> str | None:
        return session.scalar(select(Item.source_lang).where(Item.id == item_id))

    def translation(self, session: Session, item_id: str, field: str, lang: str) -> Translation | None:
        stmt = select(Translation).where(
            Translation.item_id == item_id, Translation.field == field, Translation.lang == lang
        )
        return session.scalars(stmt).one_or_none()

    def item_record(self, item_id: str, session: Session | None = None) -> ItemRecord | None:
        """An item as stored, with its source fields (for a request that names only the id); read in
        `session` where given (the agent merges an event into it inside its commit)."""
        if session is None:
            with self.sessions() as own:
                return self.item_record(item_id, own)
        item = session.get(Item, item_id, populate_existing=True)
        if item is None:
            return None
        rows = session.execute(
            select(SourceField.field, SourceField.text).where(SourceField.item_id == item_id)
        )
        return ItemRecord(
            id=item.id,
            source_lang=item.source_lang,
            category=item.category,
            fields={name: text for name, text in rows},
            attrs=dict(item.attrs or {}),
            content_hash=item.content_hash,
        )

    def _inserted(self, conn: Connection, row: dict[str, Any]) -> bool:
        """Did the insert-or-ignore add the row? (psycopg reports no rowcount for it: RETURNING says.)"""
        if self.dialect == "mysql":
            return _rowcount(conn.execute(self._sql.insert_translation, row)) == 1
        return conn.execute(self._sql.insert_translation, row).first() is not None
