"""Tables. Changing one means a new Alembic migration in `migrations/versions/`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, DateTime, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from tolk import vault
from tolk.core import now as now  # re-exported: every writer of a timestamp uses it

# 191 chars keep utf8mb4 index keys within MariaDB's limits
ID = String(191)
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


class SealedText(TypeDecorator[str]):
    """Long text that may hold a sealed value (tolk.vault): opened on the way out, whoever reads it.
    Sealing is the writer's job, because only the writer knows which field the text belongs to."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(mysql.MEDIUMTEXT() if dialect.name in ("mysql", "mariadb") else Text())

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is not None and value.startswith(vault.PREFIX):
            return vault.of(dialect).open(value)
        return value


class SealedJson(TypeDecorator[dict[str, Any]]):
    """An item's attributes: sensitive ones are sealed strings, opened on the way out."""

    impl = JSON
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, dict):
            box = vault.of(dialect)
            return {k: box.open(v) if isinstance(v, str) else v for k, v in value.items()}
        return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Item(Base):
    """A product (or any record) as it came in."""

    __tablename__ = "items"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    source_lang: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(255))
    attrs: Mapped[dict[str, Any]] = mapped_column(SealedJson, default=dict)  # fields not translated
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now, onupdate=now)


class SourceField(Base):
    """One translatable field of an item, e.g. (sku-1, description)."""

    __tablename__ = "source_fields"
    item_id: Mapped[str] = mapped_column(ID, primary_key=True)
    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(SealedText)
    source_hash: Mapped[str] = mapped_column(String(64))


class Translation(Base):
    """The current translation of one (item, field, lang), with its grade and provenance.

    `version` increases on every write. Machine writes are conditional on the grade, so a HUMAN or
    APPROVED text is never replaced by a machine; such machine output lands in `suggestion` instead.
    """

    __tablename__ = "translations"
    __table_args__ = (
        UniqueConstraint("item_id", "field", "lang", name="uq_translation_target"),
        Index("ix_translations_lang_grade", "lang", "grade"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ID)
    field: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(SealedText)
    grade: Mapped[str] = mapped_column(String(16))
    status: Mapped[str | None] = mapped_column(String(32))
    engine: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(128))
    source_hash: Mapped[str] = mapped_column(String(64))
    cache_key: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[float | None] = mapped_column(Float)
    checks: Mapped[list[Any]] = mapped_column(JSON, default=list)
    suggestion: Mapped[str | None] = mapped_column(SealedText)
    suggestion_engine: Mapped[str | None] = mapped_column(String(64))
    profile: Mapped[str | None] = mapped_column(String(64))  # the domain profile it was translated under
    approved_by: Mapped[str | None] = mapped_column(String(128))  # a person, judge:<engine>, reference…
    fallback_for: Mapped[str | None] = mapped_column(String(64))  # the engine a fallback stood in for
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class CacheEntry(Base):
    __tablename__ = "cache_entries"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(LongText)
    engine: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class GlossaryTerm(Base):
    __tablename__ = "glossary_terms"
    __table_args__ = (UniqueConstraint("source", "target_lang", name="uq_glossary_term"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(191))
    target_lang: Mapped[str] = mapped_column(String(16))  # "*" = every language
    target: Mapped[str] = mapped_column(String(512))
    do_not_translate: Mapped[bool] = mapped_column(Boolean, default=False)
    case_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(1024), default="")


