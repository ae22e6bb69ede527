"""`tolk cost estimate`: tokens and spend of a catalog before translating it."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from tolk import languages, prices
from tolk.cli.common import STDIO, ConfigOpt, DbOpt, console, open_store, readable, settings
from tolk.formats import catalog

if TYPE_CHECKING:  # the heavy parts load when the command runs, so `tolk --help` stays quick
    from tolk.config import Settings
    from tolk.engines.base import Engine
    from tolk.estimate import LangEstimate
    from tolk.store.repo import ItemRecord

app = typer.Typer(help="What translating will cost, before it costs anything.", no_args_is_help=True)


@app.command("estimate")
def estimate_cmd(
    input: Annotated[
        Path,
        typer.Argument(help="Catalog: .jsonl or .csv, as for `tolk translate` (- reads JSONL from stdin)."),
    ],
    to: Annotated[str | None, typer.Option("--to", "-t", help="Target languages (default: targets).")] = None,
    source: Annotated[
        str | None, typer.Option("--from", "-f", help="Source language of rows without 'lang'.")
    ] = None,
    engine: Annotated[
        str | None, typer.Option("--engine", "-e", help="Engine name (default: default_engine).")
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", help="Domain profile (part of the cache key).")
    ] = None,
    glossary: Annotated[Path | None, typer.Option("--glossary", "-g", help="CSV/TSV glossary.")] = None,
    fields: Annotated[
        str, typer.Option("--fields", help="Comma-separated fields to translate.")
    ] = "name,description",
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Per language: segments, what the store, memory and cache already answer, repeats sent once,
    requests, tokens and cost — and what the same catalog costs sent field by field with no reuse.
    Sends nothing and writes nothing; tokens are estimated (±30 %), drafts only (no rewrites)."""
    if fmt not in {"text", "json"}:
        raise typer.BadParameter(f"unknown format {fmt!r} (use text or json)", param_hint="--format")
    s = settings(config_path, db)
    targets = languages.parse_list(to) if to else s.targets
    if not targets:
        raise typer.BadParameter("no target language: pass --to es,ko or set targets", param_hint="--to")
    src = languages.normalize(source or s.source_lang, allow_auto=True)
    if str(input) != STDIO:
        catalog.catalog_format(input)
    with tempfile.TemporaryDirectory() as empty, readable(input) as path:
        if _missing_sqlite(s):  # nothing translated yet: plan against an empty store, create no file
            s.store = f"sqlite:///{Path(empty) / 'estimate.db'}"
        found = _estimates(s, path, targets, src, engine, profile, glossary, fields)
    name, rows = found
    if fmt == "json":
        console.print_json(
            json.dumps(
                {
                    "engine": name[0],
                    "model": name[1],
                    "price": name[2],
                    "languages": [r.as_dict() for r in rows],
                }
            )
        )
    else:
        _print(rows, name)


def _estimates(
    s: Settings,
    path: Path,
    targets: list[str],
    src: str,
    engine: str | None,
    profile: str | None,
    glossary: Path | None,
    fields: str,
) -> tuple[tuple[str, str, str], list[LangEstimate]]:
    from tolk import assemble
    from tolk.estimate import LangEstimate, estimate
    from tolk.pipeline import Pipeline

    store = open_store(s)
    parts = assemble.kit(s, store, engine=engine, profile=profile, glossary=glossary)
    try:
        for target in targets:
            if target != src:
                parts.engine.check_pair(src, target)
        field_list = [f.strip() for f in fields.split(",") if f.strip()]
        job = parts.job(s, path=path, targets=targets, source_lang=src, fields=field_list)
        pipeline = Pipeline(job)
        by_source: dict[str, list[ItemRecord]] = {}  # a row's own `lang` beats --from
        for r in pipeline.catalog_records():
            by_source.setdefault(r.source_lang, []).append(r)
        rows = []
        for target in targets:
            total = LangEstimate(target)
            for lang, group in by_source.items():
                if lang != target:
                    total.add(estimate(pipeline, group, lang, target))
            rows.append(total)
        e = parts.engine
        return (e.name, e.model, _price(e)), rows
    finally:
        asyncio.run(parts.aclose())
        store.close()


def _missing_sqlite(s: Settings) -> bool:
    if not s.store.startswith("sqlite:///") or s.store == "sqlite:///:memory:":
        return False
    return not Path(s.store.removeprefix("sqlite:///")).exists()


def _price(engine: Engine) -> str:
    cfg = engine.settings
    if cfg.price_in_per_mtok or cfg.price_out_per_mtok:
        return f"${cfg.price_in_per_mtok}/${cfg.price_out_per_mtok} per M tokens in/out (configured)"
    listed = prices.price(engine.model) if cfg.external else None
    if listed is not None:
        return (
            f"${listed.input}/${listed.output} per M tokens in/out ({engine.model} list price "
            f"of {listed.taken}, {listed.source})"
        )
    return "no price: a local engine, or set price_in_per_mtok / price_out_per_mtok"


def _print(rows: list[LangEstimate], name: tuple[str, str, str]) -> None:
    from tolk.estimate import LangEstimate

    table = Table(title=f"tolk cost estimate — engine {name[0]} ({name[1]})")
    for col in (
        "lang",
        "segs",
        "done",
        "TM",
        "cache",
        "repeat",
        "send",
        "reqs",
        "tok in",
        "tok out",
        "cost",
        "naive",
    ):
        table.add_column(col, justify="right" if col != "lang" else "left")
    total = LangEstimate("total")
    for r in rows:
        total.add(r)
    for r in [*rows, total] if len(rows) > 1 else rows:
        table.add_row(
            r.lang,
            *(
                f"{v:,}"
                for v in (
                    r.segments,
                    r.unchanged,
                    r.memory,
                    r.cache,
                    r.repeats,
                    r.sent,
                    r.requests,
                    r.tokens_in,
                    r.tokens_out,
                )
            ),
            f"${r.cost:,.4f}",
            f"${r.naive_cost:,.4f}",
        )
    console.print(table)
    console.print(
        "done: already translated from this source; TM / cache: answered without the engine; repeat: "
        "sent once; naive: every field in a request of its own, nothing reused",
        highlight=False,
    )
    console.print(f"price: {name[2]}", highlight=False)
    console.print(
        f"saved by the store, memory, cache, dedupe and batching: ${total.saved_cost:,.4f}; tokens are "
        "estimated from the text's scripts (±30 %), first drafts only",
        highlight=False,
    )
