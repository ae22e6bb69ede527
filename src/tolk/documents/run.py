"""`tolk docs translate`, top to bottom: find files → parse → translate units in context → render → write.

find       a file, or every file under a directory (hidden ones skipped); a named file in a format tolk
           cannot read is an error, a directory's other files are listed as not translated
parse      the file's format turns it into units; a file that does not parse is `FILE: reason`, and
           the other files still go through
translate  a file's units, in order, with their neighbours as context, through the translation core
           (pipeline.translate_snippets); the cache keeps the final text, so an unchanged unit costs no
           engine call the next time
render     a unit whose translation may not be published (it failed the gate, lost markup or a token)
           keeps its source text, is marked where the format can say so (PO fuzzy, XLIFF
           needs-review-translation) and is named in the file's report
write      atomically, only when the bytes change; a file changed by a person since tolk wrote it is
           not overwritten (the manifest `.tolk-docs.json` in DST remembers what tolk wrote)
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tolk.documents import format_for
from tolk.documents.base import MASK_RE, Document, DocumentError, Format, Unit
from tolk.formats.catalog import write_atomic
from tolk.pipeline import Snippet, Translated, translate_snippets
from tolk.pipeline.job import Job

MANIFEST = ".tolk-docs.json"


@dataclass
class Failure:
    unit: str
    text: str
    checks: list[str]


@dataclass
class FileResult:
    path: str  # as given, relative to SRC where it is a directory
    lang: str | None = None
    units: int = 0
    written: Path | None = None
    unchanged: bool = False
    error: str | None = None
    failures: list[Failure] = field(default_factory=list)


@dataclass
class DocsJob:
    src: Path
    out: Path
    targets: list[str]
    source: str
    job: Job  # the translation job's parts (engine, loop, cache, store, glossary)
    formats: list[Format]
    layout: str = "dirs"  # dirs: OUT/ja/a.md; suffix: OUT/a_ja.md
    force: bool = False  # overwrite files changed since tolk wrote them


def find(src: Path, known: list[Format]) -> tuple[list[Path], list[FileResult]]:
    """The files to translate, and what a directory holds that tolk cannot read (not an error)."""
    if src.is_file():
        return [src], []
    if not src.is_dir():
        raise DocumentError(f"{src}: no such file or directory")
    files, other = [], []
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        rel = path.relative_to(src)
        if any(part.startswith(".") for part in rel.parts):
            continue
        try:
            format_for(path, known)
            files.append(path)
        except DocumentError:
            other.append(FileResult(str(rel), error="not translated: unsupported format"))
    return files, other


def destination(job: DocsJob, path: Path, lang: str) -> Path:
    rel = path.relative_to(job.src) if job.src.is_dir() else Path(path.name)
    if rel.suffix == ".pot":  # a template's translation is a catalog
        rel = rel.with_suffix(".po")
    if job.layout == "suffix":
        return job.out / rel.parent / f"{rel.stem}_{lang}{rel.suffix}"
    return job.out / lang / rel


async def run(job: DocsJob) -> list[FileResult]:
    files, results = find(job.src, job.formats)
    manifest = _load_manifest(job.out)
    for path in files:
        shown = str(path.relative_to(job.src)) if job.src.is_dir() else str(path)
        try:
            doc = format_for(path, job.formats).parse(path.read_bytes(), Path(shown), job.source)
        except (DocumentError, OSError) as exc:
            results.append(
                FileResult(
                    shown,
                    error=str(exc)
                    if isinstance(exc, DocumentError)
                    else f"{shown}: cannot read ({exc.strerror})",
                )
            )
            continue
        for lang in job.targets:
            results.append(await _one(job, path, shown, doc, lang, manifest))
    _save_manifest(job.out, manifest)
    return results


async def _one(
    job: DocsJob, path: Path, shown: str, doc: Document, lang: str, manifest: dict[str, str]
) -> FileResult:
    result = FileResult(shown, lang, units=len(doc.units))
    done = await translate_snippets(
        job.job, [Snippet(u.text, u.context) for u in doc.units], job.source, lang
    )
    translated, held = {}, []
    for unit, answer in zip(doc.units, done, strict=True):
        why = _unusable(unit, answer)
        if why:  # never written: the unit keeps its source, marked where the format can say so
            result.failures.append(Failure(unit.id, unit.text, why))
            translated[unit.id] = unit.text
            held.append(unit.id)
            continue
        translated[unit.id] = answer.text
        if answer.failed:  # passed with minor findings: published, and reported
            result.failures.append(Failure(unit.id, unit.text, answer.failed))
    if missing := _required_missing(job, translated, held, lang):  # the whole document: not written
        result.failures.append(Failure("(document)", shown, [f"required_terms: {', '.join(missing)}"]))
        result.error = (
            f"{shown}: required term {', '.join(repr(t) for t in missing)} appears nowhere in its "
            f"{lang} translation: not written"
        )
        return result
    doc.failed_units, doc.problems = tuple(held), {}
    data = doc.render(translated, lang)
    result.failures += [
        Failure(uid, _text(doc.units, uid), [f"markup: {why}"]) for uid, why in doc.problems.items()
    ]
    target = destination(job, path, lang)
    try:
        result.written, result.unchanged = target, _write(target, data, job, manifest)
    except DocumentError as exc:
        result.error = str(exc)
    return result


def _required_missing(job: DocsJob, translated: dict[str, str], held: list[str], lang: str) -> list[str]:
    """The profile's required terms for `lang` that no published unit of the document holds."""
    profile = job.job.loop.profile
    if profile is None:
        return []
    text = " ".join(t for uid, t in translated.items() if uid not in held).casefold()
    return [term for term in profile.required(lang) if term.casefold() not in text]


def _unusable(unit: Unit, answer: Translated) -> list[str]:
    if not answer.publishable:
        return answer.failed or [f"status: {answer.status}"]
    if Counter(MASK_RE.findall(unit.text)) != Counter(MASK_RE.findall(answer.text)):
        return ["markup: the engine lost, repeated or invented a markup token"]
    return []


def _text(units: list[Unit], uid: str) -> str:
    return next((u.text for u in units if u.id == uid), "")


# --- writing -------------------------------------------------------------------------------------------


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(target: Path, data: bytes, job: DocsJob, manifest: dict[str, str]) -> bool:
    """True when the file already held exactly these bytes (nothing written)."""
    key = target.relative_to(job.out).as_posix()
    if target.exists():
        current = target.read_bytes()
        if current == data:
            manifest[key] = _digest(data)
            return True
        if manifest.get(key) != _digest(current) and not job.force:
            raise DocumentError(
                f"{target}: changed since tolk wrote it (or not written by tolk); "
                "keep your edits elsewhere, or pass --force to overwrite"
            )
    write_atomic(target, data)
    manifest[key] = _digest(data)
    return False


def _load_manifest(out: Path) -> dict[str, str]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _save_manifest(out: Path, manifest: dict[str, str]) -> None:
    if not manifest:
        return
    body = (json.dumps(dict(sorted(manifest.items())), indent=1) + "\n").encode("utf-8")
    path = out / MANIFEST
    if not path.exists() or path.read_bytes() != body:
        write_atomic(path, body)
