"""What tolk knows beyond one catalog: the translation memory, texts reviewers rejected, the shared
cache's SQL table and the stored glossary."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session

from tolk.core import Term, digest, normalize_text, text_hash
from tolk.glossary import Glossary, GlossaryEntry
from tolk.store.base import StoreBase, _rowcount
from tolk.store.models import (
    CacheEntry,
    GlossaryTerm,
    Item,
    MemoryUnit,
    RejectedText,
    SourceField,
    Translation,
    now,
)


class Knowledge(StoreBase):
    """Memory, rejections, cache entries and glossary terms."""

    # --- translation memory -------------------------------------------------------------------------

    def remember(
        self,
        session: Session,
        src: str,
        tgt: str,
        source: str,
        target: str,
        origin: str,
        *,
        creator: str | None = None,
        item_id: str | None = None,
        field: str | None = None,
    ) -> None:
        """Keep a pair in the translation memory with where it came from (the newest of a source wins) —
        not a sensitive field's: the memory is read for every item (hints to engines, TMX export).

        origin: person, judge (machine text an assessor of meaning passed) or tmx."""
        if self.vault.sensitive(field):
            return
        source_hash = digest(normalize_text(source))
        values = {
            "source": source,
            "target": target,
            "origin": origin,
            "creator": creator,
            "item_id": item_id,
            "field": field,
            "updated_at": now(),
        }
        key = (MemoryUnit.src_lang == src, MemoryUnit.tgt_lang == tgt, MemoryUnit.source_hash == source_hash)
        if _rowcount(session.execute(update(MemoryUnit).where(*key).values(**values))) == 0:
            row = {"src_lang": src, "tgt_lang": tgt, "source_hash": source_hash, **values}
            session.execute(self.insert_ignore(MemoryUnit).values(**row))

    def remember_translation(
        self, session: Session, item_id: str, field: str, lang: str, *, creator: str
    ) -> None:
        """Put a stored translation a person edited or approved into the memory."""
        stmt = (
            select(Item.source_lang, SourceField.text, Translation.text)
            .join(SourceField, SourceField.item_id == Item.id)
            .join(Translation, (Translation.item_id == Item.id) & (Translation.field == SourceField.field))
            .where(Item.id == item_id, SourceField.field == field, Translation.lang == lang)
        )
        row = session.execute(stmt).first()
        if row is not None:
            self.remember(
                session, row[0], lang, row[1], row[2], "person", creator=creator, item_id=item_id, field=field
            )

    def recall(
        self, src: str, tgt: str, source_hashes: Sequence[str], origins: Iterable[str]
    ) -> dict[str, str]:
        """Exact memory matches from units of these origins: source hash -> translation. The source
        matches in any variant of its language (the text is the same: a unit from an en-US TMX serves
        an en catalog); the target in its own tag first, then its language's (es-MX falls back on es).
        The closest pair wins."""
        if not source_hashes:
            return {}
        base, tgts = src.split("-")[0], _with_base(tgt)
        stmt = select(
            MemoryUnit.source_hash, MemoryUnit.target, MemoryUnit.src_lang, MemoryUnit.tgt_lang
        ).where(
            or_(MemoryUnit.src_lang == base, MemoryUnit.src_lang.like(base + "-%")),
            MemoryUnit.tgt_lang.in_(tgts),
            MemoryUnit.source_hash.in_(source_hashes),
            MemoryUnit.origin.in_(list(origins)),
        )
        found: dict[str, tuple[int, str]] = {}
        with self.sessions() as session:
            for source_hash, target, s, t in session.execute(stmt):
                rank = (s != src) + 2 * tgts.index(t)  # 0: the exact pair; the target's tag weighs most
                if source_hash not in found or rank < found[source_hash][0]:
                    found[source_hash] = (rank, target)
        return {h: text for h, (_, text) in found.items()}

    def memory_units(
        self, src: str | None = None, tgt: str | None = None, origins: Iterable[str] | None = None
    ) -> Iterator[MemoryUnit]:
        stmt = select(MemoryUnit).order_by(MemoryUnit.src_lang, MemoryUnit.tgt_lang, MemoryUnit.id)
        if src:
            stmt = stmt.where(MemoryUnit.src_lang == src)
        if tgt:
            stmt = stmt.where(MemoryUnit.tgt_lang == tgt)
        if origins is not None:
            stmt = stmt.where(MemoryUnit.origin.in_(list(origins)))
        with self.sessions() as session:
            yield from session.scalars(stmt.execution_options(yield_per=1000))

    # --- rejections ---------------------------------------------------------------------------------

    def reject(self, session: Session, src: str, tgt: str, source_hash: str, text: str, actor: str) -> None:
        """A reviewer sent `text` back: it leaves the memory and is never published again for the source."""
        session.execute(
            delete(MemoryUnit).where(
                MemoryUnit.src_lang == src,
                MemoryUnit.tgt_lang == tgt,
                MemoryUnit.source_hash == source_hash,
                MemoryUnit.target == text,
            )
        )
        row = {
            "src_lang": src,
            "tgt_lang": tgt,
            "source_hash": source_hash,
            "text_hash": text_hash(text),
            "actor": actor,
            "at": now(),
        }
        session.execute(self.insert_ignore(RejectedText).values(**row))

    def rejected(self, src: str, tgt: str, source_hashes: Sequence[str]) -> dict[str, frozenset[str]]:
        """Source hash -> the hashes of the texts reviewers rejected for it."""
        if not source_hashes:
            return {}
        r = RejectedText
        stmt = select(r.source_hash, r.text_hash).where(
            r.src_lang == src, r.tgt_lang == tgt, r.source_hash.in_(list(source_hashes))
        )
        found: dict[str, set[str]] = {}
        with self.sessions() as session:
            for source_hash, text_hash in session.execute(stmt):
                found.setdefault(source_hash, set()).add(text_hash)
        return {k: frozenset(v) for k, v in found.items()}

    # --- cache ---------------------------------------------------------------------------------------

    def cache_get(self, keys: Sequence[str]) -> dict[str, tuple[str, str, str]]:
        if not keys:
            return {}
        stmt = select(CacheEntry.key, CacheEntry.text, CacheEntry.engine, CacheEntry.model)
        with self.sessions() as session:
            return {r[0]: (r[1], r[2], r[3]) for r in session.execute(stmt.where(CacheEntry.key.in_(keys)))}

    def cache_put(self, entries: dict[str, tuple[str, str, str]]) -> None:
        if not entries:
            return
        stamp = now()
        rows = [
            {"key": k, "text": t, "engine": e, "model": m, "created_at": stamp}
            for k, (t, e, m) in entries.items()
        ]
        with self.transaction() as session:  # Core's executemany: the ORM's bulk path costs more than SQLite
            session.connection().execute(self.insert_ignore(CacheEntry), rows)

    # --- glossary ------------------------------------------------------------------------------------

    def cache_delete(self, keys: Sequence[str]) -> None:
        if keys:
            with self.transaction() as session:
                session.execute(delete(CacheEntry).where(CacheEntry.key.in_(list(keys))))

    def import_glossary(self, glossary: Glossary) -> tuple[int, int]:
        """Upsert terms by (source, lang). Returns (added, updated)."""
        added = updated = 0
        with self.transaction() as session:
            for entry in glossary.entries():
                t = entry.term
                values = {
                    "target": t.target,
                    "do_not_translate": t.do_not_translate,
                    "case_sensitive": t.case_sensitive,
                    "note": t.note,
                }
                stmt = update(GlossaryTerm).where(
                    GlossaryTerm.source == t.source, GlossaryTerm.target_lang == entry.lang
                )
                if _rowcount(session.execute(stmt.values(**values))):
                    updated += 1
                else:
                    session.execute(
                        insert(GlossaryTerm).values(source=t.source, target_lang=entry.lang, **values)
                    )
                    added += 1
        return added, updated

    def delete_term(self, source: str, lang: str) -> bool:
        with self.transaction() as session:
            stmt = delete(GlossaryTerm).where(GlossaryTerm.source == source, GlossaryTerm.target_lang == lang)
            return _rowcount(session.execute(stmt)) == 1

    def glossary(self) -> Glossary:
        with self.sessions() as session:
            rows = session.scalars(
                select(GlossaryTerm).order_by(GlossaryTerm.target_lang, GlossaryTerm.source)
            )
            return Glossary(
                GlossaryEntry(
                    r.target_lang, Term(r.source, r.target, r.do_not_translate, r.case_sensitive, r.note)
                )
                for r in rows
            )


def _with_base(tag: str) -> list[str]:
    """The tag, then the language it is a variant of (en-US -> [en-US, en])."""
    return [tag, tag.split("-")[0]] if "-" in tag else [tag]
