"""The repository: every read and write tolk makes to its SQL store.

Works on SQLite (the default, WAL with synchronous=FULL), PostgreSQL and MariaDB/MySQL. The rule that no
machine overwrites a person's work is enforced by the write itself (a conditional UPDATE), so it holds with
any number of concurrent writers.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Text,
    bindparam,
    cast,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tolk.core import (
    HELD,
    PROTECTED_GRADES,
    Grade,
    InputError,
    Term,
    TolkError,
    digest,
    normalize_text,
    text_hash,
)
from tolk.events import Envelope
from tolk.glossary import Glossary, GlossaryEntry
from tolk.store.migrations import HEAD
from tolk.store.models import (
    CacheEntry,
    GlossaryTerm,
    Item,
    MemoryUnit,
    OutboxEvent,
    ProcessedEvent,
    RejectedText,
    Run,
    SourceField,
    Translation,
    now,
)
from tolk.vault import NO_VAULT, Vault, attach

if sys.platform != "win32":
    import fcntl

MIGRATIONS = Path(__file__).parent / "migrations"
_PROTECTED = [g.value for g in PROTECTED_GRADES]
REVIEW_STATUSES = ("NEEDS_REVIEW", "PENDING_APPROVAL")  # the quality loop's; "SENT_BACK" waits for a machine


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

    def __init__(self, store: Store) -> None:
        t = Translation.__table__.c
        where = (
            t.item_id == bindparam("k_item"),
            t.field == bindparam("k_field"),
            t.lang == bindparam("k_lang"),
        )
        cols = ("text", "grade", "status", "engine", "model", "source_hash", "cache_key", "checks", "score",
                "profile", "approved_by", "fallback_for", "updated_at")  # fmt: skip
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


def _waiting() -> Any:
    """Waiting for a person: failed the gate, awaits approval, or a suggestion beside a person's text."""
    return Translation.status.in_(REVIEW_STATUSES) | Translation.suggestion.is_not(None)


def _one_line(error: object) -> str:
    """A driver's message (psycopg adds a hint on a second line) as one line."""
    return " ".join(str(error).split())


def _item_row(r: ItemRecord, stamp: Any, box: Vault) -> dict[str, Any]:
    return {"id": r.id, "source_lang": r.source_lang, "category": r.category,
            "attrs": box.seal_attrs(r.attrs), "content_hash": r.content_hash,
            "updated_at": stamp}  # fmt: skip


def _rowcount(result: Any) -> int:
    """Rows an UPDATE matched (MySQL dialects are set to report matched, not changed, rows)."""
    count: int = result.rowcount
    return count


def _normalise_url(url: str) -> str:
    if "://" not in url:  # a bare path means a SQLite file
        return f"sqlite:///{url}"
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith(("mysql://", "mariadb://")):
        return "mysql+pymysql://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


EVENT_FAILURES = ("failed", "dead")  # outcomes of consumed events that came to nothing
MIGRATION_LOCK_KEY = 0x746F6C6B  # "tolk": the PostgreSQL advisory lock migrations hold


