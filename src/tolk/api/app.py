"""The HTTP API and web UI: `create_app(settings)`; `tolk serve` runs it with uvicorn. OpenAPI at /docs.

Every /v1 route needs `Authorization: Bearer TOKEN` (tolk token create); the web UI under /ui logs in
with the same token. Bad input is a 4xx with a message; bodies over MAX_BODY are refused as they stream
in, whatever Content-Length says or omits (catalog and TMX uploads have their own, larger limit).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from tolk import __version__
from tolk.api import (
    auth,
    conversations,
    deepl,
    glossary,
    health,
    jobs,
    libre,
    memory,
    support,
    translations,
    web,
)
from tolk.api.limits import BodyLimit
from tolk.api.translate import Kits, TranslateRequest, TranslateResponse, TranslationOut
from tolk.bus.webhooks import Webhooks
from tolk.cache import open_cache
from tolk.config import Settings
from tolk.core import TolkError
from tolk.store import jobs as job_rows
from tolk.store.repo import Store
from tolk.telemetry import Telemetry

MAX_BODY = 1_000_000  # bytes
UPLOADS = ("/v1/jobs", "/v1/tm")  # read in a stream with their own limit (jobs.MAX_UPLOAD)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# no inline script anywhere in the UI; /docs loads Swagger UI's own assets and keeps its defaults
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def create_app(settings: Settings, *, routers: Sequence[APIRouter] = ()) -> FastAPI:
    """`routers`: more routes from the layers above the API (`tolk serve` adds the Slack app's,
    tolk.ops.slack)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.store, vault=settings.encryption.vault())
        job_rows.interrupt_leftovers(store)  # a stopped server's jobs will never finish
        state = app.state
        state.settings, state.store, state.telemetry, state.jobs = settings, store, telemetry, set()
        state.cache = open_cache(settings.cache, store, settings.cache_ttl_s)
        state.kits = Kits(settings, store, telemetry)
        state.readiness = health.Readiness(settings, store)
        state.pace = auth.Pace(settings.api.token_rpm) if settings.api.token_rpm else None
        hooks, stop = Webhooks(settings.webhooks) if settings.webhooks else None, asyncio.Event()
        delivering = asyncio.create_task(hooks.run(store, stop)) if hooks else None  # no broker needed
        try:
            yield
        finally:
            stop.set()
            if delivering is not None and hooks is not None:
                await delivering
                await hooks.aclose()
            for task in list(state.jobs):
                task.cancel()
            await asyncio.gather(*state.jobs, return_exceptions=True)
            await state.kits.aclose()
            await state.readiness.aclose()
            state.cache.close()
            store.close()

    app = FastAPI(title="tolk", version=__version__, lifespan=lifespan)
    telemetry = Telemetry()

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        telemetry.http_requests.labels(route, str(response.status_code)).inc()
        telemetry.http_seconds.labels(route).observe(time.perf_counter() - started)
        response.headers.update(HEADERS)
        if not request.url.path.startswith(("/docs", "/redoc")):
            response.headers["Content-Security-Policy"] = CSP
        return response

    # outermost: a body over the limit is refused while it streams in (chunked uploads too)
    app.add_middleware(BodyLimit, limit=MAX_BODY, passthrough=UPLOADS)

    @app.exception_handler(TolkError)
    async def tolk_error(_: Request, exc: TolkError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        """One readable line first (`body.target: Field required`), the details after it."""
        errors = exc.errors()
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = f"{where}: {first.get('msg', 'invalid request')}"
        return JSONResponse({"detail": message, "errors": _plain(errors)}, status_code=422)

    for router in (
        conversations.router,
        deepl.router,
        libre.router,
        translations.router,
        glossary.router,
        jobs.router,
        memory.router,
        health.router,
        web.router,
        support.router,
        *routers,
    ):
        app.include_router(router)

    @app.get("/metrics")
    async def prometheus(request: Request) -> Response:
        await health.sample(request.app.state.readiness, telemetry)
        return Response(generate_latest(telemetry.registry), media_type=CONTENT_TYPE_LATEST)

    @app.post("/v1/translate", response_model=TranslateResponse)
    async def translate(body: TranslateRequest, who: auth.Viewer, request: Request) -> TranslateResponse:
        if not who.may(auth.Role.viewer, body.target):
            raise HTTPException(403, f"this token is limited to {', '.join(who.langs)}")
        if body.source == body.target:
            raise HTTPException(422, "source and target are the same language")
        done = await request.app.state.kits.request(body, f"token:{who.name}")
        gate = str(request.app.state.kits.get(body.engine, body.profile).loop.signature)
        found = [d.detected_source for d in done if d.detected_source]
        return TranslateResponse(
            translations=[TranslationOut.of(d) for d in done],
            detected_source=max(set(found), key=found.count) if found else None,
            gate=gate,
        )

    return app


def _plain(errors: Any) -> Any:
    """Validation details without the exception objects pydantic keeps in `ctx` (not JSON)."""
    return [{k: (str(v) if k == "ctx" else v) for k, v in e.items() if k != "input"} for e in errors]
