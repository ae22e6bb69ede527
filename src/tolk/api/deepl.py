"""DeepL's API on `tolk serve`: code and plugins written for DeepL point `server_url` at tolk.

The wire format is DeepL's (https://developers.deepl.com/docs): `/v2/translate` (form or JSON, `text`
repeated, `Authorization: DeepL-Auth-Key …`), `/v2/languages`, `/v2/usage`, `/v2/glossaries`, errors as
`{"message": …}` with DeepL's status codes (400, 403, 404, 413, 456). Behind it is tolk's core, as for
`/v1/translate`: glossary, memory, cache, the gate, audit, metering, the token's role and languages.

Where tolk's rules and DeepL's shape meet:
- a translation the gate holds is never returned as if it were good: the request is refused (422)
  naming the texts and the checks they failed (`/v1/translate` returns each text's status instead);
- glossaries are kept by id for one language pair and applied on top of the stored terms;
- `formality` (tolk.formality) goes to the engine (natively to DeepL, as an instruction to an LLM) and
  the gate checks it where it can (Korean, German, Japanese); `supports_formality` is true for the
  languages whose register tolk names, and `more`/`less` for another are refused as DeepL refuses them;
- `usage` counts the source characters translated on request this month; no character limit is set
  (DeepL reports 10^12 then); a spend cap reached (`[budget]`) answers 456.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from tolk import formality, languages
from tolk.api import auth
from tolk.api import params as params_mod
from tolk.api.params import Refused
from tolk.api.translate import held
from tolk.budget import Budget, BudgetReached
from tolk.core import TolkError, now
from tolk.store import activity
from tolk.store import glossary_sets as sets

router = APIRouter(prefix="/v2", tags=["DeepL-compatible"])

MAX_TEXTS = 50  # DeepL's own limit per request
MAX_TEXT_CHARS = 5_000
NO_LIMIT = 1_000_000_000_000  # what DeepL reports where no character limit is set


def error_response(exc: Refused) -> JSONResponse:
    return JSONResponse({"message": exc.message}, status_code=exc.status, headers=exc.headers)


# --- what a request carries ------------------------------------------------------------------------


async def _params(request: Request) -> dict[str, list[str]]:
    return (await params_mod.read(request))[0]


def _caller(request: Request) -> auth.Caller:
    """`Authorization: DeepL-Auth-Key <tolk token>` (a Bearer header works too)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    found = None
    if scheme.lower() in {"deepl-auth-key", "bearer"}:
        found = auth.verify(request.app.state.store, token.strip())
    if found is None:
        raise Refused(403, "Authorization failure: give a tolk API token as DeepL-Auth-Key")
    if (wait := auth.paced(request, found)) is not None:
        raise Refused(429, "Too many requests, please wait and resend your request.", wait)
    return found


def to_tag(code: str, field: str) -> str:
    """A DeepL language code (EN, EN-US, PT-BR, ZH-HANS) as tolk's tag."""
    try:
        return languages.normalize(code)
    except TolkError:
        raise Refused(400, f"Value for '{field}' not supported.") from None


def to_code(tag: str) -> str:
    """tolk's tag as DeepL names a source language (EN, ZH, PT)."""
    return tag.split("-")[0].upper()


def _target_codes(tag: str) -> list[str]:
    """tolk's tag as DeepL names target languages (a region or script where DeepL wants one)."""
    special = {
        "en": ["EN-GB", "EN-US"],
        "pt": ["PT-BR", "PT-PT"],
        "zh-CN": ["ZH", "ZH-HANS"],
        "zh-TW": ["ZH-HANT"],
    }
    return special.get(tag, [tag.upper()])


# --- /v2/translate ------------------------------------------------------------------------------------


