"""The HTTP API: `create_app(settings)`; `tolk serve` runs it with uvicorn. OpenAPI at /docs.

Every route but /healthz, /readyz and /metrics needs `Authorization: Bearer TOKEN` (tolk token
create). Bad input is a 4xx with a message; bodies over MAX_BODY are refused before they are read.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import text as sql

from tolk import __version__, assemble, languages
from tolk.api import auth, glossary, translations
from tolk.api.translate import inline_glossary, translate_texts
from tolk.config import Settings
from tolk.core import TolkError
from tolk.store.repo import Store

MAX_BODY = 1_000_000  # bytes
MAX_TEXTS = 100
MAX_TEXT_CHARS = 5_000


class TranslateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | list[str] = Field(description="One text or a list (at most 100, 5,000 characters each).")
    source: str = Field("en", description="Source language, or `auto` where the engine detects it.")
    target: str = Field(description="Target language, e.g. `es`, `zh-CN`.")
    engine: str | None = Field(None, description="Engine name from the configuration.")
    glossary: dict[str, str] | None = Field(None, description="Terms for this request; term: itself = keep.")
    profile: str | None = Field(None, description="Domain profile: ecommerce, legal, medical…")

    @field_validator("text")
    @classmethod
    def _sizes(cls, value: str | list[str]) -> str | list[str]:
        texts = [value] if isinstance(value, str) else value
        if not texts or len(texts) > MAX_TEXTS:
            raise ValueError(f"give 1 to {MAX_TEXTS} texts")
        if any(len(t) > MAX_TEXT_CHARS or not t.strip() for t in texts):
            raise ValueError(f"each text must have 1 to {MAX_TEXT_CHARS} characters")
        return value

    @field_validator("source", "target")
    @classmethod
    def _language(cls, value: str) -> str:
        try:
            return languages.normalize(value, allow_auto=True)
        except TolkError as exc:
            raise ValueError(str(exc)) from None


class TranslationOut(BaseModel):
    text: str
    score: float
    failed: list[str]


class TranslateResponse(BaseModel):
    translations: list[TranslationOut]
    detected_source: str | None = None


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("tolk_http_requests", "HTTP requests", ["route", "status"],
                                registry=self.registry)  # fmt: skip
        self.latency = Histogram("tolk_http_request_seconds", "HTTP request latency", ["route"],
                                 registry=self.registry)  # fmt: skip


def create_app(settings: Settings) -> FastAPI:
    kits: dict[tuple[str | None, str | None], assemble.Kit] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = Store(settings.store)
        try:
            yield
        finally:
            for kit in kits.values():
                await kit.aclose()
            app.state.store.close()

    app = FastAPI(title="tolk", version=__version__, lifespan=lifespan)
    metrics = Metrics()

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            response: Response = JSONResponse({"detail": f"body over {MAX_BODY} bytes"}, status_code=413)
        else:
            response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        metrics.requests.labels(route, str(response.status_code)).inc()
        metrics.latency.labels(route).observe(time.perf_counter() - started)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @app.exception_handler(TolkError)
    async def tolk_error(_: Request, exc: TolkError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    app.include_router(translations.router)
    app.include_router(glossary.router)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        checks: dict[str, Any] = {}
        try:
            with request.app.state.store.engine.connect() as conn:
                conn.execute(sql("SELECT 1"))
            checks["db"] = "ok"
        except Exception as exc:
            checks["db"] = f"error: {exc.__class__.__name__}"
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"ready": ok, "checks": checks}, status_code=200 if ok else 503)

    @app.get("/metrics")
    async def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.post("/v1/translate", response_model=TranslateResponse)
    async def translate(body: TranslateRequest, who: auth.Viewer, request: Request) -> TranslateResponse:
        if not who.may(auth.Role.viewer, body.target):
            raise HTTPException(403, f"this token is limited to {', '.join(who.langs)}")
        if body.source == body.target:
            raise HTTPException(422, "source and target are the same language")
        key = (body.engine, body.profile)
        if key not in kits:
            kits[key] = assemble.kit(
                settings, request.app.state.store, engine=body.engine, profile=body.profile
            )
        texts = [body.text] if isinstance(body.text, str) else body.text
        extra = inline_glossary(body.glossary, body.target) if body.glossary else None
        done = await translate_texts(kits[key], texts, body.source, body.target, extra)
        return TranslateResponse(translations=[TranslationOut(**d.__dict__) for d in done])

    return app
