"""`tolk audit export`: the append-only audit log as JSONL."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tolk.cli.common import ConfigOpt, DbOpt, err_console, open_store, settings
from tolk.formats.catalog import atomic_output

app = typer.Typer(
    help="The audit log: who translated, changed, approved, exported or read what.", no_args_is_help=True
)


@app.command("export")
def export(
    since: Annotated[str | None, typer.Option("--since", "-s", help="Only the last 24h, 7d, …")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output .jsonl (default, or -: stdout).")
    ] = None,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """One JSON object per entry: id, at, actor, action, item_id, field, lang, source_sha256, engine,
    model, prompt_version, before_sha256, after_sha256 (hashes only, never text)."""
    from tolk import reports
    from tolk.core import now
    from tolk.store import audit

    start = now() - reports.parse_span(since) if since else None
    store = open_store(settings(config_path, db), reading=True)
    try:
        if out is None or str(out) == "-":
            out = None
            n = audit.export_jsonl(store, sys.stdout, start)
        else:
            with atomic_output(out) as fh:
                n = audit.export_jsonl(store, fh, start)
    finally:
        store.close()
    err_console.print(f"audit: {n} entries" + (f" to {out}" if out else ""))
