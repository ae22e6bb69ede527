"""Catalog jobs: POST /v1/jobs uploads a catalog (JSONL or CSV body), GET /v1/jobs/{id} shows progress.

The whole file is checked before the job is accepted (a bad row is a 422 naming its line, nothing is
written); then it runs in the server's event loop like `tolk translate`, one job at a time per server
process. A job still running when the server stops is marked `interrupted` at the next start: post it
again — rows translated before the stop are not translated twice (the plan skips them).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from tolk import assemble, languages
from tolk.api import auth
from tolk.config import Settings
from tolk.core import TolkError, now
from tolk.formats import catalog
from tolk.pipeline import Pipeline, items
from tolk.store import audit
from tolk.store import jobs as job_rows
from tolk.store.repo import Store
from tolk.telemetry import Telemetry

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/jobs")
MAX_UPLOAD = 50_000_000  # bytes
FORMATS = {"application/x-ndjson": ".jsonl", "application/jsonl": ".jsonl", "application/json": ".jsonl",
           "text/csv": ".csv", "text/tab-separated-values": ".tsv"}  # fmt: skip


class JobOut(BaseModel):
    id: str
    state: str  # queued, running, done, failed, interrupted
    targets: list[str]
    total: int
    done: int
    summary: dict[str, Any]
    error: str | None


def _out(job: job_rows.CatalogJob) -> JobOut:
    return JobOut(
        id=job.id,
        state=job.state,
        targets=list(job.targets),
        total=job.total,
        done=job.done,
        summary=dict(job.summary or {}),
        error=job.error,
    )


async def read_upload(request: Request, limit: int, what: str) -> bytes:
    """The body, refused (413) as soon as it passes `limit` — a missing Content-Length does not help."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"{what} over {limit} bytes")
    if not body.strip():
        raise HTTPException(422, f"empty body: send the {what} in it")
    return bytes(body)


def _bad_rows(bad: list[catalog.BadRow], shown: int = 20) -> str:
    """Every bad line of a body, in one 422 (the first `shown`, then how many more)."""
    listed = "; ".join(f"body:{b.line}: {b.reason}" for b in bad[:shown])
    more = f"; and {len(bad) - shown} more bad rows" if len(bad) > shown else ""
    return f"{len(bad)} bad rows, nothing was accepted: {listed}{more}"


def _targets(to: str, who: auth.Caller) -> list[str]:
    try:
        targets = [languages.normalize(t) for t in to.split(",") if t.strip()]
    except TolkError as exc:
        raise HTTPException(422, f"to: {exc}") from None
    if not targets:
        raise HTTPException(422, "to: name at least one target language")
    if denied := [t for t in targets if not who.may(auth.Role.reviewer, t)]:
        raise HTTPException(403, f"this token may not write {', '.join(denied)}")
    return targets


@router.post("", response_model=JobOut, status_code=202)
async def create_job(
    request: Request,
    who: auth.Reviewer,
    to: Annotated[str, Query(description="Target languages, comma-separated: es,ko")],
    engine: str | None = None,
    profile: str | None = None,
    source: Annotated[str | None, Query(alias="from")] = None,
    skip_bad: Annotated[
        bool, Query(description="Translate the good rows; the summary lists the bad")
    ] = False,
) -> JobOut:
    """Upload a catalog (body: JSONL, or CSV with `Content-Type: text/csv`); returns the job to poll.
    A bad row refuses the whole body (422 naming every bad line), unless `skip_bad` is set."""
    settings: Settings = request.app.state.settings
    targets = _targets(to, who)
    suffix = FORMATS.get(request.headers.get("content-type", "").split(";")[0].strip().lower(), ".jsonl")
    data = await read_upload(request, MAX_UPLOAD, "catalog")
    folder = Path(tempfile.mkdtemp(prefix="tolk-job-"))
    path = folder / f"catalog{suffix}"
    path.write_bytes(data)
    store: Store = request.app.state.store
    telemetry: Telemetry = request.app.state.telemetry
    try:
        src = languages.normalize(source) if source else settings.source_lang
        kit = assemble.kit(settings, store, engine=engine, profile=profile)
    except TolkError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise HTTPException(422, str(exc)) from None
    spec = kit.job(
        settings,
        path=path,
        targets=targets,
        source_lang=src,
        origin="job",
        telemetry=telemetry,
        skip_bad=skip_bad,
    )
    try:  # every bad row of the body, by the run's own rules, off the event loop
        scan = await asyncio.to_thread(items.scan, spec, skip_bad=True)
        if scan.bad and not skip_bad:
            raise TolkError(_bad_rows(scan.bad))
    except TolkError as exc:
        await kit.aclose()
        shutil.rmtree(folder, ignore_errors=True)
        raise HTTPException(422, str(exc).replace(str(path), "body")) from None
    with store.transaction() as session:
        job = job_rows.add(session, uuid.uuid4().hex, who.name, targets, scan.rows)
        out = _out(job)
        audit.record(
            session,
            audit.Entry(
                f"token:{who.name}",
                "job",
                lang=",".join(targets),
                source_sha256=audit.sha256(data.decode("utf-8", "replace")),
                detail=f"job {job.id}, {scan.rows} rows",
            ),
        )
    telemetry.attach(*kit.engines())
    task = asyncio.create_task(_run(store, out.id, Pipeline(spec), kit, folder))
    request.app.state.jobs.add(task)
    task.add_done_callback(request.app.state.jobs.discard)
    return out


async def _run(store: Store, job_id: str, pipeline: Pipeline, kit: assemble.Kit, folder: Path) -> None:
    done, saved_at = 0, 0.0

    def progress(n: int) -> None:  # a row update at most once a second, not per chunk
        nonlocal done, saved_at
        done += n
        if time.monotonic() - saved_at > 1.0:
            saved_at = time.monotonic()
            job_rows.set_values(store, job_id, done=done)

    try:
        job_rows.set_values(store, job_id, state="running")
        summary = await pipeline.run(progress=progress)
        job_rows.set_values(
            store, job_id, state="done", done=done, summary=summary.as_dict(), finished_at=now()
        )
    except Exception as exc:  # a job's failure is its state, not the server's
        log.exception("job %s failed", job_id)
        job_rows.set_values(store, job_id, state="failed", error=str(exc) or repr(exc), finished_at=now())
    finally:
        await kit.aclose()
        shutil.rmtree(folder, ignore_errors=True)


@router.get("/{job_id}", response_model=JobOut)
def get_job(request: Request, who: auth.Viewer, job_id: str) -> JobOut:
    job = job_rows.get(request.app.state.store, job_id)
    # a job is its creator's (and the admins'): another token learns nothing, not even that it exists
    if job is None or (who.role < auth.Role.admin and job.actor != who.name):
        raise HTTPException(404, f"no job {job_id}")
    return _out(job)
