"""`tolk tm import|export`: the translation memory as TMX 1.4."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tolk import languages
from tolk.cli.common import STDIO, ConfigOpt, DbOpt, console, err_console, open_store, readable, settings
from tolk.formats.catalog import atomic_output

app = typer.Typer(
    help="Translation memory: approved pairs reused without an engine call.", no_args_is_help=True
)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A TMX file (1.4); - reads it from stdin.")],
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Add the file's pairs to the memory (the whole file is checked first)."""
    from tolk import memory

    store = open_store(settings(config_path, db))
    try:
        with readable(file, ".tmx") as path:
            n = memory.import_tmx(store, path)
    finally:
        store.close()
    console.print(f"memory: {n} pairs imported from {'<stdin>' if str(file) == STDIO else file}")


@app.command("export")
def export(
    source: Annotated[str | None, typer.Option("--from", "-f", help="Only this source language.")] = None,
    target: Annotated[str | None, typer.Option("--to", "-t", help="Only this target language.")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output .tmx (default, or -: stdout).")
    ] = None,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Write the memory as TMX 1.4."""
    from tolk import memory

    src = languages.normalize(source) if source else None
    tgt = languages.normalize(target) if target else None
    store = open_store(settings(config_path, db), reading=True)
    try:
        if out is None or str(out) == STDIO:
            n = memory.write_tmx(store, sys.stdout, src, tgt)
        else:
            with atomic_output(out) as fh:
                n = memory.write_tmx(store, fh, src, tgt)
    finally:
        store.close()
    err_console.print(f"memory: {n} pairs exported" + (f" to {out}" if out and str(out) != STDIO else ""))
