"""`tolk review`: what waits for a person, and why."""

from __future__ import annotations

from typing import Annotated

import typer

from tolk import languages
from tolk.cli.common import ConfigOpt, DbOpt, JsonOpt, console, open_store, print_rows, settings

app = typer.Typer(
    help="The review queue: translations the gate could not publish on its own.", no_args_is_help=True
)


@app.command("list")
def list_(
    lang: Annotated[str | None, typer.Option("--lang", "-l", help="Only this language.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Show at most this many.")] = 50,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Translations that need review (failed the gate after every round), await approval, or hold a
    machine suggestion next to a person's text."""

    tag = languages.normalize(lang) if lang else None
    store = open_store(settings(config_path, db), reading=True)
    try:
        rows = store.review_queue(tag, limit)
    finally:
        store.close()
    listed: list[dict[str, object]] = []
    for t in rows:
        why = "; ".join(str(c.get("message", c.get("id"))) for c in t.checks) if t.status else ""
        if t.status == "PENDING_APPROVAL":
            why = "passed the gate; waiting for approval"
        if t.suggestion is not None:
            why = (
                why + "; " if why else ""
            ) + f"machine suggestion from {t.suggestion_engine or 'an engine'}"
        score = round(t.score) if t.score is not None else None
        listed.append(
            {"id": t.item_id, "field": t.field, "lang": t.lang, "grade": t.grade, "score": score,
             "why": why or (t.status or "")}
        )  # fmt: skip
    print_rows(f"review queue ({len(rows)}{'+' if len(rows) == limit else ''})", listed, as_json)


@app.command("count")
def count(db: DbOpt = None, config_path: ConfigOpt = None) -> None:
    """How many translations wait for a person, per language (the bot's /review)."""
    from tolk.ops import answers as ops

    store = open_store(settings(config_path, db), reading=True)
    try:
        console.print(ops.review_count(store), end="", highlight=False)
    finally:
        store.close()
