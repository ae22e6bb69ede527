"""Support conversations and their turns (tolk.conversations tells the story; this keeps the rows).

Texts are sealed as field `conversation` when a deployment names it in `encryption.fields`: customer
messages carry names, addresses and order numbers.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from tolk.store.base import _rowcount
from tolk.store.models import Conversation, ConversationTurn, now
from tolk.store.repo import Store

FIELD = "conversation"  # the name encryption.fields seals these texts under


@dataclass(frozen=True, slots=True)
class Opened:
    id: str
    agent_lang: str
    customer_lang: str | None
    profile: str | None
    engine: str | None
    subject: str | None
    opened_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    sender: str  # customer, agent
    original: str  # as written
    source_lang: str
    text: str  # translated for the other side
    target_lang: str
    back_translation: str | None  # an agent's reply, translated back into the agent's language
    status: str
    score: float
    failed: list[str] = field(default_factory=list)
    released_by: str | None = None
    created_at: datetime | None = None

    @property
    def held(self) -> bool:
        """A reply the gate did not let go out, until a person releases it."""
        return self.sender == "agent" and self.status not in {"CHECKED", "APPROVED"}


def _opened(row: Conversation) -> Opened:
    return Opened(
        row.id,
        row.agent_lang,
        row.customer_lang,
        row.profile,
        row.engine,
        row.subject,
        row.opened_by,
        row.created_at,
        row.updated_at,
    )


def _message(row: ConversationTurn) -> Message:
    return Message(
        row.id,
        row.sender,
        row.text,
        row.source_lang,
        row.translated,
        row.target_lang,
        row.back_translation,
        row.status,
        row.score,
        list(row.failed or []),
        row.released_by,
        row.created_at,
    )


def open_one(store: Store, agent_lang: str, opened_by: str, **settings: str | None) -> Opened:
    """A new conversation (`settings`: customer_lang, profile, engine, subject)."""
    at = now()
    row = Conversation(
        id=uuid.uuid4().hex, agent_lang=agent_lang, opened_by=opened_by, created_at=at, updated_at=at
    )
    for name, value in settings.items():
        setattr(row, name, value)
    with store.transaction() as session:
        session.add(row)
    return _opened(row)


def get(store: Store, conversation_id: str) -> Opened | None:
    with store.sessions() as session:
        row = session.get(Conversation, conversation_id)
        return _opened(row) if row is not None else None


def recent(store: Store, limit: int = 50) -> list[Opened]:
    """The conversations with the latest messages first."""
    with store.sessions() as session:
        stmt = select(Conversation).order_by(Conversation.updated_at.desc(), Conversation.id).limit(limit)
        return [_opened(r) for r in session.scalars(stmt)]


def turns(store: Store, conversation_id: str, last: int | None = None) -> list[Message]:
    """The conversation's turns, oldest first (`last`: only that many of the newest)."""
    with store.sessions() as session:
        stmt = select(ConversationTurn).where(ConversationTurn.conversation_id == conversation_id)
        if last is None:
            return [_message(r) for r in session.scalars(stmt.order_by(ConversationTurn.id))]
        newest = session.scalars(stmt.order_by(ConversationTurn.id.desc()).limit(last))
        return [_message(r) for r in reversed(list(newest))]


def add_message(store: Store, conversation_id: str, turn: Message, customer_lang: str | None) -> Message:
    """The turn kept and the conversation's customer language and time moved on, in one transaction."""
    box = store.vault
    row = ConversationTurn(
        conversation_id=conversation_id,
        sender=turn.sender,
        text=box.seal(FIELD, turn.original),
        source_lang=turn.source_lang,
        translated=box.seal(FIELD, turn.text),
        target_lang=turn.target_lang,
        back_translation=None if turn.back_translation is None else box.seal(FIELD, turn.back_translation),
        status=turn.status,
        score=turn.score,
        failed=list(turn.failed),
        created_at=now(),
    )
    values: dict[str, Any] = {"updated_at": row.created_at}
    if customer_lang is not None:
        values["customer_lang"] = customer_lang
    with store.transaction() as session:
        session.add(row)
        session.execute(update(Conversation).where(Conversation.id == conversation_id).values(**values))
        session.flush()
        kept = row.id
    return dataclasses.replace(turn, id=kept, created_at=row.created_at)


def release(store: Store, conversation_id: str, turn_id: int, who: str) -> bool:
    """A held reply let out by a person (status APPROVED); False when there is no such held reply."""
    with store.transaction() as session:
        stmt = (
            update(ConversationTurn)
            .where(
                ConversationTurn.id == turn_id,
                ConversationTurn.conversation_id == conversation_id,
                ConversationTurn.sender == "agent",
                ConversationTurn.status.not_in(["CHECKED", "APPROVED", "FAILED"]),
            )
            .values(status="APPROVED", released_by=who)
        )
        return _rowcount(session.execute(stmt)) > 0


def turn(store: Store, conversation_id: str, turn_id: int) -> Message | None:
    with store.sessions() as session:
        row = session.get(ConversationTurn, turn_id)
        return _message(row) if row is not None and row.conversation_id == conversation_id else None