class MemoryUnit(Base):
    """A translation-memory unit: a source and a translation, with where it came from.

    origin: person (edited or approved by a reviewer), judge (machine text an assessor of meaning
    passed), tmx (imported), machine (from before provenance was kept: never reused as approved)."""

    __tablename__ = "memory_units"
    __table_args__ = (UniqueConstraint("src_lang", "tgt_lang", "source_hash", name="uq_memory_unit"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    src_lang: Mapped[str] = mapped_column(String(16))
    tgt_lang: Mapped[str] = mapped_column(String(16))
    source_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(LongText)
    target: Mapped[str] = mapped_column(LongText)
    origin: Mapped[str] = mapped_column(String(32))  # person, judge, tmx or machine
    creator: Mapped[str | None] = mapped_column(String(128))  # the person, judge:<engine>, TMX creationid
    item_id: Mapped[str | None] = mapped_column(ID)  # the item it was learnt from, if any
    field: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class RejectedText(Base):
    """A translation a reviewer sent back: never published again for the same source and language."""

    __tablename__ = "rejected_texts"
    __table_args__ = (
        UniqueConstraint("src_lang", "tgt_lang", "source_hash", "text_hash", name="uq_rejected_text"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    src_lang: Mapped[str] = mapped_column(String(16))
    tgt_lang: Mapped[str] = mapped_column(String(16))
    source_hash: Mapped[str] = mapped_column(String(64))
    text_hash: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime, default=now)


class OutboxEvent(Base):
    """An event written with the change it describes; a relay publishes it at `due_at` and marks it sent."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "sent_at", "due_at"),
        Index("ix_outbox_unhooked", "hooked_at", "due_at"),
    )
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the envelope id
    type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(LongText)  # the envelope as JSON
    due_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    hooked_at: Mapped[datetime | None] = mapped_column(DateTime)  # handed to the [[webhooks]] subscribers


class WebhookDelivery(Base):
    """One event for one webhook subscriber: sent until answered 2xx, or given up after its attempts."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscriber", "event_id", name="uq_webhook_delivery"),
        Index("ix_webhook_due", "state", "next_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscriber: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(LongText)  # the envelope as JSON, as the bus carries it
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending, delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))


class Run(Base):
    """One `tolk translate` (or job): what it did and what it cost."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    command: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ProcessedEvent(Base):
    """A consumed event's id, written in the same transaction as its effect: a redelivery finds it."""

    __tablename__ = "processed_events"
    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. translator.es
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))  # translated, stale, failed, dead, recorded
    duplicates: Mapped[int] = mapped_column(Integer, default=0)  # deliveries after the first
    processed_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class EventAttempt(Base):
    """How often a consumer has tried an event: survives redeliveries, so retries do not multiply."""

    __tablename__ = "event_attempts"
    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    first_seen_at: Mapped[datetime | None] = mapped_column(DateTime)  # parked: the wait counts from here


class ProductMark(Base):
    """The newest event seen for a product per kind: per event type and per producer (`source:NAME`),
    which dependencies are judged by; per field and attribute (`field:name`, `attr:category`), which
    stale values are judged by."""

    __tablename__ = "product_marks"
    product_id: Mapped[str] = mapped_column(ID, primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    event_id: Mapped[str] = mapped_column(String(64))


class AgentWorker(Base):
    """A running (or stopped) worker: its heartbeat, and a restart an operator asked for."""

    __tablename__ = "agent_workers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent: Mapped[str] = mapped_column(String(64), index=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    queues: Mapped[list[Any]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(16))  # running, paused, stopping, stopped
    started_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    restart_requested_at: Mapped[datetime | None] = mapped_column(DateTime)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class WebSession(Base):
    """A web log-in: the cookie holds a random secret, this row its sha256, the token it was opened
    with and its expiry. Log-out deletes it; a revoked token ends its sessions."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class ApiToken(Base):
    """An API token: only its sha256 is kept (the token is shown once, at creation)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))  # viewer, reviewer, admin
    langs: Mapped[list[Any]] = mapped_column(JSON, default=list)  # empty: every language
    prefix: Mapped[str] = mapped_column(String(16))  # the token's first characters, to tell them apart
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class Activity(Base):
    """Counters of one commit (a chunk of a run, an event, a review action) for one language: reports
    and the dashboard sum them over a window."""

    __tablename__ = "activity"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    origin: Mapped[str] = mapped_column(String(32))  # translate, agent, api, job, review
    lang: Mapped[str] = mapped_column(String(16))
    gate: Mapped[str | None] = mapped_column(String(40))  # the gate's signature its scores come from
    items: Mapped[int] = mapped_column(Integer, default=0)
    segments: Mapped[int] = mapped_column(Integer, default=0)
    translated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    cache_hits: Mapped[int] = mapped_column(Integer, default=0)
    memory_hits: Mapped[int] = mapped_column(Integer, default=0)
    cache_misses: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    rewritten: Mapped[int] = mapped_column(Integer, default=0)
    approved: Mapped[int] = mapped_column(Integer, default=0)
    needs_review: Mapped[int] = mapped_column(Integer, default=0)
    edits: Mapped[int] = mapped_column(Integer, default=0)
    approvals: Mapped[int] = mapped_column(Integer, default=0)
    sent_back: Mapped[int] = mapped_column(Integer, default=0)
    scored: Mapped[int] = mapped_column(Integer, default=0)
    score_sum: Mapped[float] = mapped_column(Float, default=0.0)
    bleu_n: Mapped[int] = mapped_column(Integer, default=0)
    bleu_sum: Mapped[float] = mapped_column(Float, default=0.0)
    characters: Mapped[int] = mapped_column(Integer, default=0)  # source characters translated on request


