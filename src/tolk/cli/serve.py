"""`tolk serve`: the HTTP API (OpenAPI at /docs) and the web UI (/)."""

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
    """Serve the API (/v1/…, OpenAPI at /docs), the web UI (/: review queue, translate, support,
    dashboard), /healthz, /readyz, /metrics and, with a \\[slack] table, the Slack app at /slack/….
    Log in and call the API with a token from `tolk token create`."""
    import uvicorn

    from tolk.api.app import create_app
    from tolk.ops import slack

    s = settings(config_path, db)
    app = create_app(s, routers=[slack.router])
    err_console.print(f"tolk on http://{host}:{port}: web UI at /, OpenAPI at /docs", highlight=False)
    if s.slack is not None:
        err_console.print(
            f"Slack app at http://{host}:{port}/slack/events, /commands, /interactive", highlight=False
        )
    uvicorn.run(app, host=host, port=port, log_level="warning")
