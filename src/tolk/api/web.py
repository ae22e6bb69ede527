"""The web UI, server-rendered (Jinja2, plain forms, no JavaScript): review queue, history, translate
page, dashboard.

Log-in takes an API token and opens a session of its own: the HttpOnly, SameSite=Strict cookie holds
a random session secret (never the token), which expires after 12 hours, ends at log-out and with the
token's revocation. Every state-changing form carries a CSRF token: before log-in a random value
double-submitted with a cookie, after it an HMAC of the session that only this server can compute.
Templates escape everything they print.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from babel.numbers import format_currency
from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from tolk import dashboard, languages, review, workspace
from tolk.api import auth, charts, marks
from tolk.api.translate import TranslateRequest
from tolk.api.translations import MAX_INT, sources_of
from tolk.core import Grade, TolkError, now
from tolk.quality.checks import BY_ID
from tolk.store import activity
from tolk.store.repo import REVIEW_SORTS, Store

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)
SESSION, PRELOGIN = "tolk_session", "tolk_login"
PAGE = 50
MESSAGES = {
    "edited": "Saved as HUMAN.",
    "approved": "Approved.",
    "sent_back": "Sent back for re-translation.",
    "conflict": "Someone changed it meanwhile: reload and try again.",
}
BULK = {"approve": "Approved", "send_back": "Sent back"}
FILTER_CHECKS = sorted([*BY_ID, "bleu", "ter", "roundtrip", "judge"])


class Redirect(HTTPException):
    def __init__(self, url: str) -> None:
        super().__init__(303, headers={"Location": url})


def _csrf(token: str) -> str:
    return hmac.new(token.encode(), b"tolk-csrf", hashlib.sha256).hexdigest()


def _session(request: Request) -> tuple[auth.Caller, str]:
    token = request.cookies.get(SESSION, "")
    found = auth.session_caller(request.app.state.store, token) if token else None
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise Redirect("/ui/login?" + urlencode({"next": target}))
    return found, token


def ui_viewer(request: Request) -> tuple[auth.Caller, str]:
    return _session(request)


def ui_writer(request: Request, csrf: Annotated[str, Form()] = "") -> tuple[auth.Caller, str]:
    """A reviewer's session with the form's CSRF token; a missing or wrong one is a 403 before any work."""
    who, token = _session(request)
    if not hmac.compare_digest(csrf, _csrf(token)):
        raise HTTPException(403, "the form's CSRF token is missing or wrong: reload the page")
    return who, token


Session = Annotated[tuple[auth.Caller, str], Depends(ui_viewer)]
WriteSession = Annotated[tuple[auth.Caller, str], Depends(ui_writer)]


def _page(
    request: Request, name: str, session: tuple[auth.Caller, str] | None, **context: Any
) -> HTMLResponse:
    who = session[0] if session else None
    base = {
        "who": who,
        "csrf": _csrf(session[1]) if session else "",
        "msg": _message(request.query_params),
    }
    return templates.TemplateResponse(request, name, base | context)


def _message(params: Any) -> str | None:
    """What the last action did: one of MESSAGES, or a bulk action's counts."""
    msg = str(params.get("msg", ""))
    if msg.startswith("bulk_") and msg[5:] in BULK:
        done, missed = (int(n) if str(n).isdigit() else 0 for n in (params.get("n", 0), params.get("c", 0)))
        tail = f"; {missed} changed meanwhile or gone (reload)" if missed else ""
        return f"{BULK[msg[5:]]} {done}{tail}."
    return MESSAGES.get(msg)


def _safe_next(url: str) -> str:
    """Only a local path: a log-in link must not send the reviewer elsewhere."""
    return url if url.startswith("/ui/") and not url.startswith("//") else "/ui/review"


# --- log-in ------------------------------------------------------------------------------------------


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/ui/review", status_code=303)


@router.get("/ui/static/tolk.css")
def stylesheet() -> FileResponse:
    """The one stylesheet (a route, not a StaticFiles mount: FastAPI 0.165 drops mounts next to routers)."""
    return FileResponse(
        HERE / "static" / "tolk.css", media_type="text/css", headers={"cache-control": "public, max-age=3600"}
    )


@router.get("/ui/static/tolk.js")
def script() -> FileResponse:
    """The review queue's keyboard shortcuts: served by tolk itself (CSP script-src 'self')."""
    return FileResponse(
        HERE / "static" / "tolk.js",
        media_type="text/javascript",
        headers={"cache-control": "public, max-age=3600"},
    )


