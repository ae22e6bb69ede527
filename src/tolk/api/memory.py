"""Translation memory as TMX 1.4: GET /v1/tm exports (any token; one limited to languages names one of
them as `to`), POST /v1/tm imports (admin: every later run reuses what it holds without an engine call)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel

from tolk import languages, memory
from tolk.api import auth
from tolk.api.jobs import MAX_UPLOAD, read_upload
from tolk.core import TolkError
from tolk.store import audit

router = APIRouter(prefix="/v1/tm")
TMX = "application/x-tmx+xml"


class Imported(BaseModel):
    imported: int


def _lang(value: str | None, name: str) -> str | None:
    try:
        return languages.normalize(value) if value else None
    except TolkError as exc:
        raise HTTPException(422, f"{name}: {exc}") from None


@router.get("", response_class=Response, responses={200: {"content": {TMX: {}}}})
def export_tm(
    request: Request,
    who: auth.Viewer,
    source: Annotated[str | None, Query(alias="from")] = None,
    target: Annotated[str | None, Query(alias="to")] = None,
) -> Response:
    tgt = _lang(target, "to")
    if who.langs and tgt not in who.langs:  # a token limited to ko does not read the Spanish memory
        raise HTTPException(403, f"this token may read {', '.join(who.langs)} only: pass to={who.langs[0]}")
    out = io.StringIO()
    n = memory.write_tmx(request.app.state.store, out, _lang(source, "from"), tgt)
    audit.append(
        request.app.state.store,
        audit.Entry(f"token:{who.name}", "export", lang=target, detail=f"TMX, {n} pairs"),
    )
    return Response(
        out.getvalue(), media_type=TMX, headers={"content-disposition": 'attachment; filename="tolk.tmx"'}
    )


@router.post("", response_model=Imported)
async def import_tm(request: Request, who: auth.Admin) -> Imported:
    """Body: a TMX 1.4 file (at most 50 MB). The whole file is checked first; a bad unit imports nothing."""
    data = await read_upload(request, MAX_UPLOAD, "TMX")
    with tempfile.TemporaryDirectory(prefix="tolk-tm-") as folder:
        path = Path(folder) / "upload.tmx"
        path.write_bytes(data)
        try:
            n = memory.import_tmx(request.app.state.store, path)
        except TolkError as exc:
            raise HTTPException(422, str(exc).replace(str(path), "body")) from None
    return Imported(imported=n)
