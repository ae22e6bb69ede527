"""Support conversations over HTTP: POST /v1/conversations, then each message to
/v1/conversations/{id}/messages (tolk.conversations tells what happens to one).

Any token may open a conversation and post to it (a support agent's); releasing a held reply needs a
reviewer's, as approving any other translation does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from tolk import languages
from tolk.api import auth
from tolk.api.translate import MAX_TEXT_CHARS
from tolk.conversations import Conversations, Message, NotFound, Refused
from tolk.core import TolkError, unstorable

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])


def _language(value: str | None) -> str | None:
    try:
        return languages.normalize(value) if value is not None else None
    except TolkError as exc:
        raise ValueError(str(exc)) from None


class ConversationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent_lang: str = Field(description="The support agent's language.", examples=["en"])
    customer_lang: str | None = Field(
        None, description="The customer's, where known; else found in their first message."
    )
    profile: str | None = Field(None, description="Domain profile: ecommerce, medical, financial…")
    engine: str | None = Field(None, description="Engine name from the configuration.")
    subject: str | None = Field(None, max_length=200, description="The ticket this belongs to.")

    _langs = field_validator("agent_lang", "customer_lang")(_language)


class ConversationOut(BaseModel):
    id: str
    agent_lang: str
    customer_lang: str | None
    profile: str | None
    engine: str | None
    subject: str | None
    created_at: datetime


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    sender: Literal["customer", "agent"] = Field(alias="from", description="Who wrote it.")
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    sensitivity: Literal["normal", "sensitive", "urgent"] = Field(
        "normal", description="sensitive or urgent: the reply is held until a person releases it."
    )

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the message is empty")
        if why := unstorable({"text": value}):
            raise ValueError(why)
        return value


class MessageOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    sender: str = Field(serialization_alias="from")
    original: str = Field(description="As written.")
    text: str = Field(description="Translated for the other side (the agent's language or the customer's).")
    detected_source: str = Field(description="The language it was written in.")
    target: str
    back_translation: str | None = Field(
        None, description="An agent's reply translated back into the agent's language, to compare."
    )
    status: str = Field(description="CHECKED, APPROVED, NEEDS_REVIEW, FAILED (as /v1/translate says).")
    held: bool = Field(description="A reply the gate held: not to be sent until a person releases it.")
    score: float
    failed: list[str]
    released_by: str | None = None

    @classmethod
    def of(cls, t: Message) -> MessageOut:
        return cls(
            id=t.id,
            sender=t.sender,
            original=t.original,
            text=t.text,
            detected_source=t.source_lang,
            target=t.target_lang,
            back_translation=t.back_translation,
            status=t.status,
            held=t.held,
            score=t.score,
            failed=t.failed,
            released_by=t.released_by,
        )


class ThreadOut(ConversationOut):
    messages: list[MessageOut]


def _talks(request: Request) -> Conversations:
    return Conversations(request.app.state.kits)


def _yours(request: Request, who: auth.Caller, conversation_id: str, role: auth.Role) -> None:
    """A token limited to some languages works only in conversations held in one of them."""
    try:
        talk, _ = _talks(request).get(conversation_id)
    except TolkError as exc:
        raise _refused(exc) from None
    if not who.may(role, talk.agent_lang):
        raise HTTPException(403, f"this token is limited to {', '.join(who.langs)}")


def _refused(exc: TolkError) -> HTTPException:
    if isinstance(exc, NotFound):
        return HTTPException(404, str(exc))
    if isinstance(exc, Refused):
        return HTTPException(409, str(exc))
    return HTTPException(400, str(exc))


@router.post("", status_code=201, response_model=ConversationOut)
def open_conversation(body: ConversationIn, who: auth.Viewer, request: Request) -> ConversationOut:
    if not who.may(auth.Role.viewer, body.agent_lang):
        raise HTTPException(403, f"this token is limited to {', '.join(who.langs)}")
    try:
        opened = _talks(request).open(
            body.agent_lang,
            f"token:{who.name}",
            customer_lang=body.customer_lang,
            profile=body.profile,
            engine=body.engine,
            subject=body.subject,
        )
    except TolkError as exc:
        raise _refused(exc) from None
    return ConversationOut.model_validate(opened, from_attributes=True)


@router.get("/{conversation_id}", response_model=ThreadOut, response_model_by_alias=True)
def read_conversation(conversation_id: str, who: auth.Viewer, request: Request) -> ThreadOut:
    _yours(request, who, conversation_id, auth.Role.viewer)
    try:
        talk, turns = _talks(request).get(conversation_id)
    except TolkError as exc:
        raise _refused(exc) from None
    return ThreadOut(
        **ConversationOut.model_validate(talk, from_attributes=True).model_dump(),
        messages=[MessageOut.of(t) for t in turns],
    )


@router.post(
    "/{conversation_id}/messages", status_code=201, response_model=MessageOut, response_model_by_alias=True
)
async def post_message(
    conversation_id: str, body: MessageIn, who: auth.Viewer, request: Request
) -> MessageOut:
    _yours(request, who, conversation_id, auth.Role.viewer)
    try:
        turn = await _talks(request).post(
            conversation_id, body.sender, body.text, f"token:{who.name}", sensitivity=body.sensitivity
        )
    except TolkError as exc:
        raise _refused(exc) from None
    return MessageOut.of(turn)


@router.post(
    "/{conversation_id}/messages/{message_id}/release",
    response_model=MessageOut,
    response_model_by_alias=True,
)
def release_message(
    conversation_id: str, message_id: int, who: auth.Reviewer, request: Request
) -> MessageOut:
    """A held reply released by a person who read it and its back-translation (a reviewer's token)."""
    _yours(request, who, conversation_id, auth.Role.reviewer)
    try:
        turn = _talks(request).release(conversation_id, message_id, f"token:{who.name}")
    except TolkError as exc:
        raise _refused(exc) from None
    return MessageOut.of(turn)
