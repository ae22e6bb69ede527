"""`tolk agent run|status|restart`: the event-driven translator worker and its operators' commands."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from tolk import languages
from tolk.cli.common import (
    ConfigOpt,
    DbOpt,
    console,
    err_console,
    open_store,
    safe_url,
    settings,
    until_stopped,
)
from tolk.cli.events import BusOpt
from tolk.core import now

if TYPE_CHECKING:  # the heavy parts load when a command runs, so `tolk --help` stays quick
    from tolk import config
    from tolk.agent import topology
    from tolk.store.repo import Store

app = typer.Typer(help="Run the translator agent on a bus; see and restart its workers.")


@app.command()
def run(
    bus: BusOpt = None,
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", "-n", help="Events in flight (default: agent.concurrency)."),
    ] = None,
    max_concurrency: Annotated[
        int | None,
        typer.Option(
            "--max-concurrency",
            help="Let the events in flight rise to this while the engine keeps up, and halve on 429/5xx "
            "(AIMD; default: agent.concurrency_max, unset = fixed).",
        ),
    ] = None,
    autoscale: Annotated[
        str | None,
        typer.Option(
            "--autoscale",
            metavar="MIN:MAX",
            help="Run MIN to MAX worker processes on this host, added and stopped by queue depth, latency "
            "and error rate with cooldowns (\\[agent.autoscale] in tolk.toml); e.g. 1:4.",
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", "-t", help="Languages to serve, one queue each (default: agent.languages)."),
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option("--metrics-port", help="Serve this worker's Prometheus metrics on this port."),
    ] = None,
    drain: Annotated[
        bool,
        typer.Option(
            "--drain",
            help="Stop once the queues are empty, nothing is in flight or parked and the outbox is sent "
            "(a backfill, a batch job).",
        ),
    ] = False,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Consume product events and translate them, until SIGTERM or Ctrl-C (in-flight work finishes).

    Start as many as you like, on as many machines: they share the queues.
    """
    from prometheus_client import start_http_server

    from tolk.agent.worker import Options, Worker

    s = settings(config_path, db)
    langs = languages.parse_list(to) if to else (s.agent.languages or s.targets)
    if not langs:
        raise typer.BadParameter("no language: pass --to es,ko or set agent.languages", param_hint="--to")
    top = max_concurrency or s.agent.concurrency_max
    if top is not None and top < (concurrency or s.agent.concurrency):
        raise typer.BadParameter("must be at least --concurrency", param_hint="--max-concurrency")
    if autoscale is not None:
        if drain:
            raise typer.BadParameter(
                "not with --drain (a supervisor runs until stopped)", param_hint="--autoscale"
            )
        low, high = _bounds(autoscale)
        passed = [
            *(["--bus", bus] if bus else []),
            *(["--db", db] if db else []),
            *(["--config", str(config_path)] if config_path else []),
            *(["--concurrency", str(concurrency)] if concurrency else []),
            *(["--max-concurrency", str(top)] if top else []),
            "--to",
            ",".join(langs),
        ]
        _supervise(s, s.bus_url(bus), langs, low, high, passed)
        return
    options = Options(
        bus_url=s.bus_url(bus),
        languages=langs,
        concurrency=concurrency or s.agent.concurrency,
        concurrency_max=top,
        drain=drain,
        chores=[_reports],
    )

    def reload() -> config.Settings:  # a restart re-reads the configuration
        return settings(config_path, db)

    worker = Worker(reload, options)
    if metrics_port is not None:  # engine calls, tokens, cost, cache lookups and grades of this process
        start_http_server(metrics_port, registry=worker.telemetry.registry)
    err_console.print(
        f"worker {worker.id}: {s.agent.name} for {', '.join(langs)} on {safe_url(options.bus_url)}, "
        f"concurrency {options.concurrency}" + (f" up to {top} (adaptive)" if top else ""),
        highlight=False,
    )

    until_stopped(worker.run)
    err_console.print(f"worker {worker.id}: stopped")


def _bounds(text: str) -> tuple[int, int]:
    low, sep, high = text.partition(":")
    if not sep or not low.strip().isdigit() or not high.strip().isdigit():
        raise typer.BadParameter(f"{text!r}: give MIN:MAX, e.g. 1:4", param_hint="--autoscale")
    lo, hi = int(low), int(high)
    if hi < 1 or lo > hi or hi > 256:
        raise typer.BadParameter(f"{text!r}: need 0 <= MIN <= MAX, 1 <= MAX <= 256", param_hint="--autoscale")
    return lo, hi


def _supervise(
    s: config.Settings, bus_url: str, langs: list[str], low: int, high: int, passed: list[str]
) -> None:
    """The one-host autoscaler (tolk.agent.supervisor) over `tolk agent run` processes."""
    import sys

    from tolk.agent import topology
    from tolk.agent.supervisor import Supervisor

    policy = s.agent.autoscale.model_copy(update={"min": low, "max": high})
    queues = [f"{topology.of(s).agent}.{lang}" for lang in langs]
    command = [sys.executable, "-m", "tolk", "agent", "run", *passed]
    supervisor = Supervisor(s, bus_url, queues, policy, command)
    err_console.print(
        f"autoscale: {low} to {high} workers for {', '.join(langs)} on {safe_url(bus_url)} "
        f"(a worker per {policy.backlog_per_worker} waiting; cooldowns {policy.up_cooldown_s:g} s up, "
        f"{policy.down_cooldown_s:g} s down)",
        highlight=False,
    )

    until_stopped(supervisor.run)
    err_console.print("autoscale: stopped")