class GlossarySet(Base):
    """A named glossary for one language pair, applied by id (a DeepL glossary)."""

    __tablename__ = "glossary_sets"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    source_lang: Mapped[str] = mapped_column(String(16))
    target_lang: Mapped[str] = mapped_column(String(16))
    entries: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class EngineCall(Base):
    """One request to an engine: latency percentiles, tokens and cost per day come from here."""

    __tablename__ = "engine_calls"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    engine: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(16))
    segments: Mapped[int] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean)
    seconds: Mapped[float] = mapped_column(Float)
    tokens_in: Mapped[int] = mapped_column(Integer)
    tokens_out: Mapped[int] = mapped_column(Integer)
    cost: Mapped[float] = mapped_column(Float)


class HistoryEntry(Base):
    """Every text a translation had, who wrote it and how: machine, edit, approve, send_back."""

    __tablename__ = "translation_history"
    __table_args__ = (Index("ix_history_key", "item_id", "field", "lang"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ID)
    field: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(SealedText)
    grade: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)


class CatalogJob(Base):
    """A catalog uploaded through the API (POST /v1/jobs), translated in the background."""

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # queued, running, done, failed, interrupted
    actor: Mapped[str] = mapped_column(String(128))
    targets: Mapped[list[Any]] = mapped_column(JSON, default=list)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class AuditEntry(Base):
    """Who did what to which text, by hashes only; the database refuses to change or delete a row."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    actor: Mapped[str] = mapped_column(String(128))  # token:NAME, system:agent, cli:USER
    action: Mapped[str] = mapped_column(String(32))  # translate_request, machine_write, edit, approve, …
    item_id: Mapped[str | None] = mapped_column(ID)
    field: Mapped[str | None] = mapped_column(String(64))
    lang: Mapped[str | None] = mapped_column(String(16))
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    engine: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(128))
    prompt_version: Mapped[str | None] = mapped_column(String(64))
    before_sha256: Mapped[str | None] = mapped_column(String(64))
    after_sha256: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(255))


class Conversation(Base):
    """A support conversation between a customer and an agent who do not share a language: the
    agent's language is fixed, the customer's is what their messages were last found in."""

    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agent_lang: Mapped[str] = mapped_column(String(16))
    customer_lang: Mapped[str | None] = mapped_column(String(16))
    profile: Mapped[str | None] = mapped_column(String(64))
    engine: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(200))  # the ticket it belongs to, if any
    opened_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)


class ConversationTurn(Base):
    """One message of a conversation: as written, as translated for the other side, the agent's reply
    translated back for them to compare, and whether the gate let it go out."""

    __tablename__ = "conversation_turns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(32), index=True)
    sender: Mapped[str] = mapped_column(String(16))  # customer, agent
    text: Mapped[str] = mapped_column(SealedText)
    source_lang: Mapped[str] = mapped_column(String(16))
    translated: Mapped[str] = mapped_column(SealedText)
    target_lang: Mapped[str] = mapped_column(String(16))
    back_translation: Mapped[str | None] = mapped_column(SealedText)
    status: Mapped[str] = mapped_column(String(24))  # CHECKED, APPROVED, NEEDS_REVIEW, FAILED
    score: Mapped[float] = mapped_column(Float)
    failed: Mapped[list[Any]] = mapped_column(JSON, default=list)
    released_by: Mapped[str | None] = mapped_column(String(128))  # who let a held reply go out
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class ChatPreference(Base):
    """The language a chat user reads (Slack's `/tolk lang ko`): what the bot translates into for them."""

    __tablename__ = "chat_preferences"
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)  # slack
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lang: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now)
