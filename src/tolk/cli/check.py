"""`tolk check`: score existing translations with the quality gate, without calling any engine."""

from __future__ import annotations

import contextlib
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tolk import formality as formality_mod
from tolk import glossary, languages
from tolk.cli.common import STDIO, FormalityOpt, console
from tolk.cli.explain import show_findings
from tolk.core import InputError, Term, TolkError
from tolk.formality import DEFAULT
from tolk.glossary import Glossary
from tolk.quality.base import Sample
from tolk.quality.policy import Decision, Verdict

REQUIRED = ("id", "src_lang", "tgt_lang", "source", "translation")
# what `tolk export` writes: the language is the target's, the text is the translation
EXPORT = ("id", "lang", "source", "text")


def check(
    file: Annotated[
        Path,
        typer.Argument(
            help="JSONL: id, src_lang, tgt_lang, source, translation, \\[reference], \\[glossary], "
            "\\[formality] — or the "
            "records `tolk export` writes (id, field, lang, source, text); - reads stdin"
        ),
    ],
    fmt: Annotated[
        str, typer.Option("--format", help="text (a table and totals) or jsonl (one verdict per line).")
    ] = "text",
    source_lang: Annotated[
        str, typer.Option("--source-lang", help="Source language of records that name none (export output).")
    ] = "en",
    glossary_path: Annotated[
        Path | None,
        typer.Option("--glossary", help="Glossary CSV: each line is held to the terms its source uses."),
    ] = None,
    formality: FormalityOpt = None,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain", help="Show one record's findings and the text each concerns (id as listed)."
        ),
    ] = None,
) -> None:
    """Score translations: a 0-100 score, the failed checks and a decision (pass / rewrite / review).

    Reads its own JSONL lines or `tolk export` output as it is (an id there is id:field:lang).
    Exit code 0 when every translation passes, 1 when any needs a rewrite or review, 2 on bad input.
    """
    from tolk.quality.gate import Gate  # the checks' models load when the command runs, not for --help

    if fmt not in {"text", "jsonl"}:
        raise typer.BadParameter(f"unknown format {fmt!r} (use text or jsonl)", param_hint="--format")
    src = languages.normalize(source_lang)
    extra = glossary.load(glossary_path) if glossary_path else None
    # the whole file is read (and checked) before anything is printed
    samples = list(read(file, src, extra, formality or DEFAULT))
    gate = Gate()
    if explain is not None:
        chosen = [(item_id, sample) for item_id, sample in samples if item_id == explain]
        if not chosen:
            raise InputError(f"{file}: no record with id {explain!r}")
        for item_id, sample in chosen:
            show_findings(item_id, sample, gate.judge(sample))
        return
    verdicts = [(item_id, gate.judge(sample)) for item_id, sample in samples]
    signature = gate.signature()
    if fmt == "jsonl":
        for item_id, v in verdicts:
            sys.stdout.write(json.dumps(_record(item_id, v), ensure_ascii=False) + "\n")
        sys.stderr.write(f"measured by {signature}\n")  # stdout stays one record per line
    else:
        _table(verdicts)
        console.print(f"measured by {signature}", soft_wrap=True, highlight=False)
    if any(v.decision is not Decision.PASS for _, v in verdicts):
        raise typer.Exit(1)


def _record(item_id: str, v: Verdict) -> dict[str, Any]:
    out: dict[str, Any] = {"id": item_id, "score": v.score, "decision": v.decision.value, "failed": v.failed}
    if v.notes:
        out["notes"] = v.notes
    if v.metrics is not None:
        out["metrics"] = v.metrics.as_dict()
    return out


def _table(verdicts: list[tuple[str, Verdict]]) -> None:
    table = Table(title="tolk check")
    for col in ("id", "score", "decision", "failed checks"):
        table.add_column(col, overflow="fold")
    for item_id, v in verdicts:
        reasons = "; ".join(f.message for f in v.findings)
        table.add_row(item_id, f"{v.score:.0f}", v.decision.value, reasons)
    console.print(table)
    counts = Counter(v.decision.value for _, v in verdicts)
    average = sum(v.score for _, v in verdicts) / len(verdicts) if verdicts else 0.0
    console.print(
        f"{len(verdicts)} translations, average score {average:.1f}: "
        + ", ".join(f"{counts.get(d.value, 0)} {d.value}" for d in Decision)
    )


def read(
    path: Path, source_lang: str = "en", extra: Glossary | None = None, register: str = DEFAULT
) -> Iterator[tuple[str, Sample]]:
    """Records from the file, or from stdin for `-` (`tolk export | tolk check -`). `register`: the
    formality of records that name none."""
    stdin = str(path) == STDIO
    try:
        fh = sys.stdin.buffer if stdin else path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    name = "<stdin>" if stdin else str(path)
    with contextlib.nullcontext(fh) if stdin else fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                yield _sample(json.loads(raw.decode("utf-8")), source_lang, extra, register)
            except UnicodeDecodeError as exc:
                raise InputError(f"{name}:{n}: invalid UTF-8 at byte {exc.start}") from None
            except json.JSONDecodeError as exc:
                raise InputError(f"{name}:{n}: bad JSON: {exc.msg} (column {exc.colno})") from None
            except (TolkError, ValueError, TypeError) as exc:
                raise InputError(f"{name}:{n}: {exc}") from None


def _sample(
    data: Any, source_lang: str = "en", extra: Glossary | None = None, register: str = DEFAULT
) -> tuple[str, Sample]:
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    if "translation" not in data and "text" in data and "lang" in data:
        data = _from_export(data, source_lang)
    missing = [k for k in REQUIRED if not isinstance(data.get(k), str) and k != "id"]
    if missing or data.get("id") in (None, ""):
        raise ValueError(f"missing or non-string field(s): {', '.join(missing or ['id'])}")
    reference = data.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise ValueError("reference must be a string")
    tgt = languages.normalize(data["tgt_lang"])
    terms = _terms(data.get("glossary", [])) + (tuple(extra.terms_for(tgt)) if extra else ())
    sample = Sample(
        source=data["source"],
        target=data["translation"],
        src_lang=languages.normalize(data["src_lang"]),
        tgt_lang=tgt,
        terms=terms,
        reference=reference,
        formality=formality_mod.check(str(data["formality"])) if data.get("formality") else register,
    )
    return str(data["id"]), sample


def _from_export(data: dict[str, Any], source_lang: str) -> dict[str, Any]:
    """A `tolk export` record as a check line: id:field:lang names it, text is the translation."""
    missing = [k for k in EXPORT if not isinstance(data.get(k), str)]
    if missing:
        raise ValueError(f"missing or non-string field(s): {', '.join(missing)}")
    key = ":".join(str(data[k]) for k in ("id", "field", "lang") if data.get(k))
    return {
        **data,
        "id": key,
        "translation": data["text"],
        "tgt_lang": data["lang"],
        "src_lang": data.get("src_lang") or source_lang,
    }


def _terms(entries: Any) -> tuple[Term, ...]:
    if not isinstance(entries, list):
        raise ValueError("glossary must be a list of {source, target}")
    terms = []
    for e in entries:
        if (
            not isinstance(e, dict)
            or not isinstance(e.get("source"), str)
            or not isinstance(e.get("target"), str)
        ):
            raise ValueError("glossary entries need string source and target")
        dnt = bool(e.get("do_not_translate", e["source"] == e["target"]))
        terms.append(Term(e["source"], e["target"], do_not_translate=dnt))
    return tuple(terms)
