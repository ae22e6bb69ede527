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
# the same grades as SQL literals: the hot-path statements run as executemany, where an IN list of bound
# parameters cannot expand (the values are tolk's own enum, never input)
_PROTECTED_SQL: list[Any] = [literal_column(f"'{g}'") for g in _PROTECTED]


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
            .where(*where, t.grade.not_in(_PROTECTED_SQL))
            .values(version=t.version + 1, **set_values)
        )
        self.suggest = (
            update(Translation)
            .where(*where, t.grade.in_(_PROTECTED_SQL))
            .values(
                suggestion=bindparam("v_suggestion", type_=t.suggestion.type),
                suggestion_engine=bindparam("v_suggestion_engine"),
            )
        )
        insert_translation = store.insert_ignore(Translation)
        if store.dialect != "mysql":
            insert_translation = insert_translation.returning(literal_column("1"))
        self.insert_translation = insert_translation
        self.insert_translation_returning = store.insert_ignore(Translation).returning(
            t.item_id, t.field, t.lang
        )
        i = Item.__table__.c
        item_cols = ("source_lang", "category", "attrs", "content_hash", "updated_at")
        self.update_item = (
            update(Item)
            .where(i.id == bindparam("k_id"))
            .values(**{c: bindparam(f"v_{c}", type_=i[c].type) for c in item_cols})
        )


def _key(w: MachineWrite) -> tuple[str, str, str]:
    return (w.item_id, w.field, w.lang)


def _keyed(w: MachineWrite) -> dict[str, str]:
    """The row's key as the hot-path statements bind it."""
    return {"k_item": w.item_id, "k_field": w.field, "k_lang": w.lang}


def _as_suggestion(w: MachineWrite, values: dict[str, Any]) -> dict[str, Any]:
    """What the complement of the machine UPDATE sets beside a person's text."""
    return {"v_suggestion": values["v_text"], "v_suggestion_engine": w.engine}


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
        """Store machine output: 'inserted', 'updated', or 'suggested' when a person's text is there."""
        return self.write_machines(session, [(w, exists)])[0]

    def write_machines(self, session: Session, writes: Sequence[tuple[MachineWrite, bool]]) -> list[str]:
        """Store a chunk's machine output; each write's outcome, in order: 'inserted', 'updated', or
        'suggested' when a person's text is there (it stays; the machine's waits beside it).

        A person's text is protected by the statements themselves: the machine's UPDATE skips protected
        grades and its complement writes the suggestion only there, so any number of concurrent writers
        keep the rule. The chunk takes one statement per kind of write (rows in key order, so concurrent
        chunks lock them in the same order); where the counts show another writer got in between (a row
        the caller saw vanished, or one it saw missing was inserted meanwhile), those rows are written
        one at a time, exactly as before."""
        if not writes:
            return []
        conn, stamp = session.connection(), now()
        order = sorted(range(len(writes)), key=lambda i: _key(writes[i][0]))
        values = {i: self._machine_values(writes[i][0], stamp) for i in order}
        outcome: dict[int, str] = {}
        seen = [i for i in order if writes[i][1]]
        if seen:
            outcome |= self._overwrite(conn, {i: writes[i][0] for i in seen}, values)
        fresh = [i for i in order if i not in outcome]
        if fresh:
            inserted = self._insert_new(conn, [self._new_row(writes[i][0], values[i]) for i in fresh])
            for i in fresh:
                if _key(writes[i][0]) in inserted:
                    outcome[i] = "inserted"
                else:  # another writer inserted it meanwhile
                    outcome[i] = self._write_one(conn, writes[i][0], values[i])
        return [outcome[i] for i in range(len(writes))]

    def _overwrite(
        self, conn: Connection, writes: dict[int, MachineWrite], values: dict[int, dict[str, Any]]
    ) -> dict[int, str]:
        """Rows the caller saw: the machine's text, or its suggestion beside a person's. Returns the
        outcomes of the rows that were there; a row that was not is left to the insert."""
        rows = [_keyed(w) | values[i] | _as_suggestion(w, values[i]) for i, w in writes.items()]
        matched = _rowcount(conn.execute(self._sql.update_machine, rows))
        matched += _rowcount(conn.execute(self._sql.suggest, rows))
        present = self._grades(conn, list(writes.values()))
        if matched != sum(1 for w in writes.values() if _key(w) in present):
            # a row appeared between the update and the read (another writer): redo each exactly (a row
            # already updated is updated again with the same text)
            return {i: self._write_one(conn, w, values[i]) for i, w in writes.items()}
        return {
            i: "suggested" if present[_key(w)] in _PROTECTED else "updated"
            for i, w in writes.items()
            if _key(w) in present
        }

    def _write_one(self, conn: Connection, w: MachineWrite, values: dict[str, Any]) -> str:
        """One row the slow, exact way: update, else insert, else update again, else suggest."""
        sql, key = self._sql, _keyed(w)
        if _rowcount(conn.execute(sql.update_machine, key | values)) == 1:
            return "updated"
        if self._inserted(conn, self._new_row(w, values)):
            return "inserted"
        if _rowcount(conn.execute(sql.update_machine, key | values)) == 1:
            return "updated"
        conn.execute(sql.suggest, key | _as_suggestion(w, values))
        return "suggested"

    def _machine_values(self, w: MachineWrite, stamp: Any) -> dict[str, Any]:
        return {
            "v_text": self.vault.seal(w.field, w.text),
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
            "v_updated_at": stamp,
        }

    @staticmethod
    def _new_row(w: MachineWrite, values: dict[str, Any]) -> dict[str, Any]:
        row = {c.removeprefix("v_"): v for c, v in values.items()}
        return row | {
            "item_id": w.item_id,
            "field": w.field,
            "lang": w.lang,
            "version": 1,
            "created_at": values["v_updated_at"],
        }

    def _insert_new(self, conn: Connection, rows: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
        """Insert-or-ignore; the keys this statement inserted (another writer may have been first)."""
        if conn.dialect.insert_executemany_returning:
            result = conn.execute(self._sql.insert_translation_returning, rows)
            return {(r[0], r[1], r[2]) for r in result}
        return {(r["item_id"], r["field"], r["lang"]) for r in rows if self._inserted(conn, r)}

    def _grades(self, conn: Connection, writes: Sequence[MachineWrite]) -> dict[tuple[str, str, str], str]:
        """The grade of each of these rows that exists, read in the writing transaction after its updates
        (which hold the rows' locks, so the grades are the ones the updates saw)."""
        t, found = Translation.__table__.c, dict[tuple[str, str, str], str]()
        for lang in sorted({w.lang for w in writes}):
            ids = sorted({w.item_id for w in writes if w.lang == lang})
            for start in range(0, len(ids), 500):
                stmt = select(t.item_id, t.field, t.grade).where(
                    t.lang == lang, t.item_id.in_(ids[start : start + 500])
                )
                found |= {(item_id, field, lang): grade for item_id, field, grade in conn.execute(stmt)}
        return found

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
