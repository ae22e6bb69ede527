"""`tolk export`: translations out of the store as JSONL or CSV."""

from __future__ import annotations

import sys
from itertools import chain
from pathlib import Path
from typing import Annotated

import typer

from tolk import languages
from tolk.cli.common import STDIO, ConfigOpt, DbOpt, err_console, open_store, settings
from tolk.formats import catalog


def export(
    lang: Annotated[
        str | None, typer.Option("--lang", "-l", help="Only this language (default: all).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output file (default, or -: stdout).")
    ] = None,
    everything: Annotated[
        bool,
        typer.Option("--all", help="Also rows that wait for review, were sent back or failed the gate."),
    ] = False,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Export one record per (id, field, lang): id, field, lang, source, text, grade, status, score,
    failed, approved_by, engine, model — only what may be published (status CHECKED, APPROVED or HUMAN)
    unless --all; with \\[markets] configured, also each item's localized price per market."""
    from tolk import markets
    from tolk.store import audit

    if fmt not in {"jsonl", "csv"}:
        raise typer.BadParameter(f"unknown format {fmt!r} (use jsonl or csv)", param_hint="--format")
    tag = languages.normalize(lang) if lang else None
    s = settings(config_path, db)
    store = open_store(s, reading=True)
    try:
        rows = chain(
            store.export_rows(tag, everything=everything),
            markets.price_rows(store, s.pricing, s.markets, {tag} if tag else None),
        )
        if out is None or str(out) == STDIO:
            n = catalog.write_export(rows, sys.stdout, fmt)
        else:
            with catalog.atomic_output(out) as fh:
                n = catalog.write_export(rows, fh, fmt)
        audit.append(store, audit.Entry(audit.cli_actor(), "export", lang=tag, detail=f"{fmt}, {n} records"))
    finally:
        store.close()
    err_console.print(f"exported {n} records" + (f" to {out}" if out and str(out) != STDIO else ""))