@router.post("/translate")
async def translate(request: Request) -> Response:
    """Translate `text` (repeated) into `target_lang`, DeepL's way."""
    try:
        who = _caller(request)
        params = await _params(request)
        texts = params.get("text") or []
        if not texts:
            raise Refused(400, "Parameter 'text' not specified.")
        if len(texts) > MAX_TEXTS:
            raise Refused(413, f"at most {MAX_TEXTS} texts in one request")
        if any(len(t) > MAX_TEXT_CHARS for t in texts):
            raise Refused(413, f"each text must have at most {MAX_TEXT_CHARS} characters")
        raw_target = params_mod.one(params, "target_lang")
        if not raw_target:
            raise Refused(400, "Value for 'target_lang' not specified.")
        target = to_tag(raw_target, "target_lang")
        raw_source = params_mod.one(params, "source_lang")
        source = to_tag(raw_source, "source_lang") if raw_source else languages.AUTO
        if not who.may(auth.Role.viewer, target):
            raise Refused(403, f"this key is limited to {', '.join(who.langs)}")
        register = _check_options(params, target)
        terms = _glossary(request, params, source, target)
        _check_budget(request)
        done = await request.app.state.kits.translate(
            texts,
            source,
            target,
            actor=f"token:{who.name}",
            origin="deepl",
            glossary=terms,
            context=params_mod.one(params, "context"),
            formality=register,
        )
    except Refused as exc:
        return error_response(exc)
    except TolkError as exc:
        return error_response(Refused(400, str(exc)))
    if why := held(done):
        return error_response(Refused(422, why))
    return JSONResponse(
        {
            "translations": [
                {
                    "detected_source_language": to_code(t.detected_source or source)
                    if (t.detected_source or source) != languages.AUTO
                    else "",
                    "text": t.text,
                    "billed_characters": len(text),
                }
                for text, t in zip(texts, done, strict=True)
            ]
        }
    )


def _check_options(params: dict[str, list[str]], target: str) -> str | None:
    """The formality asked for (None: the configuration's); refuses what DeepL refuses."""
    handling = params_mod.one(params, "tag_handling")
    if handling not in (None, "", "html", "xml"):
        raise Refused(400, "Value for 'tag_handling' not supported.")
    asked = params_mod.one(params, "formality")
    if not asked:
        return None
    try:
        register = formality.check(asked)
    except ValueError:
        raise Refused(400, "Value for 'formality' not supported.") from None
    if register in {"more", "less"} and not formality.named(target):
        raise Refused(400, "'formality' is not supported for the given 'target_lang'.")
    return register


def _glossary(
    request: Request, params: dict[str, list[str]], source: str, target: str
) -> dict[str, str] | None:
    glossary_id = params_mod.one(params, "glossary_id")
    if not glossary_id:
        return None
    if source == languages.AUTO:
        raise Refused(400, "Use of a glossary requires the 'source_lang' parameter to be specified.")
    found = sets.get(request.app.state.store, glossary_id)
    if found is None:
        raise Refused(404, "Glossary not found.")
    if found.source_lang != source.split("-")[0] or found.target_lang != target.split("-")[0]:
        raise Refused(400, "Language pair of the glossary doesn't match the translation's.")
    return found.entries


def _check_budget(request: Request) -> None:
    s = request.app.state.settings
    try:
        Budget(None, s.budget.per_day).check(request.app.state.store, 0.0)
    except BudgetReached as exc:
        raise Refused(456, f"Quota exceeded: {exc}") from None


# --- languages and usage --------------------------------------------------------------------------------


@router.get("/languages", operation_id="deepl_languages")
@router.post("/languages", operation_id="deepl_languages_post")
async def languages_(request: Request) -> Response:
    """The default engine's languages, as DeepL lists them (`type=source|target`)."""
    try:
        _caller(request)
        params = await _params(request)
    except Refused as exc:
        return error_response(exc)
    kind = params_mod.one(params, "type") or "source"
    if kind not in {"source", "target"}:
        return error_response(Refused(400, "Value for 'type' not supported."))
    engine = request.app.state.kits.get(None, None).engine
    tags = list(languages.LANGUAGES)
    pairs = [(s, t) for s in tags for t in tags if engine.supports(s, t)]
    rows: list[dict[str, object]]
    if kind == "source":
        codes = {to_code(s): s for s, _ in pairs}
        rows = [
            {"language": code, "name": languages.display_name(tag)} for code, tag in sorted(codes.items())
        ]
    else:
        named = {code: t for _, t in pairs for code in _target_codes(t)}
        rows = [
            {
                "language": code,
                "name": languages.display_name(tag),
                "supports_formality": formality.named(tag),
            }
            for code, tag in sorted(named.items())
        ]
    return JSONResponse(rows)


@router.get("/usage", operation_id="deepl_usage")
@router.post("/usage", operation_id="deepl_usage_post")
async def usage(request: Request) -> Response:
    """Source characters translated on request since the month began."""
    try:
        _caller(request)
    except Refused as exc:
        return error_response(exc)
    month = now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    count = activity.characters_since(request.app.state.store, month)
    return JSONResponse({"character_count": count, "character_limit": NO_LIMIT})


