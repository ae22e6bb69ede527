"""`tolk serve`: the HTTP API (OpenAPI at /docs)."""

from __future__ import annotations

from typing import Annotated

import typer

from tolk.cli.common import ConfigOpt, DbOpt, err_console, settings


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8080,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Serve the API: POST /v1/translate, /healthz, /readyz, /metrics (tokens: tolk token create)."""
    import uvicorn

    from tolk.api.app import create_app

    app = create_app(settings(config_path, db))
    err_console.print(f"tolk API on http://{host}:{port} (OpenAPI: /docs)", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")
