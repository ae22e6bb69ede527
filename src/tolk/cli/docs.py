"""`tolk docs translate`: documents and i18n files, structure kept, translated in context."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tolk import languages
from tolk.cli.common import (
    STDIO,
    ConfigOpt,
    DbOpt,
    FormalityOpt,
    console,
    err_console,
    open_store,
    settings,
)

if TYPE_CHECKING:  # the heavy parts load when the command runs, so `tolk --help` stays quick
    from tolk.config import Settings
    from tolk.documents import Format
    from tolk.documents.run import FileResult

app = typer.Typer(
    help="Documents and i18n files: Markdown, HTML, JSON/YAML, PO, XLIFF, text.", no_args_is_help=True
)


class Layout(StrEnum):
    dirs = "dirs"
    suffix = "suffix"


SrcArg = Annotated[
    Path,
    typer.Argument(
        help="A file or a directory tree (.md .html .json .arb .yml .po .pot .xlf .txt); - reads one "
        "document from stdin (say its --format)."
    ),
]
ToOpt = Annotated[str | None, typer.Option("--to", "-t", help="Target languages, e.g. ja,zh-CN.")]
OutOpt = Annotated[
    Path, typer.Option("--out", "-o", help="Where the translations go (DST); - writes one to stdout.")
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", help="The kind of a document read from stdin: markdown, html, json, yaml, po…"),
]
LayoutOpt = Annotated[Layout, typer.Option("--layout", help="dirs: DST/ja/a.md; suffix: DST/a_ja.md.")]
FromOpt = Annotated[str | None, typer.Option("--from", "-f", help="Source language (default: source_lang).")]
EngineOpt = Annotated[str | None, typer.Option("--engine", "-e", help="Engine name from the config.")]
ProfileOpt = Annotated[str | None, typer.Option("--profile", "-p", help="Domain profile.")]
GlossaryOpt = Annotated[Path | None, typer.Option("--glossary", "-g", help="CSV/TSV glossary.")]
KeysOpt = Annotated[str, typer.Option("--front-matter", help="Markdown front-matter keys to translate.")]
RetranslateOpt = Annotated[
    bool, typer.Option("--retranslate", help="PO/XLIFF: also replace existing translations.")
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite outputs changed since tolk wrote them.")]
ReportOpt = Annotated[Path | None, typer.Option("--report", help="Also write the per-file report as JSON.")]


@app.command("translate")
def translate(
    src: SrcArg,
    to: ToOpt = None,
    out: OutOpt = Path("translated"),
    layout: LayoutOpt = Layout.dirs,
    source: FromOpt = None,
    engine: EngineOpt = None,
    profile: ProfileOpt = None,
    formality: FormalityOpt = None,
    glossary: GlossaryOpt = None,
    doc_format: FormatOpt = None,
    front_matter: KeysOpt = "title,description,summary",
    retranslate: RetranslateOpt = False,
    force: ForceOpt = False,
    report: ReportOpt = None,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Translate documents, keeping their structure: code, URLs, markup, keys and placeholders stay as they
    are. Re-running translates only what changed; unchanged outputs stay byte-identical.

    `tolk docs translate - --format markdown --to ko --out - < a.md > a.ko.md` reads stdin, writes stdout
    (the table goes to stderr)."""
    from tolk import documents

    s = settings(config_path, db)
    targets = languages.parse_list(to) if to else s.targets
    if not targets:
        raise typer.BadParameter("no target language: pass --to ja,zh-CN or set targets", param_hint="--to")
    keys = tuple(k.strip() for k in front_matter.split(",") if k.strip())
    kinds = documents.formats(keys, retranslate)
    streamed, to_stdout = STDIO in (str(src), str(out)), str(out) == STDIO
    if to_stdout and len(targets) != 1:
        raise typer.BadParameter("--out - writes one document: give one language", param_hint="--to")
    if to_stdout and src.is_dir():
        raise typer.BadParameter("--out - writes one document: give a file, not a folder", param_hint="--out")
    with _spooled(src, out, doc_format, kinds) as (path, folder):
        results = _translate(
            s, path, folder, targets, source, engine, profile, formality, glossary, layout, force, kinds
        )
        if to_stdout:
            _emit(results)
    if streamed:  # the table names what the user gave, not the spooled files
        results = [
            dataclasses.replace(
                r,
                path="<stdin>" if str(src) == STDIO else r.path,
                written=Path("<stdout>") if to_stdout and r.written else r.written,
            )
            for r in results
        ]
    _print(results, err_console if streamed else console)
    if report is not None:
        report.write_text(json.dumps([_as_dict(r) for r in results], ensure_ascii=False, indent=1) + "\n")
    if any(r.error and not r.error.startswith("not translated") for r in results):
        raise typer.Exit(1)