# --- glossaries -------------------------------------------------------------------------------------------


def _info(g: sets.Named) -> dict[str, Any]:
    return {
        "glossary_id": g.id,
        "name": g.name,
        "ready": True,
        "source_lang": g.source_lang,
        "target_lang": g.target_lang,
        "creation_time": _iso(g.created_at),
        "entry_count": len(g.entries),
    }


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _entries(text: str, fmt: str) -> dict[str, str]:
    """TSV or CSV glossary entries (source, target[, source lang, target lang]) as a dict."""
    if fmt not in {"tsv", "csv"}:
        raise Refused(400, "Value for 'entries_format' not supported.")
    rows = csv.reader(io.StringIO(text), delimiter="\t" if fmt == "tsv" else ",")
    entries: dict[str, str] = {}
    for n, row in enumerate(rows, 1):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise Refused(400, f"Invalid glossary entries: line {n} needs a source and a target term")
        source, target = row[0].strip(), row[1].strip()
        if source in entries:
            raise Refused(400, f"Invalid glossary entries: line {n} repeats the source term {source!r}")
        entries[source] = target
    if not entries:
        raise Refused(400, "Invalid glossary entries: none given")
    return entries


@router.get("/glossary-language-pairs")
async def glossary_pairs(request: Request) -> Response:
    try:
        _caller(request)
    except Refused as exc:
        return error_response(exc)
    engine = request.app.state.kits.get(None, None).engine
    bases = sorted({t.split("-")[0] for t in languages.LANGUAGES})
    found = [{"source_lang": s, "target_lang": t} for s in bases for t in bases if engine.supports(s, t)]
    return JSONResponse({"supported_languages": found})


@router.post("/glossaries")
async def create_glossary(request: Request) -> Response:
    try:
        who = _caller(request)
        if not who.may(auth.Role.admin):
            raise Refused(403, "creating a glossary needs a token with the admin role")
        params = await _params(request)
        target_raw = params_mod.one(params, "target_lang") or ""
        if target_raw and not who.may(auth.Role.admin, to_tag(target_raw, "target_lang")):
            raise Refused(403, f"this key is limited to {', '.join(who.langs)}")
        name = (params_mod.one(params, "name") or "").strip()
        if not name:
            raise Refused(400, "Value for 'name' not specified.")
        source = to_tag(params_mod.one(params, "source_lang") or "", "source_lang").split("-")[0]
        target = to_tag(params_mod.one(params, "target_lang") or "", "target_lang").split("-")[0]
        entries = _entries(
            params_mod.one(params, "entries") or "",
            (params_mod.one(params, "entries_format") or "tsv").lower(),
        )
    except Refused as exc:
        return error_response(exc)
    made = sets.add(request.app.state.store, name[:255], source, target, entries)
    return JSONResponse(_info(made), status_code=201)


@router.get("/glossaries")
async def list_glossaries(request: Request) -> Response:
    try:
        _caller(request)
    except Refused as exc:
        return error_response(exc)
    return JSONResponse({"glossaries": [_info(g) for g in sets.every(request.app.state.store)]})


def _found(request: Request, glossary_id: str) -> sets.Named:
    _caller(request)
    found = sets.get(request.app.state.store, glossary_id)
    if found is None:
        raise Refused(404, "Glossary not found.")
    return found


@router.get("/glossaries/{glossary_id}")
async def get_glossary(request: Request, glossary_id: str) -> Response:
    try:
        return JSONResponse(_info(_found(request, glossary_id)))
    except Refused as exc:
        return error_response(exc)


@router.get("/glossaries/{glossary_id}/entries")
async def glossary_entries(request: Request, glossary_id: str) -> Response:
    try:
        found = _found(request, glossary_id)
    except Refused as exc:
        return error_response(exc)
    tsv = "".join(f"{s}\t{t}\n" for s, t in found.entries.items())
    return PlainTextResponse(tsv, media_type="text/tab-separated-values")


@router.delete("/glossaries/{glossary_id}")
async def delete_glossary(request: Request, glossary_id: str) -> Response:
    try:
        who = _caller(request)
        if not who.may(auth.Role.admin):
            raise Refused(403, "deleting a glossary needs a token with the admin role")
        _found(request, glossary_id)
    except Refused as exc:
        return error_response(exc)
    sets.remove(request.app.state.store, glossary_id)
    return Response(status_code=204)
