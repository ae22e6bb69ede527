"""Support conversations: a customer and a support agent who share no language, translated both ways.

The trip of one message, top to bottom in `Conversations.post`:
1. A customer's message: its language is found offline (tolk.text.identify); a message too short to
   tell ("ok", "👍") keeps the conversation's language. It is translated into the agent's language.
2. An agent's reply: translated into the customer's language (known from their messages, or given
   when the conversation was opened), then translated back into the agent's, so the agent can see
   what the customer will read before trusting it.
3. Either way the last turns go to the engine as context (in the language of the text being
   translated: each turn as written or as translated), for consistent terms and pronouns, and the gate
   judges the translation as it judges any other. A reply the gate does not pass — a failed check, a
   sensitive term under the profile, a request marked sensitive or urgent — is *held*: kept, shown to
   the agent with why, and not for sending until a person releases it (`release`).

Every surface (the API's /v1/conversations, the support page, the Python client) goes through here.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Literal

from tolk import languages
from tolk.core import InputError
from tolk.pipeline import Translated
from tolk.store import conversations as rows
from tolk.store.conversations import Message, Opened
from tolk.text.identify import COMMON, identify

if TYPE_CHECKING:
    from tolk.assemble import Kits

Sender = Literal["customer", "agent"]
SENDERS = ("customer", "agent")
CONTEXT_TURNS = 6  # the turns before a message the engine sees as context
_SURE = 0.5  # below this, a short message's language is not trusted over the conversation's


class NotFound(InputError):
    """No such conversation (or turn): a 404 at the API."""


class Refused(InputError):
    """The conversation cannot take this message yet: a 409 at the API."""


class Conversations:
    """Conversations kept in one store, translated with one server's (or client's) kits."""

    def __init__(self, kits: Kits) -> None:
        self.kits, self.store = kits, kits.store

    def open(
        self,
        agent_lang: str,
        actor: str,
        *,
        customer_lang: str | None = None,
        profile: str | None = None,
        engine: str | None = None,
        subject: str | None = None,
    ) -> Opened:
        agent = languages.normalize(agent_lang)
        customer = languages.normalize(customer_lang) if customer_lang else None
        self.kits.get(
            engine, profile
        )  # an unknown engine or profile is refused now, not at the first message
        return rows.open_one(
            self.store, agent, actor, customer_lang=customer, profile=profile, engine=engine, subject=subject
        )

    def get(self, conversation_id: str) -> tuple[Opened, list[Message]]:
        found = rows.get(self.store, conversation_id)
        if found is None:
            raise NotFound(f"no conversation {conversation_id!r}")
        return found, rows.turns(self.store, conversation_id)

    async def post(
        self, conversation_id: str, sender: Sender, text: str, actor: str, *, sensitivity: str = "normal"
    ) -> Message:
        """One message in: translated for the other side, judged, kept (see the module's docstring)."""
        talk = rows.get(self.store, conversation_id)
        if talk is None:
            raise NotFound(f"no conversation {conversation_id!r}")
        if sender == "customer":
            source = await self._customer_language(talk, text)
            target, customer = talk.agent_lang, source
        else:
            if talk.customer_lang is None:
                raise Refused(
                    "the customer's language is not known yet: post a customer message first, "
                    "or open the conversation with customer_lang"
                )
            source, target, customer = talk.agent_lang, talk.customer_lang, None
        context = _context(rows.turns(self.store, conversation_id, last=CONTEXT_TURNS), source)
        done = await self._translate(talk, text, source, target, actor, context, sensitivity)
        back = None
        if sender == "agent" and done.text and not _same(source, target):
            back = (await self._translate(talk, done.text, target, source, actor, None, "normal")).text
        turn = Message(
            0,
            sender,
            text,
            source,
            done.text,
            target,
            back,
            done.status or done.grade,
            done.score,
            list(done.failed),
        )
        return rows.add_message(self.store, conversation_id, turn, customer)

    def release(self, conversation_id: str, turn_id: int, actor: str) -> Message:
        """A held reply let out by a person who read it and its back-translation."""
        if not rows.release(self.store, conversation_id, turn_id, actor):
            found = rows.turn(self.store, conversation_id, turn_id)
            if found is None:
                raise NotFound(f"no message {turn_id} in conversation {conversation_id!r}")
            raise Refused(f"message {turn_id} is not a held reply (status {found.status})")
        released = rows.turn(self.store, conversation_id, turn_id)
        assert released is not None  # just released
        return released

    async def _customer_language(self, talk: Opened, text: str) -> str:
        """The language the customer wrote in: found offline, or the conversation's where the message is
        too short (or too ambiguous) to tell; refused where neither says."""
        candidates = {*COMMON, talk.agent_lang, *([talk.customer_lang] if talk.customer_lang else [])}
        found = await asyncio.to_thread(identify, text, candidates)
        if found is not None and (talk.customer_lang is None or found.confidence >= _SURE):
            return found.tag
        if talk.customer_lang is not None:
            return talk.customer_lang
        raise InputError(
            "the message is too short to tell its language: give customer_lang for this conversation"
        )

    async def _translate(
        self,
        talk: Opened,
        text: str,
        source: str,
        target: str,
        actor: str,
        context: str | None,
        sensitivity: str,
    ) -> Translated:
        if _same(source, target):  # both sides read it as it is; a reply marked sensitive still waits
            if sensitivity == "normal":
                return Translated(text, 100.0, [], status="CHECKED")
            return Translated(text, 100.0, [f"sensitivity: {sensitivity}"], status="NEEDS_REVIEW")
        done = await self.kits.translate(
            [text],
            source,
            target,
            actor=actor,
            origin="conversation",
            engine=talk.engine,
            profile=talk.profile,
            context=context,
            sensitivity=sensitivity,
        )
        return done[0]


def _same(a: str, b: str) -> bool:
    return a == b or (a.split("-")[0] == b.split("-")[0] and ("-" not in a or "-" not in b))


def _context(recent: list[Message], lang: str) -> str | None:
    """The recent turns in `lang` (each as written or as translated), one line each, as the engine's
    context: "Customer: …" / "Agent: …"."""
    lines = []
    for t in recent:
        said = t.original if _same(t.source_lang, lang) else t.text if _same(t.target_lang, lang) else None
        if said:
            lines.append(f"{t.sender.capitalize()}: {said}")
    return "\n".join(lines) or None


__all__ = ["SENDERS", "Conversations", "Message", "NotFound", "Opened", "Refused", "Sender"]