@contextmanager
def _spooled(src: Path, out: Path, kind: str | None, kinds: list[Format]) -> Iterator[tuple[Path, Path]]:
    """`-` as a file: stdin spooled to one with the format's suffix, stdout a folder whose one output
    is printed afterwards (`_emit`)."""
    if STDIO not in (str(src), str(out)):
        yield src, out
        return
    with tempfile.TemporaryDirectory(prefix="tolk-docs-") as folder:
        if str(src) == STDIO:
            if kind is None:
                raise typer.BadParameter(
                    "- reads one document from stdin: say its kind, e.g. --format markdown",
                    param_hint="--format",
                )
            found = next((f for f in kinds if f.name == kind), None)
            if found is None:
                known = ", ".join(f.name for f in kinds)
                raise typer.BadParameter(f"unknown format {kind!r} (known: {known})", param_hint="--format")
            src = Path(folder) / f"stdin{found.suffixes[0]}"
            src.write_bytes(sys.stdin.buffer.read())
        if str(out) == STDIO:
            out = Path(folder) / "out"
        yield src, out


def _emit(results: list[FileResult]) -> None:
    """With `--out -`: the one translated document on stdout, as its bytes."""
    for r in results:
        if r.written is not None:
            sys.stdout.buffer.write(r.written.read_bytes())
            sys.stdout.flush()


def _translate(
    s: Settings,
    src: Path,
    out: Path,
    targets: list[str],
    source: str | None,
    engine: str | None,
    profile: str | None,
    formality: str | None,
    glossary: Path | None,
    layout: Layout,
    force: bool,
    kinds: list[Format],
) -> list[FileResult]:
    from tolk import assemble
    from tolk.documents.run import DocsJob, run
    from tolk.telemetry import Telemetry

    src_lang = languages.normalize(source or s.source_lang)
    store = open_store(s)
    try:
        kit = assemble.kit(s, store, engine=engine, profile=profile, glossary=glossary)
        for target in targets:
            kit.engine.check_pair(src_lang, target)
        telemetry = Telemetry()
        telemetry.attach(*kit.engines())
        parts = kit.job(s, origin="docs", telemetry=telemetry, formality=formality, required_in_whole=True)
        job = DocsJob(src, out, targets, src_lang, parts, kinds, layout.value, force)

        async def go() -> list[FileResult]:
            try:
                return await run(job)
            finally:
                telemetry.flush(store)
                await kit.aclose()

        return asyncio.run(go())
    finally:
        store.close()


def _as_dict(r: FileResult) -> dict[str, object]:
    failed = [{"unit": f.unit, "text": f.text, "checks": f.checks} for f in r.failures]
    written = str(r.written) if r.written else None
    return {
        "file": r.path,
        "lang": r.lang,
        "units": r.units,
        "written": written,
        "unchanged": r.unchanged,
        "error": r.error,
        "failed": failed,
    }


def _print(results: list[FileResult], out: Console) -> None:
    table = Table(title="tolk docs translate")
    for col in ("file", "lang", "units", "failed", "output"):
        table.add_column(col, overflow="fold")
    for r in results:
        if r.error and r.lang is None:
            continue
        state = "unchanged" if r.unchanged else (str(r.written) if r.written else "-")
        table.add_row(r.path, r.lang or "", str(r.units), str(len(r.failures)), state)
    out.print(table)
    for r in results:
        for f in r.failures[:20]:
            where = escape(f"{r.path} [{r.lang}] {f.unit}")
            err_console.print(
                f"[yellow]{where}[/]: {escape(', '.join(f.checks))} — {escape(f.text[:80])}", highlight=False
            )
        if r.error:
            colour = "dim" if r.error.startswith("not translated") else "red"
            prefix = f"{r.path}: " if r.error.startswith("not translated") else ""
            err_console.print(f"[{colour}]{escape(prefix + r.error)}[/]", highlight=False)
