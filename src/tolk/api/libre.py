"""LibreTranslate's API on `tolk serve`: tools written for a self-hosted LibreTranslate point at tolk.

The wire format is LibreTranslate's (https://docs.libretranslate.com): `POST /translate` (`q` one text
or a list, `source` a code or `auto`, `target`, `format` text|html, `api_key`, `alternatives`),
`POST /detect`, `GET /languages`, `GET /frontend/settings`; form or JSON bodies; errors as
`{"error": …}`. `api_key` is a tolk API token. Behind it is tolk's core, as for `/v1/translate` and the
DeepL endpoints: glossary, memory, cache, the gate, audit, metering, the token's role and languages —
and a translation the gate holds is refused (422, naming the texts), never returned as if it were good.
tolk's engines give one translation per text: `alternatives` answers an empty list.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from tolk import languages
from tolk.api import auth
from tolk.api.params import Refused, one, read
from tolk.api.translate import held
from tolk.core import TolkError
from tolk.text.identify import COMMON, identify

router = APIRouter(tags=["LibreTranslate-compatible"])

MAX_TEXTS = 100
MAX_TEXT_CHARS = 5_000


def _error(exc: Refused) -> JSONResponse:
    return JSONResponse({"error": exc.message}, status_code=exc.status, headers=exc.headers)


def _caller(request: Request, params: dict[str, list[str]]) -> auth.Caller:
    """`api_key` (form, JSON or query) or an `Authorization: Bearer` header: a tolk API token."""
    token = one(params, "api_key")
    if token is None:
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        token = bearer.strip() if scheme.lower() == "bearer" else None
    found = auth.verify(request.app.state.store, token) if token else None
    if found is None:
        raise Refused(403, "Invalid API key: give a tolk API token as api_key")
    if (wait := auth.paced(request, found)) is not None:
        raise Refused(429, f"Slowdown: {request.app.state.settings.api.token_rpm:g} per 1 minute", wait)
    return found


def _tag(code: str, field: str) -> str:
    try:
        return languages.normalize(code, allow_auto=field == "source")
    except TolkError:
        raise Refused(400, f"{code} is not supported ({field})") from None


def _code(tag: str) -> str:
    """tolk's tag as LibreTranslate names it: the language alone, but zh-Hant for Traditional."""
    return {"zh-CN": "zh", "zh-TW": "zh-Hant"}.get(tag, tag)


def _found(text: str) -> dict[str, Any]:
    found = identify(text)
    if found is None:
        return {"confidence": 0.0, "language": ""}
    return {"confidence": round(found.confidence * 100, 1), "language": _code(found.tag)}


@router.post("/translate")
async def translate(request: Request) -> Response:
    try:
        params, lists = await read(request)
        who = _caller(request, params)
        texts = params.get("q") or []
        if not texts:
            raise Refused(400, "Invalid request: missing q parameter")
        if len(texts) > MAX_TEXTS or any(len(t) > MAX_TEXT_CHARS for t in texts):
            raise Refused(400, f"at most {MAX_TEXTS} texts of {MAX_TEXT_CHARS} characters each")
        raw_target = one(params, "target")
        if not raw_target:
            raise Refused(400, "Invalid request: missing target parameter")
        target = _tag(raw_target, "target")
        source = _tag(one(params, "source") or "auto", "source")
        if (one(params, "format") or "text") not in {"text", "html"}:
            raise Refused(400, "Invalid request: format must be text or html")
        if not who.may(auth.Role.viewer, target):
            raise Refused(403, f"this key is limited to {', '.join(who.langs)}")
        done = await request.app.state.kits.translate(
            texts, source, target, actor=f"token:{who.name}", origin="libretranslate"
        )
    except Refused as exc:
        return _error(exc)
    except TolkError as exc:
        return _error(Refused(400, str(exc)))
    if why := held(done):
        return _error(Refused(422, why))
    single = "q" not in lists  # one string in, one string out; a list in, a list out
    body: dict[str, Any] = {"translatedText": done[0].text if single else [t.text for t in done]}
    if source == languages.AUTO:
        found = [
            {"confidence": 100.0 if t.detected_source else 0.0, "language": _code(t.detected_source or "")}
            for t in done
        ]
        body["detectedLanguage"] = found[0] if single else found
    if int(one(params, "alternatives") or 0) > 0:
        body["alternatives"] = [] if single else [[] for _ in done]
    return JSONResponse(body)


@router.post("/detect")
async def detect(request: Request) -> Response:
    try:
        params, _ = await read(request)
        _caller(request, params)
        texts = params.get("q") or []
        if not texts:
            raise Refused(400, "Invalid request: missing q parameter")
    except Refused as exc:
        return _error(exc)
    return JSONResponse([_found(texts[0])])


@router.get("/languages")
async def languages_(request: Request) -> Response:
    """The default engine's languages, each with the targets it translates into."""
    engine = request.app.state.kits.get(None, None).engine
    # languages as LibreTranslate lists them: without regions (Chinese by its two scripts)
    tags = [
        t for t in dict.fromkeys([*COMMON, *languages.LANGUAGES]) if "-" not in t or t in {"zh-CN", "zh-TW"}
    ]
    rows = []
    for source in tags:
        targets = [_code(t) for t in tags if engine.supports(source, t)]
        if targets:
            rows.append({"code": _code(source), "name": languages.display_name(source), "targets": targets})
    return JSONResponse(rows)


@router.get("/frontend/settings")
async def frontend_settings(request: Request) -> Response:
    return JSONResponse(
        {
            "charLimit": MAX_TEXT_CHARS,
            "frontendTimeout": 500,
            "apiKeys": True,
            "keyRequired": True,
            "suggestions": False,
            "filesTranslation": False,
            "supportedFilesFormat": [],
            "language": {
                "source": {"code": "auto", "name": "Auto Detect"},
                "target": {"code": "en", "name": "English"},
            },
        }
    )