class Store:
    def __init__(self, url: str, *, migrate: bool = True, vault: Vault = NO_VAULT) -> None:
        self.url = _normalise_url(url)
        self.vault = vault
        try:
            parsed = make_url(self.url)
        except ArgumentError:
            raise InputError(f"--db: not a database URL: {url!r}") from None
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"timeout": 30}
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        elif self.dialect == "mysql":
            kwargs["connect_args"] = {"charset": "utf8mb4"}
        try:
            self.engine: Engine = create_engine(self.url, **kwargs)
        except ModuleNotFoundError as exc:
            raise TolkError(
                f"the driver for {self.dialect} is not installed ({exc.name}); "
                "pip install 'tolk[postgres]' or 'tolk[mysql]'"
            ) from None
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        attach(self.engine.dialect, vault)  # every reader of a sealed column opens it with this vault
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._sql = _Statements(self)
        if migrate:
            self.migrate()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (a cheap check when it already is). Under a lock, so
        that workers starting at the same instant on an empty database migrate it once."""
        if self.schema_revision() == HEAD:
            return
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self._migration_lock():
                if self.schema_revision() == HEAD:  # another process migrated while we waited
                    return
                with self.engine.begin() as conn:
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
        except OperationalError as exc:
            raise TolkError(f"cannot open database {self.safe_url}: {_one_line(exc.orig)}") from None

    @contextmanager
    def _migration_lock(self) -> Iterator[None]:
        """PostgreSQL: an advisory lock; MariaDB/MySQL: GET_LOCK; SQLite: flock on the database's folder.
        Not on the database file: closing any descriptor of it would drop the process's POSIX locks
        that SQLite holds on it (and corrupt it under concurrency)."""
        if self.dialect == "sqlite":
            database = make_url(self.url).database
            if not database or database == ":memory:" or sys.platform == "win32":
                yield
                return
            folder = os.open(Path(database).resolve().parent, os.O_RDONLY)
            try:
                fcntl.flock(folder, fcntl.LOCK_EX)
                yield
            finally:
                os.close(folder)  # releases the flock
            return
        take, give = {
            "postgresql": ("SELECT pg_advisory_lock(:key)", "SELECT pg_advisory_unlock(:key)"),
            "mysql": ("SELECT GET_LOCK(:name, 600)", "SELECT RELEASE_LOCK(:name)"),
        }.get(self.dialect, ("", ""))
        if not take:
            yield
            return
        args = {"key": MIGRATION_LOCK_KEY, "name": "tolk-migrate"}
        with self.engine.connect() as conn:  # a session lock on a connection of its own
            conn.execute(text(take), args)
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text(give), args)
                conn.commit()

    def schema_revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    return None
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except OperationalError as exc:
            raise TolkError(f"cannot open database {self.safe_url}: {_one_line(exc.orig)}") from None

    @property
    def safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.sessions.begin() as session:
            yield session

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

    # --- translations --------------------------------------------------------------------------------

    def existing(
        self, session: Session, item_ids: Iterable[str], lang: str
    ) -> dict[tuple[str, str], Existing]:
        stmt = select(
            Translation.item_id, Translation.field, Translation.grade, Translation.source_hash,
            Translation.cache_key,
        ).where(Translation.item_id.in_(list(item_ids)), Translation.lang == lang)  # fmt: skip
        return {(r[0], r[1]): Existing(r[2], r[3], r[4]) for r in session.execute(stmt)}

    def write_machine(self, session: Session, w: MachineWrite, *, exists: bool = True) -> str:
        """Store machine output: 'inserted', 'updated', or 'suggested' when a person's text is there.

        `exists=False` (the caller saw no row) tries the insert first; either order ends the same.
        """
        conn, sql = session.connection(), self._sql
        text = self.vault.seal(w.field, w.text)
        values = {
            "v_text": text, "v_grade": w.grade.value, "v_status": w.status, "v_engine": w.engine,
            "v_model": w.model, "v_source_hash": w.source_hash, "v_cache_key": w.cache_key,
            "v_checks": w.checks, "v_score": w.score, "v_profile": w.profile, "v_approved_by": w.approved_by,
            "v_fallback_for": w.fallback_for, "v_updated_at": now(),
        }  # fmt: skip
        key = {"k_item": w.item_id, "k_field": w.field, "k_lang": w.lang}
        row = {c.removeprefix("v_"): v for c, v in values.items()} | {
            "item_id": w.item_id, "field": w.field, "lang": w.lang, "version": 1,
            "created_at": values["v_updated_at"],
        }  # fmt: skip
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
        self, session: Session, item_id: str, field: str, lang: str, text: str,
        *, grade: Grade = Grade.HUMAN, expected_version: int | None = None, actor: str = "person",
        learn: bool = True,
    ) -> bool:  # fmt: skip
        """A person's edit or approval. With `expected_version`, a concurrent change makes it fail (False).

        An edit is the person's text: the machine's score and findings described another text, so they
        go (and the machine's suggestion with them). An approval keeps them: they describe this text."""
        conds = [Translation.item_id == item_id, Translation.field == field, Translation.lang == lang]
        if expected_version is not None:
            conds.append(Translation.version == expected_version)
        values: dict[str, Any] = {
            "text": self.vault.seal(field, text), "grade": grade.value, "status": None,
            "approved_by": actor, "fallback_for": None, "version": Translation.version + 1,
            "updated_at": now(),
        }  # fmt: skip
        if grade is Grade.HUMAN:
            values |= {"score": None, "checks": [], "suggestion": None, "suggestion_engine": None}
        if _rowcount(session.execute(update(Translation).where(*conds).values(**values))) != 1:
            return False
        if learn:  # a person's text teaches the memory (unless it holds someone's personal data)
            self.remember_translation(session, item_id, field, lang, creator=actor)
        return True

    def translation(self, session: Session, item_id: str, field: str, lang: str) -> Translation | None:
        stmt = select(Translation).where(
            Translation.item_id == item_id, Translation.field == field, Translation.lang == lang
        )
        return session.scalars(stmt).one_or_none()

    def review_queue(
        self, lang: str | Sequence[str] | None = None, limit: int = 100, *, grade: str | None = None,
        profile: str | None = None, check: str | None = None, offset: int = 0,
    ) -> list[Translation]:  # fmt: skip
        """What waits for a person: failed the gate, awaits approval, or has a newer machine suggestion;
        narrowed to languages, a grade, a profile or one failed check."""
        stmt = (
            select(Translation)
            .where(_waiting())
            .order_by(Translation.lang, Translation.item_id, Translation.field)
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
            id=item.id, source_lang=item.source_lang, category=item.category,
            fields={name: text for name, text in rows}, attrs=dict(item.attrs or {}),
            content_hash=item.content_hash,
        )  # fmt: skip

    def export_rows(self, lang: str | None = None, *, everything: bool = False) -> Iterator[dict[str, Any]]:
        """(id, field, lang) records with their source and what a downstream system filters on: status
        (the row's, or its grade: CHECKED, APPROVED, HUMAN are publishable), score, failed checks and
        approved_by; streamed in id order. Only publishable rows unless `everything`."""
        t = Translation
        stmt = (
            select(
                t.item_id, t.field, t.lang, SourceField.text, t.text, t.grade, t.engine, t.model,
                t.status, t.score, t.checks, t.approved_by,
            )
            .join(SourceField, (SourceField.item_id == t.item_id) & (SourceField.field == t.field))
            .order_by(t.item_id, t.field, t.lang)
        )  # fmt: skip
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
                yield record | {"status": status or record["grade"], "score": score, "failed": failed,
                                "approved_by": approved_by}  # fmt: skip

    # --- translation memory -------------------------------------------------------------------------

    def remember(
        self, session: Session, src: str, tgt: str, source: str, target: str, origin: str,
        *, creator: str | None = None, item_id: str | None = None, field: str | None = None,
    ) -> None:  # fmt: skip
        """Keep a pair in the translation memory with where it came from (the newest of a source wins) —
        not a sensitive field's: the memory is read for every item (hints to engines, TMX export).

        origin: person, judge (machine text an assessor of meaning passed) or tmx."""
        if self.vault.sensitive(field):
            return
        source_hash = digest(normalize_text(source))
        values = {"source": source, "target": target, "origin": origin, "creator": creator,
                  "item_id": item_id, "field": field, "updated_at": now()}  # fmt: skip
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
            self.remember(session, row[0], lang, row[1], row[2], "person", creator=creator,
                          item_id=item_id, field=field)  # fmt: skip

    def recall(
        self, src: str, tgt: str, source_hashes: Sequence[str], origins: Iterable[str]
    ) -> dict[str, str]:
        """Exact memory matches from units of these origins: source hash -> translation."""
        if not source_hashes:
            return {}
        stmt = select(MemoryUnit.source_hash, MemoryUnit.target).where(
            MemoryUnit.src_lang == src, MemoryUnit.tgt_lang == tgt, MemoryUnit.source_hash.in_(source_hashes),
            MemoryUnit.origin.in_(list(origins)),
        )  # fmt: skip
        with self.sessions() as session:
            return {r[0]: r[1] for r in session.execute(stmt)}

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
                MemoryUnit.src_lang == src, MemoryUnit.tgt_lang == tgt, MemoryUnit.source_hash == source_hash,
                MemoryUnit.target == text,
            )
        )  # fmt: skip
        row = {"src_lang": src, "tgt_lang": tgt, "source_hash": source_hash, "text_hash": text_hash(text),
               "actor": actor, "at": now()}  # fmt: skip
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

    # --- outbox -------------------------------------------------------------------------------------

    def outbox_add(self, session: Session, envelope: Envelope, delay_s: float = 0.0) -> None:
        """Queue an event in the caller's transaction: it exists exactly when the change does."""
        created = now()
        session.execute(
            insert(OutboxEvent).values(
                id=envelope.id, type=envelope.type, body=envelope.to_json(), created_at=created,
                due_at=created + timedelta(seconds=delay_s), sent_at=None,
            )
        )  # fmt: skip

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
        rows = [
            {"key": k, "text": t, "engine": e, "model": m, "created_at": now()}
            for k, (t, e, m) in entries.items()
        ]
        with self.transaction() as session:
            session.execute(self.insert_ignore(CacheEntry), rows)

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
                values = {"target": t.target, "do_not_translate": t.do_not_translate,
                          "case_sensitive": t.case_sensitive, "note": t.note}  # fmt: skip
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

    # --- dialect helpers -----------------------------------------------------------------------------

    def _inserted(self, conn: Connection, row: dict[str, Any]) -> bool:
        """Did the insert-or-ignore add the row? (psycopg reports no rowcount for it: RETURNING says.)"""
        if self.dialect == "mysql":
            return _rowcount(conn.execute(self._sql.insert_translation, row)) == 1
        return conn.execute(self._sql.insert_translation, row).first() is not None

    def insert_ignore(self, table: Any) -> Any:
        if self.dialect == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        if self.dialect == "mysql":
            return mysql.insert(table).prefix_with("IGNORE")
        return sqlite.insert(table).on_conflict_do_nothing()
