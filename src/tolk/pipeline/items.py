"""Items as tolk stores them, from a catalog's rows or an event's product payload."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from tolk import languages
from tolk.core import TolkError, digest
from tolk.formats import catalog
from tolk.pipeline.job import Job
from tolk.store.repo import ItemRecord
from tolk.text.identify import COMMON, identify


def record(job: Job, item_id: str, data: dict[str, Any]) -> ItemRecord:
    """The job's fields are translated; everything else is kept as the item's attributes."""
    original, data = data, dict(data)
    data.pop("id", None)
    lang_raw = data.pop("lang", None)
    lang = languages.normalize(str(lang_raw), allow_auto=True) if lang_raw else job.source_lang
    category = data.get("category")
    fields = {f: data[f] for f in job.fields if isinstance(data.get(f), str) and data[f].strip()}
    attrs = {k: v for k, v in data.items() if k not in fields}
    if lang == languages.AUTO and fields:  # `--from auto`: each item's own language, from its fields
        found = identify(" ".join(fields.values()), (*COMMON, *job.targets))
        lang = found.tag if found is not None else lang
    return ItemRecord(
        id=item_id,
        source_lang=lang,
        category=str(category) if category is not None else None,
        fields=fields,
        attrs=attrs,
        content_hash=digest(lang, original),
    )


def scan(job: Job, *, skip_bad: bool | None = None) -> catalog.Scan:
    """The whole catalog validated before anything is written (a bad row raises, or is listed: with
    `skip_bad`, by default the job's)."""
    assert job.path is not None, "a catalog job has a path"
    limit, engine = job.engine.settings.max_text_chars, job.engine.name

    def check(row: catalog.Row) -> str | None:
        return _check_row(row) or _oversized(row, job.fields, engine, limit)

    return catalog.scan(job.path, skip_bad=job.skip_bad if skip_bad is None else skip_bad, check=check)


def chunks(job: Job, scanned: catalog.Scan) -> Iterator[list[ItemRecord]]:
    """The catalog's good rows as items, `chunk_size` at a time (each chunk is one commit)."""
    assert job.path is not None
    skip, chunk = scanned.skip_lines, []
    for row in catalog.read(job.path):
        if isinstance(row, catalog.BadRow) or row.line in skip:
            continue
        chunk.append(record(job, row.id, row.data))  # the scan checked the row's lang
        if len(chunk) >= job.chunk_size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def by_source(records: list[ItemRecord]) -> dict[str, list[ItemRecord]]:
    groups: dict[str, list[ItemRecord]] = defaultdict(list)
    for r in records:
        groups[r.source_lang].append(r)
    return groups


def _oversized(row: catalog.Row, fields: list[str], engine: str, limit: int) -> str | None:
    """A field too long for one engine request is a bad row: named by its line, never stored or sent
    (a 50 MB field would otherwise be held, stored and scanned many times over)."""
    for name in fields:
        value = row.data.get(name)
        if isinstance(value, str) and len(value) > limit:
            return (
                f"{name}: {len(value):,} characters, over the engine's limit of {limit:,} "
                f"(engines.{engine}.max_text_chars): split it into smaller fields"
            )
    return None


def _check_row(row: catalog.Row) -> str | None:
    """Catalog rules beyond the format: a row's own `lang` must be a language tolk knows."""
    lang = row.data.get("lang")
    if lang in (None, ""):
        return None
    try:
        languages.normalize(str(lang), allow_auto=True)
    except TolkError as exc:
        return f"lang: {exc}"
    return None
