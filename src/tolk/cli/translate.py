"""`tolk translate`: a catalog into one or more languages."""

from __future__ import annotations

import asyncio
import sys
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from tolk import languages
from tolk.cli.common import (
    STDIO,
    ConfigOpt,
    DbOpt,
    FormalityOpt,
    console,
    err_console,
    open_store,
    readable,
    settings,
)
from tolk.formats import catalog

if TYPE_CHECKING:  # the heavy parts load when a command runs, not for `tolk --help`
    from tolk import assemble
    from tolk.pipeline import Job, Summary
    from tolk.store.repo import Store


def translate(
    input: Annotated[
        Path,
        typer.Argument(
            help="Catalog: .jsonl or .csv: id, \\[lang], \\[category], name, description… "
            "(- reads JSONL from stdin)"
        ),
    ],
    to: Annotated[
        str | None,
        typer.Option("--to", "-t", help="Target languages, e.g. es,ko,zh-CN (default: config's targets)."),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--from", "-f", help="Source language of rows without 'lang' (or auto).")
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option("--engine", "-e", help="Engine name from the config (default: default_engine)."),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            "-p",
            help="Domain profile: ecommerce, legal, financial, medical, technical, business…",
        ),
    ] = None,
    formality: FormalityOpt = None,
    refine_engine: Annotated[
        str | None,
        typer.Option(
            "--refine-engine", help="Engine that corrects drafts the gate rejects (default: --engine)."
        ),
    ] = None,
    glossary: Annotated[
        Path | None, typer.Option("--glossary", "-g", help="CSV/TSV glossary, used with the stored one.")
    ] = None,
    fields: Annotated[
        str, typer.Option("--fields", help="Comma-separated fields to translate.")
    ] = "name,description",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Also export the results (.jsonl or .csv; - writes JSONL to stdout)."
        ),
    ] = None,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Skip malformed rows (reported) instead of stopping.")
    ] = False,
    samples: Annotated[int, typer.Option("--samples", help="Show this many translations at the end.")] = 0,
    budget: Annotated[
        float | None, typer.Option("--budget", help="Stop (cleanly) once this run has spent this many USD.")
    ] = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", min=1, help="Rows per commit.")] = 200,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Translate a product catalog; re-running it translates only what changed."""
    from tolk import assemble, markets
    from tolk.budget import Budget
    from tolk.telemetry import Telemetry

    if budget is not None and budget <= 0:
        raise typer.BadParameter("give a positive amount in USD, e.g. --budget 5", param_hint="--budget")
    s = settings(config_path, db)
    targets = languages.parse_list(to) if to else s.targets
    if not targets:
        raise typer.BadParameter(
            "no target language: pass --to es,ko or set targets in tolk.toml", param_hint="--to"
        )
    src = languages.normalize(source or s.source_lang, allow_auto=True)
    field_list = [f.strip() for f in fields.split(",") if f.strip()]
    if str(input) != STDIO:
        catalog.catalog_format(input)
    if out is not None:
        _export_format(out)
    to_stdout = out is not None and str(out) == STDIO  # the export is the output: the summary goes to stderr
    report = err_console if to_stdout else console
    store = open_store(s)
    try:
        parts = assemble.kit(
            s, store, engine=engine, refine_engine=refine_engine, profile=profile, glossary=glossary
        )
        caps = Budget(budget if budget is not None else s.budget.per_run, s.budget.per_day)
        telemetry = Telemetry()  # engine calls land in the store for reports and the dashboard
        telemetry.attach(*parts.engines())
        with readable(input) as path:
            job = parts.job(
                s,
                path=path,
                targets=targets,
                source_lang=src,
                fields=field_list,
                skip_bad=skip_bad,
                telemetry=telemetry,
                chunk_size=chunk_size,
                budget=caps,
                formality=formality,
            )
            summary = asyncio.run(_run(job, parts))
        print_summary(summary, engine or s.default_engine or "", report)
        if samples:
            _print_samples(store, targets, samples)
        if out is not None:
            rows = chain(
                (r for t in targets for r in store.export_rows(t)),
                markets.price_rows(store, s.pricing, s.markets, set(targets)),
            )
            if to_stdout:
                n = catalog.write_export(rows, sys.stdout, "jsonl")
            else:
                with catalog.atomic_output(out) as fh:
                    n = catalog.write_export(rows, fh, _export_format(out))
            report.print(f"exported {n} records to {'stdout' if to_stdout else out}")
    finally:
        store.close()
    if summary.stopped:
        err_console.print(
            f"[yellow]stopped:[/] {summary.stopped}; run the same command again to go on "
            "(what is done is kept and not paid twice)",
            highlight=False,
        )
        raise typer.Exit(3)
    if summary.failures:
        raise typer.Exit(1)


