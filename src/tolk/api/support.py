"""The support page: a support agent's conversations with customers who write in other languages.

The customer's messages come in through the API (a chat widget, a ticket system) or are pasted here;
the agent reads them in their own language, writes a reply, sees what the customer will read translated
back, and sends it — or sees it held, with why, until a reviewer releases it. The same core as
/v1/conversations (tolk.conversations).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from tolk import languages
from tolk.api import auth
from tolk.api.conversations import MessageIn
from tolk.api.web import Redirect, Session, WriteSession, _page
from tolk.conversations import Conversations, NotFound
from tolk.core import TolkError
from tolk.store import conversations as rows

router = APIRouter(include_in_schema=False)


@router.get("/ui/support")
def support_list(request: Request, session: Session, error: str = "") -> HTMLResponse:
    s = request.app.state.settings
    return _page(
        request,
        "support.html",
        session,
        talks=rows.recent(request.app.state.store),
        langs=sorted(languages.LANGUAGES),
        profiles=sorted({"ecommerce", *s.profiles}),
        error=error,
    )


@router.post("/ui/support")
def support_open(
    request: Request,
    session: WriteSession,
    agent_lang: Annotated[str, Form()] = "en",
    customer_lang: Annotated[str, Form()] = "",
    profile: Annotated[str, Form()] = "",
    subject: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    who = session[0]
    try:
        opened = Conversations(request.app.state.kits).open(
            agent_lang,
            f"token:{who.name}",
            customer_lang=customer_lang or None,
            profile=profile or None,
            subject=subject or None,
        )
    except TolkError as exc:
        return support_list(request, session, str(exc))
    raise Redirect(f"/ui/support/{opened.id}")


@router.get("/ui/support/{conversation_id}")
def support_thread(
    request: Request, session: Session, conversation_id: str, error: str = "", draft: str = ""
) -> HTMLResponse:
    who = session[0]
    try:
        talk, messages = Conversations(request.app.state.kits).get(conversation_id)
    except NotFound:
        return HTMLResponse("no such conversation", status_code=404)
    return _page(
        request,
        "conversation.html",
        session,
        talk=talk,
        messages=messages,
        may_release=who.may(auth.Role.reviewer),
        error=error,
        draft=draft,
    )


@router.post("/ui/support/{conversation_id}/messages")
async def support_post(
    request: Request,
    session: WriteSession,
    conversation_id: str,
    text: Annotated[str, Form(max_length=5000)] = "",
    sender: Annotated[str, Form()] = "agent",
    sensitivity: Annotated[str, Form()] = "normal",
) -> HTMLResponse:
    who = session[0]
    try:
        body = MessageIn.model_validate({"from": sender, "text": text, "sensitivity": sensitivity})
        await Conversations(request.app.state.kits).post(
            conversation_id, body.sender, body.text, f"token:{who.name}", sensitivity=body.sensitivity
        )
    except ValidationError as exc:
        return support_thread(request, session, conversation_id, str(exc.errors()[0]["msg"]), text)
    except NotFound:
        return HTMLResponse("no such conversation", status_code=404)
    except TolkError as exc:
        return support_thread(request, session, conversation_id, str(exc), text)
    raise Redirect(f"/ui/support/{conversation_id}#latest")


@router.post("/ui/support/{conversation_id}/messages/{message_id}/release")
def support_release(
    request: Request, session: WriteSession, conversation_id: str, message_id: int
) -> HTMLResponse:
    who = session[0]
    if not who.may(auth.Role.reviewer):
        return HTMLResponse("releasing a held reply needs a reviewer's token", status_code=403)
    try:
        Conversations(request.app.state.kits).release(conversation_id, message_id, f"token:{who.name}")
    except NotFound:
        return HTMLResponse("no such message", status_code=404)
    except TolkError as exc:
        return support_thread(request, session, conversation_id, str(exc))
    raise Redirect(f"/ui/support/{conversation_id}")
