"""`tolk glossary import|list`: the stored glossary every run uses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tolk import glossary as glossary_mod
from tolk import languages
from tolk.cli.common import (
    STDIO,
    ConfigOpt,
    DbOpt,
    JsonOpt,
    console,
    open_store,
    print_rows,
    readable,
    settings,
)

app = typer.Typer(
    help="Manage the glossary: forced term translations and do-not-translate terms.", no_args_is_help=True
)


@app.command("import")
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV/TSV: source,target_lang,target,do_not_translate,case_sensitive,note "
            "(- reads CSV from stdin)"
        ),
    ],
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Add or update terms from a file (the whole file is checked first; a bad row changes nothing)."""
    with readable(file, ".csv") as path:
        terms = glossary_mod.load(path)
    store = open_store(settings(config_path, db))
    try:
        added, updated = store.import_glossary(terms)
    finally:
        store.close()
    console.print(
        f"glossary: {added} added, {updated} updated from {'<stdin>' if str(file) == STDIO else file}"
    )


@app.command("list")
def list_(
    lang: Annotated[str | None, typer.Option("--lang", "-l", help="Only terms for this language.")] = None,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the stored terms."""
    store = open_store(settings(config_path, db), reading=True)
    try:
        g = store.glossary()
    finally:
        store.close()
    tag = languages.normalize(lang) if lang else None
    rows: list[dict[str, object]] = [
        {
            "source": e.term.source,
            "lang": e.lang,
            "target": e.term.target,
            "do_not_translate": e.term.do_not_translate,
            "case_sensitive": e.term.case_sensitive,
            "note": e.term.note,
        }
        for e in g.entries()
        if not tag or e.lang in (tag, glossary_mod.ANY_LANG)
    ]
    print_rows(f"glossary ({len(g)} terms)", rows, as_json)
