"""`tolk cost estimate`: tokens and spend of a catalog before translating it; `tolk cost project`: a
month's cost of a volume of text, per model tier."""

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


TIERS = ("qwen-mt-turbo", "qwen-mt-plus", "deepseek-chat", "gpt-4o-mini")  # the list prices' models


@app.command("project")
def project_cmd(
    words: Annotated[
        int | None, typer.Option("--words-per-month", min=1, help="Source words a month (Latin scripts).")
    ] = None,
    chars: Annotated[
        int | None,
        typer.Option(
            "--chars-per-month", min=1, help="Source characters a month (Korean, Japanese, Chinese…)."
        ),
    ] = None,
    items: Annotated[int | None, typer.Option("--items-per-month", min=1, help="Products a month.")] = None,
    words_per_item: Annotated[
        float, typer.Option("--words-per-item", min=1, help="With --items-per-month: words in each.")
    ] = 60.0,
    to: Annotated[str | None, typer.Option("--to", "-t", help="Target languages (default: targets).")] = None,
    source: Annotated[
        str | None, typer.Option("--from", "-f", help="Source language (default: source_lang).")
    ] = None,
    models: Annotated[
        str | None,
        typer.Option(
            "--models",
            help="Comma-separated models or configured engine names (default: the configured engines with "
            "a price, then qwen-mt-turbo, qwen-mt-plus, deepseek-chat, gpt-4o-mini).",
        ),
    ] = None,
    tokens_per_word: Annotated[float, typer.Option("--tokens-per-word", min=0.1)] = 1.3,
    tokens_per_char: Annotated[float, typer.Option("--tokens-per-char", min=0.1)] = 0.8,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per model, and the assumptions.")
    ] = False,
    config_path: ConfigOpt = None,
) -> None:
    """A month of translation per model tier: from words, characters or products a month, into the
    target languages. Assumptions are printed with it; first drafts only, nothing reused (what a
    catalog really costs with the store, memory and cache: tolk cost estimate)."""
    from tolk.estimate import project

    given = [v for v in (words, chars, items) if v is not None]
    if len(given) != 1:
        raise typer.BadParameter("give one of --words-per-month, --chars-per-month, --items-per-month")
    s = settings(config_path)
    targets = languages.parse_list(to) if to else s.targets or ["es"]
    src = languages.normalize(source or s.source_lang)
    if chars is not None:
        volume, tokens = f"{chars:,} characters", chars * tokens_per_char
    else:
        n_words = words if words is not None else (items or 0) * words_per_item
        volume = f"{n_words:,.0f} words" + (f" ({items:,} products × {words_per_item:g})" if items else "")
        tokens = n_words * tokens_per_word
    rows = project(tokens, src, targets, _models(s, models))
    assumptions = {
        "volume": volume,
        "source": src,
        "targets": targets,
        "tokens_per_word": tokens_per_word,
        "tokens_per_char": tokens_per_char,
        "source_tokens": round(tokens),
        "reuse": "none: first drafts only, no cache, memory or repeats",
    }
    if as_json:
        for r in rows:
            print(json.dumps(r.as_dict()))
        print(json.dumps({"assumptions": assumptions}, ensure_ascii=False))
        return
    table = Table(title=f"tolk cost project — {volume} a month into {', '.join(targets)}")
    for col in ("model", "$/M in/out", "tokens/month", "per month"):  # fits 80 columns (--json: per year)
        table.add_column(col, justify="left" if col == "model" else "right", no_wrap=col != "model")
    for r in rows:
        tokens_month = f"{(r.tokens_in + r.tokens_out) / 1e6:,.2f}M"
        table.add_row(r.model, f"{r.price_in:g}/{r.price_out:g}", tokens_month, _usd(r.monthly))
    console.print(table)
    console.print(
        f"assumed: {tokens_per_word:g} tokens a word ({tokens_per_char:g} a character), the source sent once "
        f"per language, translations as long as their script makes them; no reuse (tolk cost estimate "
        f"counts the store, memory and cache). Prices: tolk/prices.py list prices or your config.",
        highlight=False,
    )


def _models(s: Settings, chosen: str | None) -> dict[str, tuple[float, float]]:
    """Model tier -> (input, output) USD per million tokens, from the config's engines or the list."""
    configured: dict[str, tuple[str, float, float]] = {}
    for name, e in s.engines.items():
        listed = prices.price(e.model) if e.model else None
        p_in = e.price_in_per_mtok or (listed.input if listed else 0.0)
        p_out = e.price_out_per_mtok or (listed.output if listed else 0.0)
        if p_in or p_out:
            configured[name] = (f"{name} ({e.model})" if e.model else name, p_in, p_out)
    used = {e.model for e in s.engines.values()}  # a list model a configured engine runs is shown once
    tiers = [m for m in TIERS if m not in used]
    names = [n.strip() for n in chosen.split(",") if n.strip()] if chosen else [*configured, *tiers]
    out: dict[str, tuple[float, float]] = {}
    for n in names:
        if n in configured:
            label, p_in, p_out = configured[n]
            out[label] = (p_in, p_out)
        elif (listed := prices.price(n)) is not None:
            out.setdefault(n, (listed.input, listed.output))
        else:
            known = ", ".join([*configured, *prices.PRICES])
            raise typer.BadParameter(f"no price for {n!r} (known: {known})", param_hint="--models")
    return out


def _usd(value: float) -> str:
    return f"${value:,.2f}" if value >= 1 else f"${value:,.4f}"


def _print(rows: list[LangEstimate], name: tuple[str, str, str]) -> None:
    from tolk.estimate import LangEstimate

    total = LangEstimate("total")
    for r in rows:
        total.add(r)
    shown = [*rows, total] if len(rows) > 1 else rows
    if console.width < 110:  # twelve columns do not fit: one block per language instead of cut cells
        console.print(f"tolk cost estimate — engine {name[0]} ({name[1]})", highlight=False)
        for r in shown:
            console.print(
                f"[bold]{r.lang}[/]: {r.segments:,} segments — {r.unchanged:,} done, {r.memory:,} TM, "
                f"{r.cache:,} cache, {r.repeats:,} repeats; {r.sent:,} sent in {r.requests:,} requests, "
                f"{r.tokens_in:,} tokens in, {r.tokens_out:,} out: [bold]${r.cost:,.4f}[/] "
                f"(naive ${r.naive_cost:,.4f})",
                highlight=False,
            )
    else:
        _table(shown, name)
    _legend(total, name)


def _table(shown: list[LangEstimate], name: tuple[str, str, str]) -> None:
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
    for r in shown:
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


def _legend(total: LangEstimate, name: tuple[str, str, str]) -> None:
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
