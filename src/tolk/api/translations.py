"""Routes over stored translations: list, get, edit (→ HUMAN), approve (→ APPROVED), the review queue.

Reading needs a viewer token, writing a reviewer's; a token limited to languages sees and changes only
those. An edit or approval names the version it saw: a concurrent change answers 409, not a lost write.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from tolk import review
from tolk.api import auth
from tolk.core import Grade
from tolk.store import audit
from tolk.store.repo import Store

if TYPE_CHECKING:  # the rows the store returns, named for the checker
    from tolk.store.models import Translation

router = APIRouter(prefix="/v1")
MAX_INT = 2**31 - 1  # every database's INTEGER holds it; larger numbers are a 422, not a driver error


class TranslationOut(BaseModel):
    item_id: str
    field: str
    lang: str
    source: str | None
    text: str
    grade: str
    status: str | None
    score: float | None
    failed: list[str]
    suggestion: str | None
    engine: str | None
    version: int
    approved_by: str | None = Field(None, description="A person's name, judge:<engine>, reference…")
    fallback_for: str | None = Field(None, description="The engine a fallback stood in for.")


class Edit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=100_000)
    version: int = Field(ge=1, le=MAX_INT, description="The version this edit is based on (from GET).")


class Approval(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=MAX_INT, description="The version this decision is based on (from GET).")


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _out(t: Translation, source: str | None) -> TranslationOut:
    failed = [str(c["id"]) for c in t.checks or [] if isinstance(c, dict) and c.get("id")]
    return TranslationOut(
        item_id=t.item_id,
        field=t.field,
        lang=t.lang,
        source=source,
        text=t.text,
        grade=t.grade,
        status=t.status,
        score=t.score,
        failed=failed,
        suggestion=t.suggestion,
        engine=t.engine,
        version=t.version,
        approved_by=t.approved_by,
        fallback_for=t.fallback_for,
    )


def _read(request: Request, who: auth.Caller, lang: str | None, item_id: str | None = None) -> None:
    """Reading stored translations is data access: the audit log says who read what."""
    audit.append(
        _store(request),
        audit.Entry(f"token:{who.name}", "data_access", item_id, lang=lang, detail=request.url.path[:255]),
    )


def _visible(who: auth.Caller, lang: str | None) -> list[str] | None:
    """The languages a listing may show: the token's, narrowed by the `lang` asked for."""
    if lang and who.langs and lang not in who.langs:
        raise HTTPException(403, f"this token is limited to {', '.join(who.langs)}")
    return [lang] if lang else (list(who.langs) or None)


def sources_of(store: Store, rows: list[Translation]) -> dict[tuple[str, str], str]:
    return store.sources({t.item_id for t in rows})


@router.get("/translations", response_model=list[TranslationOut])
def list_translations(
    request: Request,
    who: auth.Viewer,
    lang: str | None = None,
    grade: Annotated[Grade | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> list[TranslationOut]:
    store, langs = _store(request), _visible(who, lang)
    rows = store.translations(langs, grade.value if grade else None, offset=offset, limit=limit)
    _read(request, who, lang)
    sources = sources_of(store, rows)
    return [_out(t, sources.get((t.item_id, t.field))) for t in rows]


@router.get("/review", response_model=list[TranslationOut])
def review_queue(
    request: Request,
    who: auth.Viewer,
    lang: str | None = None,
    grade: Annotated[Grade | None, Query()] = None,
    profile: Annotated[str | None, Query(max_length=64)] = None,
    check: Annotated[
        str | None, Query(max_length=64, description="Only those that failed this check.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> list[TranslationOut]:
    """What the gate left for a person: failed checks, awaiting approval, or a newer machine suggestion."""
    store, langs = _store(request), _visible(who, lang)
    rows = store.review_queue(
        langs, limit=limit, grade=grade.value if grade else None, profile=profile, check=check, offset=offset
    )
    _read(request, who, lang)
    sources = sources_of(store, rows)
    return [_out(t, sources.get((t.item_id, t.field))) for t in rows]


def _one(store: Store, item_id: str, field: str, lang: str) -> TranslationOut:
    with store.sessions() as session:
        t = store.translation(session, item_id, field, lang)
    if t is None:
        raise HTTPException(404, f"no translation of {item_id}/{field} into {lang}")
    return _out(t, sources_of(store, [t]).get((item_id, field)))


@router.get("/translations/{item_id}/{field}/{lang}", response_model=TranslationOut)
def get_translation(
    request: Request, who: auth.Viewer, item_id: str, field: str, lang: str
) -> TranslationOut:
    _visible(who, lang)
    found = _one(_store(request), item_id, field, lang)
    _read(request, who, lang, item_id)
    return found


def _act(request: Request, who: auth.Caller, key: review.Key, action: Callable[[], object]) -> TranslationOut:
    if not who.may(auth.Role.reviewer, key[2]):
        raise HTTPException(403, f"this token is limited to {', '.join(who.langs)}")
    try:
        action()
    except review.NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except review.Conflict as exc:
        raise HTTPException(409, str(exc)) from None
    return _one(_store(request), *key)


@router.put("/translations/{item_id}/{field}/{lang}", response_model=TranslationOut)
def edit_translation(
    request: Request, who: auth.Reviewer, item_id: str, field: str, lang: str, body: Edit
) -> TranslationOut:
    """A person's text: graded HUMAN, never overwritten by a machine, remembered by the memory."""
    key = (item_id, field, lang)
    store = _store(request)
    return _act(request, who, key, lambda: review.edit(store, key, body.text, body.version, who.name))


@router.post("/translations/{item_id}/{field}/{lang}/approve", response_model=TranslationOut)
def approve_translation(
    request: Request, who: auth.Reviewer, item_id: str, field: str, lang: str, body: Approval
) -> TranslationOut:
    """Keep the text as it is, graded APPROVED."""
    key = (item_id, field, lang)
    return _act(request, who, key, lambda: review.approve(_store(request), key, body.version, who.name))


@router.post("/translations/{item_id}/{field}/{lang}/send-back", response_model=TranslationOut)
def send_back_translation(
    request: Request, who: auth.Reviewer, item_id: str, field: str, lang: str, body: Approval
) -> TranslationOut:
    """Back to the machines: the cached text is forgotten and an i18n.missing event asks the agent
    (or the next `tolk translate`) for a new translation; the current text stays until then."""
    key, cache = (item_id, field, lang), request.app.state.cache
    return _act(
        request, who, key, lambda: review.send_back(_store(request), key, body.version, who.name, cache)
    )


class HistoryOut(BaseModel):
    at: datetime
    actor: str
    action: str
    text: str | None
    grade: str | None
    score: float | None


@router.get("/translations/{item_id}/{field}/{lang}/history", response_model=list[HistoryOut])
def translation_history(
    request: Request, who: auth.Viewer, item_id: str, field: str, lang: str
) -> list[HistoryOut]:
    """Every text this translation had, newest first: machine drafts, edits, approvals, send-backs."""
    _visible(who, lang)
    rows = review.history(_store(request), (item_id, field, lang))
    return [
        HistoryOut(at=h.at, actor=h.actor, action=h.action, text=h.text, grade=h.grade, score=h.score)
        for h in rows
    ]
