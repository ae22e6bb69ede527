"""Glossary routes: anyone with a token reads the terms; changing them is an admin's (it changes
every later translation's cache key for the texts the term applies to)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from tolk import languages
from tolk.api import auth
from tolk.core import Term, TolkError
from tolk.glossary import Glossary, GlossaryEntry
from tolk.store.repo import Store

router = APIRouter(prefix="/v1/glossary")


class TermIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: str = Field(min_length=1, max_length=512)
    do_not_translate: bool = False
    case_sensitive: bool = False
    note: str = Field("", max_length=1024)


class TermOut(TermIn):
    source: str
    lang: str


def _lang(lang: str) -> str:
    if lang == "*":
        return lang
    try:
        return languages.normalize(lang)
    except TolkError as exc:
        raise HTTPException(422, f"lang: {exc}") from None


def _terms(store: Store, lang: str | None = None) -> list[TermOut]:
    return [
        TermOut(
            source=e.term.source,
            lang=e.lang,
            target=e.term.target,
            note=e.term.note,
            do_not_translate=e.term.do_not_translate,
            case_sensitive=e.term.case_sensitive,
        )
        for e in store.glossary().entries()
        if lang is None or e.lang == lang
    ]


def _writable(who: auth.Caller, lang: str) -> str:
    """The language a term is written for, if this token may write it (`*` needs an unlimited token)."""
    code = _lang(lang)
    if who.langs and (code == "*" or code not in who.langs):
        raise HTTPException(403, f"this token may write terms for {', '.join(who.langs)} only")
    return code


@router.get("", response_model=list[TermOut])
def list_terms(request: Request, who: auth.Viewer, lang: str | None = None) -> list[TermOut]:
    return _terms(request.app.state.store, _lang(lang) if lang else None)


@router.put("/{lang}/{source}", response_model=TermOut)
def put_term(request: Request, who: auth.Admin, lang: str, source: str, body: TermIn) -> TermOut:
    """Add or change a term (`lang` `*` = every language)."""
    code, store = _writable(who, lang), request.app.state.store
    term = Term(source, body.target, body.do_not_translate, body.case_sensitive, body.note)
    store.import_glossary(Glossary([GlossaryEntry(code, term)]))
    return TermOut(source=source, lang=code, **body.model_dump())


@router.delete("/{lang}/{source}", status_code=204)
def delete_term(request: Request, who: auth.Admin, lang: str, source: str) -> Response:
    if not request.app.state.store.delete_term(source, _writable(who, lang)):
        raise HTTPException(404, f"no term {source!r} for {lang}")
    return Response(status_code=204)