@router.get("/ui/login")
def login_form(request: Request, next: str = "/ui/review", error: str = "") -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    response = _page(request, "login.html", None, nonce=nonce, next=_safe_next(next), error=error)
    response.set_cookie(
        PRELOGIN, nonce, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response


@router.post("/ui/login")
def login(
    request: Request,
    token: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/ui/review",
) -> Response:
    nonce = request.cookies.get(PRELOGIN, "")
    if not nonce or not hmac.compare_digest(csrf, nonce):
        raise HTTPException(403, "the log-in form expired: reload it")
    secret = auth.open_session(request.app.state.store, token.strip())
    if secret is None:
        return RedirectResponse("/ui/login?" + urlencode({"next": next, "error": "1"}), status_code=303)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION,
        secret,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=int(auth.SESSION_TTL.total_seconds()),
    )
    response.delete_cookie(PRELOGIN)
    return response


@router.post("/ui/logout")
def logout(request: Request, session: WriteSession) -> Response:
    auth.close_session(request.app.state.store, session[1])  # the cookie's secret is dead from now on
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION)
    return response


# --- review ------------------------------------------------------------------------------------------


@router.get("/ui/review")
def review_page(
    request: Request,
    session: Session,
    lang: str = "",
    grade: str = "",
    profile: str = "",
    check: str = "",
    q: Annotated[str, Query(max_length=200)] = "",
    sort: Annotated[str, Query(pattern="^(" + "|".join(REVIEW_SORTS) + ")$")] = "product",
    page: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> HTMLResponse:
    who, _ = session
    store: Store = request.app.state.store
    langs = [lang] if lang else list(who.langs) or None
    rows = []
    if not (lang and who.langs and lang not in who.langs):
        rows = store.review_queue(
            langs,
            PAGE + 1,
            grade=grade or None,
            profile=profile or None,
            check=check or None,
            offset=page * PAGE,
            q=q.strip() or None,
            sort=sort,
        )
    sources = sources_of(store, rows)
    items = [
        {
            "t": t,
            "source": sources.get((t.item_id, t.field), ""),
            "checks": [c for c in t.checks or [] if isinstance(c, dict)],
            "may_write": who.may(auth.Role.reviewer, t.lang),
        }
        for t in rows[:PAGE]
    ]
    filters = {"lang": lang, "grade": grade, "profile": profile, "check": check, "q": q.strip()}
    chosen = {k: v for k, v in filters.items() if v} | ({"sort": sort} if sort != "product" else {})

    def url(n: int) -> str:
        query = urlencode(chosen | ({"page": str(n)} if n else {}))
        return f"/ui/review?{query}" if query else "/ui/review"

    options = {
        "grades": [g.value for g in Grade],
        "checks": FILTER_CHECKS,
        "langs": sorted(languages.LANGUAGES),
        "profiles": sorted({"ecommerce", *request.app.state.settings.profiles}),
    }
    return _page(
        request,
        "review.html",
        session,
        items=items,
        filters=filters,
        page=page,
        more=len(rows) > PAGE,
        here=url(page),
        prev_url=url(page - 1),
        next_url=url(page + 1),
        sort=sort,
        sorts=REVIEW_SORTS,
        **options,
    )


def _act(
    request: Request, who: auth.Caller, lang: str, back: str, done: str, action: Any
) -> RedirectResponse:
    back = _safe_next(back)
    sep = "&" if "?" in back else "?"
    if not who.may(auth.Role.reviewer, lang):
        raise HTTPException(403, f"this needs the reviewer role for {lang}")
    try:
        outcome = action()
        done = outcome if isinstance(outcome, str) else done
    except review.Conflict:
        done = "conflict"
    except review.NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    return RedirectResponse(f"{back}{sep}msg={done}", status_code=303)


Back = Annotated[str, Form()]
Version = Annotated[int, Form(ge=1, le=MAX_INT)]
NewText = Annotated[str, Form(min_length=1, max_length=100_000)]


@router.post("/ui/t/{item_id}/{field}/{lang}/edit")
def edit(
    request: Request,
    session: WriteSession,
    item_id: str,
    field: str,
    lang: str,
    text: NewText,
    version: Version,
    back: Back = "/ui/review",
    action: Annotated[str, Form(pattern="^(edit|approve)$")] = "edit",
) -> RedirectResponse:
    """The translation form: "Save as HUMAN" stores the text; "Approve" approves what the box shows —
    the text as it was, or the reviewer's edit of it (never the old text with the edit dropped)."""
    who, store, key = session[0], request.app.state.store, (item_id, field, lang)
    if action == "approve":  # the message says what happened: approved, or edited (the box changed)
        return _act(
            request,
            who,
            lang,
            back,
            "approved",
            lambda: review.approve_as_shown(store, key, text, version, who.name),
        )
    return _act(request, who, lang, back, "edited", lambda: review.edit(store, key, text, version, who.name))


@router.post("/ui/t/{item_id}/{field}/{lang}/approve")
def approve(
    request: Request,
    session: WriteSession,
    item_id: str,
    field: str,
    lang: str,
    version: Version,
    back: Back = "/ui/review",
) -> RedirectResponse:
    who, store, key = session[0], request.app.state.store, (item_id, field, lang)
    return _act(request, who, lang, back, "approved", lambda: review.approve(store, key, version, who.name))


@router.post("/ui/t/{item_id}/{field}/{lang}/send-back")
def send_back(
    request: Request,
    session: WriteSession,
    item_id: str,
    field: str,
    lang: str,
    version: Version,
    back: Back = "/ui/review",
) -> RedirectResponse:
    who, store, key, cache = (
        session[0],
        request.app.state.store,
        (item_id, field, lang),
        request.app.state.cache,
    )
    return _act(
        request, who, lang, back, "sent_back", lambda: review.send_back(store, key, version, who.name, cache)
    )


@router.post("/ui/bulk")
def bulk(
    request: Request,
    session: WriteSession,
    action: Annotated[str, Form(pattern="^(approve|send_back)$")],
    pick: Annotated[list[str] | None, Form(max_length=PAGE)] = None,
    back: Back = "/ui/review",
) -> RedirectResponse:
    """The selected items (`ITEM/FIELD/LANG@VERSION` each) approved or sent back, each as if alone: one
    someone changed meanwhile is counted and left, the rest go on."""
    who, store, cache = session[0], request.app.state.store, request.app.state.cache
    chosen = [_picked(p) for p in pick or []]
    if any(not who.may(auth.Role.reviewer, key[2]) for key, _ in chosen):
        raise HTTPException(403, "this needs the reviewer role for every selected language")
    done = missed = 0
    for key, version in chosen:
        try:
            if action == "approve":
                review.approve(store, key, version, who.name)
            else:
                review.send_back(store, key, version, who.name, cache)
            done += 1
        except (review.Conflict, review.NotFound):
            missed += 1
    back = _safe_next(back)
    sep = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{sep}{urlencode({'msg': f'bulk_{action}', 'n': done, 'c': missed})}", 303)


def _picked(value: str) -> tuple[tuple[str, str, str], int]:
    key, _, version = value.rpartition("@")
    parts = key.rsplit("/", 2)
    if len(parts) != 3 or not version.isdigit() or not 1 <= int(version) <= MAX_INT:
        raise HTTPException(422, f"pick: {value[:80]!r} is not ITEM/FIELD/LANG@VERSION")
    return (parts[0], parts[1], parts[2]), int(version)


@router.get("/ui/t/{item_id}/{field}/{lang}/history")
def history(request: Request, session: Session, item_id: str, field: str, lang: str) -> HTMLResponse:
    if not session[0].may(auth.Role.viewer, lang):
        raise HTTPException(403, f"this token is limited to {', '.join(session[0].langs)}")
    store: Store = request.app.state.store
    with store.sessions() as db:
        current = store.translation(db, item_id, field, lang)
    if current is None:
        raise HTTPException(404, f"no translation of {item_id}/{field} into {lang}")
    source = sources_of(store, [current]).get((item_id, field), "")
    entries = review.history(store, (item_id, field, lang))
    return _page(request, "history.html", session, t=current, source=source, entries=entries)


@router.get("/ui/t/{item_id}/{field}/{lang}")
def translation_page(request: Request, session: Session, item_id: str, field: str, lang: str) -> HTMLResponse:
    """One translation with everything a reviewer weighs: chips for markup, the findings on their
    spans, the product around it, glossary terms, memory like it, diffs and the history."""
    who = session[0]
    if not who.may(auth.Role.viewer, lang):
        raise HTTPException(403, f"this token is limited to {', '.join(who.langs)}")
    seen = workspace.view(request.app.state.store, (item_id, field, lang))
    if seen is None:
        raise HTTPException(404, f"no translation of {item_id}/{field} into {lang}")
    t = seen.translation
    in_source = [(s, e, f"{h.id}: {h.message}") for h in seen.findings for s, e in h.in_source]
    in_text = [(s, e, f"{h.id}: {h.message}") for h in seen.findings for s, e in h.in_translation]
    return _page(
        request,
        "translation.html",
        session,
        v=seen,
        t=t,
        source=marks.chips(seen.source, in_source),
        text=marks.chips(t.text, in_text),
        since_previous=marks.diff(seen.previous, t.text) if seen.previous is not None else None,
        from_suggestion=marks.diff(t.suggestion, t.text) if t.suggestion else None,
        may_write=who.may(auth.Role.reviewer, lang),
        here=f"/ui/t/{quote(item_id, safe='')}/{quote(field, safe='')}/{quote(lang, safe='')}",
    )


# --- translate and dashboard -------------------------------------------------------------------------


@router.get("/ui/translate")
def translate_form(request: Request, session: Session) -> HTMLResponse:
    return _translate_page(request, session, {"source": "en", "target": "es"}, None, "")


def _translate_page(
    request: Request, session: tuple[auth.Caller, str], form: dict[str, str], result: Any, error: str
) -> HTMLResponse:
    s = request.app.state.settings
    return _page(
        request,
        "translate.html",
        session,
        form=form,
        result=result,
        error=error,
        engines=sorted(s.engines),
        profiles=sorted({"ecommerce", *s.profiles}),
        langs=sorted(languages.LANGUAGES),
    )


@router.post("/ui/translate")
async def translate(
    request: Request,
    session: WriteSession,
    text: Annotated[str, Form(max_length=5000)] = "",
    source: Annotated[str, Form()] = "en",
    target: Annotated[str, Form()] = "es",
    engine: Annotated[str, Form()] = "",
    profile: Annotated[str, Form()] = "",
) -> HTMLResponse:
    who = session[0]
    form = {"text": text, "source": source, "target": target, "engine": engine, "profile": profile}
    try:
        body = TranslateRequest(
            text=text, source=source, target=target, engine=engine or None, profile=profile or None
        )
        if body.source == body.target:
            raise TolkError("source and target are the same language")
        if not who.may(auth.Role.viewer, body.target):
            raise TolkError(f"this token is limited to {', '.join(who.langs)}")
        done = (await request.app.state.kits.request(body, f"token:{who.name}"))[0]
    except ValidationError as exc:  # the API's own checks, said as one line
        return _translate_page(request, session, form, None, str(exc.errors()[0]["msg"]))
    except TolkError as exc:
        return _translate_page(request, session, form, None, str(exc))
    return _translate_page(request, session, form, done, "")


@router.get("/ui/dashboard")
def dashboard_page(
    request: Request,
    session: Session,
    window: Annotated[str | None, Query(pattern="^(24h|48h|7d|14d|30d|90d)$")] = None,
    days: Annotated[int | None, Query(ge=1, le=90)] = None,  # the older spelling: ?days=7
) -> HTMLResponse:
    store: Store = request.app.state.store
    chosen = window or _days_window(days) or ("24h" if _young(store) else "14d")
    board = dashboard.build(store, chosen)
    ticks, hourly = board.span.ticks, board.span.hourly
    per = "hour" if board.span.step == timedelta(hours=1) else "2 hours" if hourly else "day"
    figures = [
        charts.line_chart("Quality score per language", ticks, board.score, hourly=hourly),
        charts.line_chart(f"Throughput (segments per {per})", ticks, board.throughput, hourly=hourly),
        charts.line_chart("Engine latency p50 / p95", ticks, board.latency, " s", hourly=hourly),
        charts.line_chart(f"Cost per {per} (USD)", ticks, board.cost, hourly=hourly),
        charts.line_chart("Cache hit ratio", ticks, board.cache, " %", hourly=hourly),
        charts.line_chart("Rewrites and review", ticks, board.review, hourly=hourly),
    ]
    heads = dashboard.headlines(store)
    waiting = sum(store.review_counts().values())
    return _page(
        request,
        "dashboard.html",
        session,
        figures=figures,
        window=chosen,
        windows=list(dashboard.WINDOWS),
        headlines=heads,
        waiting=waiting,
        money=_money,
    )


def _days_window(days: int | None) -> str | None:
    if days is None:
        return None
    if days <= 2:
        return "24h" if days == 1 else "48h"
    return next((f"{n}d" for n in (7, 14, 30) if days <= n), "90d")


def _young(store: Store) -> bool:
    """Two days of data or less: hours say more than days."""
    first = activity.first_at(store)
    return first is None or first > now() - timedelta(days=2)


def _money(usd: float) -> str:
    """$1,234.56, or for the fractions of a cent a run of cheap calls costs, $0.000088 (never 8.8e-05)."""
    return format_currency(usd, "USD", format="¤#,##0.00####", locale="en_US", currency_digits=False)
