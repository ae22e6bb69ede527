"""`tolk review`: what waits for a person, and why."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tolk import languages
from tolk.cli.common import ConfigOpt, DbOpt, console, open_store, settings

app = typer.Typer(
    help="The review queue: translations the gate could not publish on its own.", no_args_is_help=True
)


@app.command("list")
def list_(
    lang: Annotated[str | None, typer.Option("--lang", "-l", help="Only this language.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Show at most this many.")] = 50,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Translations that need review (failed the gate after every round), await approval, or hold a
    machine suggestion next to a person's text."""

    tag = languages.normalize(lang) if lang else None
    store = open_store(settings(config_path, db), reading=True)
    try:
        rows = store.review_queue(tag, limit)
    finally:
        store.close()
    table = Table(title=f"review queue ({len(rows)}{'+' if len(rows) == limit else ''})")
    for col in ("id", "field", "lang", "grade", "score", "why"):
        table.add_column(col, overflow="fold")
    for t in rows:
        why = "; ".join(str(c.get("message", c.get("id"))) for c in t.checks) if t.status else ""
        if t.status == "PENDING_APPROVAL":
            why = "passed the gate; waiting for approval"
        if t.suggestion is not None:
            why = (
                why + "; " if why else ""
            ) + f"machine suggestion from {t.suggestion_engine or 'an engine'}"
        score = f"{t.score:.0f}" if t.score is not None else "-"
        table.add_row(t.item_id, t.field, t.lang, t.grade, score, why or (t.status or ""))
    console.print(table)


@app.command("count")
def count(db: DbOpt = None, config_path: ConfigOpt = None) -> None:
    """How many translations wait for a person, per language (the bot's /review)."""
    from tolk.ops import answers as ops

    store = open_store(settings(config_path, db), reading=True)
    try:
        console.print(ops.review_count(store), end="", highlight=False)
    finally:
        store.close()
