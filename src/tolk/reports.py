"""The quality report over a window (`tolk report`, the scheduled report, the bot's /quality).

The block is the seed's — Processed, Average score, Average BLEU, Rewrites, Failures, Skipped,
Cache Miss — read from the activity rows, plus a line per language and the spend from engine calls.

Processed   item × language pairs looked at (their segments in brackets)
Failures    segments that got no translation, plus consumed events that came to nothing: unusable
            (no text, unknown product, a language no worker serves) and dead-lettered ones
Skipped     segments already translated from the same source under the same conditions
Cache Miss  of the segments that needed a text, the share that went to an engine (not cache, not memory)
BLEU        machine text against the reviewer's version (an edit, or an approval as is), 0–1 like
            the seed; only over segments a person reviewed in the window, "n/a" without any
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tolk.activity import Counts
from tolk.core import InputError, now
from tolk.store import activity
from tolk.store.repo import Store

_SPAN = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNIT = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_span(text: str, what: str = "--since") -> timedelta:
    """`90m`, `24h`, `7d`, `2w`."""
    found = _SPAN.match(text)
    if not found or int(found[1]) == 0:
        raise InputError(f"{what}: {text!r} is not a span like 30m, 24h, 7d or 2w")
    return timedelta(**{_UNIT[found[2]]: int(found[1])})


@dataclass(kw_only=True)
class Figures(Counts):
    """Summed counters of one language (or all) in the window, and what the engines cost."""

    requests: int = 0
    tokens: int = 0
    cost: float = 0.0
    failed_events: int = 0  # consumed events that failed as a whole (agent)
    dead_letters: int = 0  # … of them, given up on and dead-lettered

    @property
    def all_failures(self) -> int:
        return self.failures + self.failed_events

    def add_values(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            setattr(self, name, getattr(self, name) + (value or 0))


@dataclass
class Report:
    since: datetime
    until: datetime
    total: Figures
    langs: dict[str, Figures] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        def figures(f: Figures) -> dict[str, Any]:
            return asdict(f) | {
                "average_score": f.average_score,
                "bleu": f.bleu,
                "cache_miss_pct": f.cache_miss_pct,
                "cost": round(f.cost, 6),
                "all_failures": f.all_failures,
            }

        languages = {k: figures(v) for k, v in self.langs.items()}
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "total": figures(self.total),
            "languages": languages,
        }


def build(store: Store, span: timedelta, until: datetime | None = None) -> Report:
    until = until or now()
    since = until - span
    langs: dict[str, Figures] = defaultdict(Figures)
    for lang, values in activity.sums_by_lang(store, since, until).items():
        langs[lang].add_values(values)
    for lang, values in activity.spend_by_target(store, since, until).items():
        langs[lang].add_values(values)
    for _, lang, outcome in store.event_failures(since, until):
        langs[lang].failed_events += 1
        langs[lang].dead_letters += outcome == "dead"
    total = Figures()
    for f in langs.values():
        total.add(f)
    return Report(since, until, total, dict(sorted(langs.items())))


# --- rendering ----------------------------------------------------------------------------------------


def _n(value: int) -> str:
    return f"{value:,}"


def block(r: Report, span: str) -> list[tuple[str, str]]:
    """The seed's lines, in its order, then what an operator asks next (review, spend)."""
    t = r.total
    score = f"{t.average_score:.1f}" if t.average_score is not None else "n/a"
    if t.average_score is not None:
        score += " (the gate's, 0–100, over the texts it judged)"
    gate = f"; the gate's score {t.average_score:.1f}/100 meanwhile" if t.average_score is not None else ""
    bleu = (
        f"{t.bleu:.2f} (machine text vs the reviewer's version, {_n(t.bleu_n)} reviewed)"
        if t.bleu_n
        else f"n/a — it compares machine text with a reviewer's version, and nobody reviewed any{gate}"
    )
    return [
        ("Processed", f"{_n(t.items)} items ({_n(t.segments)} segments)"),
        ("Average score", score),
        ("Average BLEU", bleu),
        ("Rewrites", _n(t.rewritten)),
        ("Failures", _failures(t)),
        ("Skipped", _n(t.unchanged)),
        ("Cache Miss", f"{t.cache_miss_pct:.1f}%"),
        ("Review", f"{_n(t.needs_review)} sent, {_n(t.edits)} edited, {_n(t.approvals)} approved"),
        ("Cost", f"${t.cost:,.4f} ({_n(t.tokens)} tokens, {_n(t.requests)} requests)"),
        ("Window", f"last {span}, until {r.until:%Y-%m-%d %H:%M} UTC"),
    ]


def _failures(f: Figures) -> str:
    if not f.failed_events:
        return _n(f.failures)
    dead = f", {_n(f.dead_letters)} dead-lettered" if f.dead_letters else ""
    return f"{_n(f.all_failures)} ({_n(f.failures)} segments, {_n(f.failed_events)} events{dead})"


LANG_COLUMNS = ("lang", "items", "score", "BLEU", "rewrites", "failures", "skipped", "cache miss", "cost")


def lang_rows(r: Report) -> list[tuple[str, ...]]:
    return [
        (
            lang,
            _n(f.items),
            f"{f.average_score:.1f}" if f.average_score is not None else "-",
            f"{f.bleu:.2f}" if f.bleu is not None else "-",
            _n(f.rewritten),
            _n(f.all_failures),
            _n(f.unchanged),
            f"{f.cache_miss_pct:.1f}%",
            f"${f.cost:,.4f}",
        )
        for lang, f in r.langs.items()
    ]


def text(r: Report, span: str) -> str:
    lines = ["Translator-Agent Report", *(f"{k}: {v}" for k, v in block(r, span))]
    rows = [LANG_COLUMNS, *lang_rows(r)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(LANG_COLUMNS))]
    if len(rows) > 1:
        lines.append("")
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"


def markdown(r: Report, span: str) -> str:
    lines = ["📊 **Translator-Agent Report**", "", *(f"- **{k}:** {v}" for k, v in block(r, span))]
    if r.langs:
        lines += ["", "| " + " | ".join(LANG_COLUMNS) + " |", "|" + "---|" * len(LANG_COLUMNS)]
        lines += ["| " + " | ".join(row) + " |" for row in lang_rows(r)]
    return "\n".join(lines) + "\n"


def as_json(r: Report) -> str:
    return json.dumps(r.as_dict(), ensure_ascii=False, indent=2) + "\n"