class _ItemsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.1f} items/s")


async def _run(job: Job, parts: assemble.Kit) -> Summary:
    from tolk.pipeline import Pipeline

    try:
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _ItemsPerSecond(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
            disable=not err_console.is_terminal,
        ) as bar:
            task = bar.add_task("translating", total=None)
            return await Pipeline(job).run(
                on_start=lambda total: bar.update(task, total=total),
                progress=lambda n: bar.advance(task, n),
            )
    finally:
        await parts.aclose()


def _export_format(path: Path) -> str:
    if str(path) == STDIO:
        return "jsonl"
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in {"jsonl", "csv"}:
        raise typer.BadParameter(f"{path}: use a .jsonl or .csv file", param_hint="--out")
    return suffix


def print_summary(s: Summary, engine: str, to: Console = console) -> None:
    table = Table(title=f"tolk translate — engine {engine}", show_header=False, box=None)
    rows = [  # each segment is counted once: the indented lines add up to the line above them
        ("processed", f"{s.items} items, {s.segments} segments"),
        ("  unchanged", f"{s.unchanged} (already translated from the same text)"),
        (
            "  translated",
            f"{s.translated} ({s.translated - s.reused} by the engine, {s.reused} from cache or memory)",
        ),
        ("  kept", f"{s.suggestions} (a person's text stays; the machine's waits beside it)"),
        ("  failed", str(s.failures)),
        ("the gate decided", f"of the {s.translated} translated:"),
        ("  approved", str(s.approved) + _approvers(s)),
        ("  checked", f"{s.checked} (rules passed; no judge vouched for the meaning)"),
        ("  needs review", str(s.needs_review)),
        ("  awaiting approval", str(s.pending_approval)),
        ("rewrites", f"{s.rewritten} of the translated improved by the refine loop"),
        ("average score", ", ".join(f"{lang} {v:.1f}" for lang, v in s.average_scores().items()) or "-"),
        ("  measured by", s.gate or "-"),
        ("glossary misses", str(s.glossary_misses)),
        ("lookups", f"{s.cache_hits} cache, {s.memory_hits} memory, {s.cache_miss_pct:.1f} % missed"),
        ("engine requests", str(s.usage.requests)),
        ("tokens", f"{s.usage.tokens_in} in / {s.usage.tokens_out} out"),
        ("estimated cost", f"${s.usage.cost:.4f}" + _by_lang(s)),
        (
            "personal data masked",
            ", ".join(f"{n} {k.lower()}" for k, n in sorted(s.pii_masked.items())) or "none",
        ),
        ("time", f"{s.seconds:.1f} s"),
    ]
    if s.bad_rows:
        rows.append(("bad rows skipped", _bad_rows(s.bad_rows)))
    for name, value in rows:
        table.add_row(f"[bold]{name}[/]", value)
    to.print(table)
    for reason, (count, where) in sorted(s.failure_reasons.items(), key=lambda kv: -kv[1][0]):
        err_console.print(f"[red]failed[/] {count} × {reason} (e.g. {where})", highlight=False)


def _bad_rows(bad: list[catalog.BadRow]) -> str:
    """Every bad row's reason with its lines (the first ten of each): none is left unsaid."""
    by_reason: dict[str, list[int]] = {}
    for b in bad:
        by_reason.setdefault(b.reason, []).append(b.line)
    parts = []
    for reason, lines in by_reason.items():
        more = f" and {len(lines) - 10} more" if len(lines) > 10 else ""
        parts.append(f"{len(lines)} × {reason} (line {', '.join(map(str, lines[:10]))}{more})")
    return f"{len(bad)}: " + "; ".join(parts)


def _approvers(s: Summary) -> str:
    by = [f"{n} by {who}" for who, n in sorted(s.approved_by.items())]
    return f" ({', '.join(by)})" if by else ""


def _by_lang(s: Summary) -> str:
    spent = [f"{lang} ${u.cost:.4f}" for lang, u in sorted(s.spend.items()) if u.cost]
    return f" ({', '.join(spent)})" if len(spent) > 1 else ""


def _print_samples(store: Store, targets: list[str], n: int) -> None:
    table = Table(title="sample translations")
    for col in ("id", "field", "lang", "source", "translation"):
        table.add_column(col, overflow="fold")
    shown = 0
    for target in targets:
        for rec in store.export_rows(target, everything=True):
            if shown >= n:
                break
            table.add_row(rec["id"], rec["field"], rec["lang"], rec["source"][:80], rec["text"][:80])
            shown += 1
    console.print(table)