async def _reports(s: config.Settings, store: Store, leave: asyncio.Event) -> None:
    """The scheduled reports, sent by whichever worker claims each slot first."""
    from tolk import notify
    from tolk.ops import schedule

    await schedule.run(s, store, notify.from_settings(s.notify), leave)


@app.command()
def init(bus: BusOpt = None, db: DbOpt = None, config_path: ConfigOpt = None) -> None:
    """Declare the translator's queues on the bus (one per language, bound to its event types).

    Run it once when deploying, before producers publish: events published before any worker has
    started then wait in the queues. Workers and `tolk events publish` declare them too.
    """
    from tolk.agent import topology
    from tolk.bus import open_bus

    s = settings(config_path, db)

    async def go() -> topology.Topology:
        target = open_bus(s.bus_url(bus), namespace=s.agent.namespace)
        try:
            return await topology.declare(target, s)
        finally:
            await target.close()

    made = asyncio.run(go())
    console.print(
        f"declared {', '.join(made.queues)} on {safe_url(s.bus_url(bus))}, "
        f"bound to {', '.join(made.patterns)}",
        highlight=False,
    )


@app.command()
def status(
    bus: Annotated[
        str | None, typer.Option("--bus", help="Also show queue depths and dead letters on this bus.")
    ] = None,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object: workers, events processed, queues.")
    ] = False,
) -> None:
    """Workers with their heartbeat, state and counts (a worker silent for 3 heartbeats shows as lost)."""
    from tolk.agent import registry as registry_mod
    from tolk.ops import answers as ops
    from tolk.store import ledger

    s = settings(config_path, db)
    store = open_store(s, reading=True)
    try:
        rows, counts = ledger.workers(store), ledger.processed_counts(store)
    finally:
        store.close()
    order = registry_mod.load(s.agent.registry, s.agent.name).ordered()
    rows = ops.in_order(rows, order)
    if as_json:
        queues = sorted({q for w in rows for q in w.queues})
        print(
            json.dumps(
                {
                    "workers": [
                        {
                            "agent": w.agent,
                            "worker": w.id,
                            "state": ledger.state(w, s.agent.heartbeat_s),
                            "heartbeat_s_ago": round((now() - w.heartbeat_at).total_seconds(), 1),
                            "queues": list(w.queues),
                            "acked": w.stats.get("ack", 0),
                            "retried": w.stats.get("retry", 0) + w.stats.get("pause", 0),
                            "dead": w.stats.get("dead", 0),
                        }
                        for w in rows
                    ],
                    "processed": dict(sorted(counts.items())),
                    "queues": [
                        {"queue": q, "waiting": depth, "dead_letters": dead}
                        for q, depth, dead in (_queue_depths(bus, s.agent.namespace, queues) if bus else [])
                    ],
                }
            )
        )
        return
    table = Table(title="tolk agents")
    for col in ("agent", "worker", "state", "heartbeat", "queues", "acked", "retried", "dead"):
        table.add_column(col)
    for w in rows:
        age = (now() - w.heartbeat_at).total_seconds()
        table.add_row(
            w.agent,
            w.id,
            ledger.state(w, s.agent.heartbeat_s),
            f"{age:.0f} s ago",
            ", ".join(w.queues),
            str(w.stats.get("ack", 0)),
            str(w.stats.get("retry", 0) + w.stats.get("pause", 0)),
            str(w.stats.get("dead", 0)),
        )
    console.print(table)
    console.print("events processed: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"))
    if bus:
        queues = sorted({q for w in rows for q in w.queues})
        console.print(_depths(bus, s.agent.namespace, queues))


def _queue_depths(url: str, namespace: str, queues: list[str]) -> list[tuple[str, int, int]]:
    """(queue, messages waiting, dead letters) on the bus at `url`."""
    from tolk.bus import open_bus

    async def go() -> list[tuple[str, int, int]]:
        b = open_bus(url, namespace=namespace)
        try:
            return [(q, await b.depth(q), len(await b.dead_letters(q))) for q in queues]
        finally:
            await b.close()

    return asyncio.run(go())


def _depths(url: str, namespace: str, queues: list[str]) -> Table:
    table = Table(title=f"queues on {safe_url(url)}")
    for col in ("queue", "waiting", "dead letters"):
        table.add_column(col)
    for q, depth, dead in _queue_depths(url, namespace, queues):
        table.add_row(q, str(depth), str(dead))
    return table


@app.command()
def restart(
    name: Annotated[str, typer.Argument(help="Agent name, e.g. translator.")],
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Ask every live worker of NAME to restart (at its next heartbeat).

    Each finishes its in-flight events, re-reads the configuration and reconnects.
    """
    from tolk.ops import answers as ops

    s = settings(config_path, db)
    store = open_store(s)
    try:
        console.print(ops.agent_restart(store, name, s.agent.heartbeat_s), end="", highlight=False)
    finally:
        store.close()
