"""Operator answers as plain text, shared by the Telegram bot and the CLI (`tolk ops …`).

/quality [24h]          the report over the window
/cache                  hit/miss over 24 h, recent cache invalidations and failures
/agent status           workers, state and heartbeat age
/agent restart <name>   ask a live agent's workers to restart
/review                 how many translations wait for a person, per language
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tolk import reports
from tolk.agent.registry import AgentSpec
from tolk.config import HEARTBEAT_S
from tolk.core import TolkError, now
from tolk.store import ledger
from tolk.store.repo import Store

if TYPE_CHECKING:  # the rows the ledger returns, named for the checker
    from tolk.store.models import AgentWorker

if TYPE_CHECKING:
    from tolk.store.models import AgentWorker


def quality(store: Store, span: str = "24h") -> str:
    return reports.text(reports.build(store, reports.parse_span(span)), span)


def cache(store: Store, span: str = "24h") -> str:
    r = reports.build(store, reports.parse_span(span)).total
    lines = [
        f"Cache, last {span}",
        f"hits: {r.cache_hits:,} cache + {r.memory_hits:,} memory; misses: {r.cache_misses:,} "
        f"({r.cache_miss_pct:.1f}%); unchanged: {r.unchanged:,}",
    ]
    for kind, title in (("cache.invalidate", "recent invalidations"), ("i18n.failed", "recent failures")):
        rows = _recent(store, kind)
        lines.append(f"{title}: {'none' if not rows else ''}".rstrip())
        lines += [f"  {row}" for row in rows]
    return "\n".join(lines) + "\n"


def _recent(store: Store, kind: str, n: int = 5) -> list[str]:
    out = []
    for event in store.outbox_recent(kind, n):
        payload = json.loads(event.body).get("payload", {})
        what = payload.get("id") or payload.get("product_id") or "?"
        why = f": {payload['reason']}" if payload.get("reason") else ""
        state = "sent" if event.sent_at else f"due {event.due_at:%H:%M:%S}"
        out.append(f"{event.created_at:%m-%d %H:%M} {what} [{payload.get('lang', '')}]{why} ({state})")
    return out


def in_order(rows: Sequence[AgentWorker], order: Sequence[AgentSpec]) -> list[AgentWorker]:
    """Workers in the order their agents work (the registry's priority), unknown agents last."""
    rank = {spec.name: i for i, spec in enumerate(order)}
    return sorted(rows, key=lambda w: (rank.get(w.agent, len(rank)), w.agent, w.host, w.id))


def agent_status(store: Store, heartbeat_s: float = HEARTBEAT_S, order: Sequence[AgentSpec] = ()) -> str:
    rows = in_order(ledger.workers(store), order)
    if not rows:
        return "no agent workers have registered\n"
    lines = []
    for w in rows:
        age = (now() - w.heartbeat_at).total_seconds()
        state = ledger.state(w, heartbeat_s)
        counts = ", ".join(f"{k} {v}" for k, v in sorted(w.stats.items()) if isinstance(v, int)) or "-"
        lines.append(f"{w.agent} {w.id}: {state}, heartbeat {age:.0f} s ago, {counts}")
    return "\n".join(lines) + "\n"


def agent_restart(store: Store, name: str, heartbeat_s: float = HEARTBEAT_S) -> str:
    n = ledger.request_restart(store, name, alive_within_s=ledger.LOST_AFTER_BEATS * heartbeat_s)
    if n == 0:
        raise TolkError(f"no live worker of agent {name!r} (see tolk agent status)")
    return f"asked {n} worker{'s' if n != 1 else ''} of {name} to restart\n"


def review_count(store: Store) -> str:
    counts = store.review_counts()
    total = sum(counts.values())
    per = ", ".join(f"{lang} {n}" for lang, n in sorted(counts.items()))
    return (
        f"{total} translation{'s' if total != 1 else ''} waiting for review"
        + (f" ({per})" if per else "")
        + "\n"
    )


def reply(
    store: Store, line: str, heartbeat_s: float = HEARTBEAT_S, order: Sequence[AgentSpec] = ()
) -> str | None:
    """The answer to one command line (`/quality 24h`, `/agent restart translator` …), as every chat
    channel gives it (the Telegram bot, Slack's /tolk); None for a line that is no command here."""
    words = line.strip().split()
    if not words or not words[0].startswith("/"):
        return None
    command, args = words[0].split("@", 1)[0].lower(), words[1:]
    try:
        if command == "/quality":
            return quality(store, args[0] if args else "24h")
        if command == "/cache":
            return cache(store, args[0] if args else "24h")
        if command == "/review":
            return review_count(store)
        if command == "/agent" and args[:1] == ["status"]:
            return agent_status(store, heartbeat_s, order)
        if command == "/agent" and args[:1] == ["restart"] and len(args) == 2:
            return agent_restart(store, args[1], heartbeat_s)
    except TolkError as exc:
        return f"error: {exc}"
    return None
