"""What a reviewer sees of one translation: its source and the product around it, the findings and the
spans they concern, the glossary terms that apply, memory like it, the versions it had.

The actions (edit, approve, send back) are tolk.review's; this only gathers, for the web UI's
translation page and anyone else showing a person why a text waits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tolk import memory
from tolk.core import Term
from tolk.quality.base import Finding, Sample, Severity
from tolk.quality.explain import locate
from tolk.store.repo import Store

if TYPE_CHECKING:  # the rows the store returns, named for the checker
    from tolk.store.models import HistoryEntry, Translation

Key = tuple[str, str, str]  # item id, field, language


@dataclass(frozen=True, slots=True)
class Held:
    """One finding, and where it is: (start, end) in the source and in the translation."""

    id: str
    severity: str
    message: str
    in_source: tuple[tuple[int, int], ...]
    in_translation: tuple[tuple[int, int], ...]


@dataclass
class View:
    translation: Translation
    source: str
    source_lang: str
    category: str | None
    other_fields: dict[str, str]  # the product's other fields, by name
    findings: list[Held] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    memory: list[memory.Match] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    previous: str | None = None  # the text it had before this one, if any


def view(store: Store, key: Key) -> View | None:
    item_id, name, lang = key
    with store.sessions() as session:
        t = store.translation(session, item_id, name, lang)
        item = store.item_record(item_id, session)
    if t is None:
        return None
    fields = dict(item.fields) if item is not None else {}
    source = fields.pop(name, "")
    source_lang = item.source_lang if item is not None else "en"
    history = store.history(item_id, name, lang)
    return View(
        t,
        source,
        source_lang,
        item.category if item is not None else None,
        fields,
        findings=_held(t, source, source_lang),
        terms=list(store.glossary().applicable(source, lang)) if source else [],
        memory=memory.similar(store, source, source_lang, lang) if source else [],
        history=history,
        previous=next((h.text for h in history if h.text is not None and h.text != t.text), None),
    )


def _held(t: Translation, source: str, source_lang: str) -> list[Held]:
    sample = Sample(source, t.text, source_lang, t.lang)
    found = []
    for stored in t.checks or []:
        if not isinstance(stored, dict) or "id" not in stored:
            continue
        details: dict[str, Any] = {k: v for k, v in stored.items() if k not in ("id", "severity", "message")}
        try:
            severity = Severity(str(stored.get("severity", "major")))
        except ValueError:
            severity = Severity.MAJOR
        finding = Finding(str(stored["id"]), severity, str(stored.get("message", "")), details)
        spans = locate(finding, sample)
        found.append(
            Held(
                finding.check,
                severity.value,
                finding.message,
                tuple((s.start, s.end) for s in spans if s.side == "source"),
                tuple((s.start, s.end) for s in spans if s.side == "translation"),
            )
        )
    return found
