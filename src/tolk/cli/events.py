"""`tolk events publish|tail|deliver|webhooks`: put envelopes on a bus, watch what goes by, and send
them to [[webhooks]] subscribers."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tolk.cli.common import ConfigOpt, DbOpt, JsonOpt, console, safe_url, settings
from tolk.core import InputError

if TYPE_CHECKING:  # the heavy parts load when a command runs, so `tolk --help` stays quick
    from tolk import events

app = typer.Typer(help="Publish events to a bus and watch them (RabbitMQ, Redis Streams, embedded).")

BusOpt = Annotated[
    str | None,
    typer.Option(
        "--bus",
        help="amqp://guest:guest@127.0.0.1:5672/, redis://127.0.0.1:6379/0 or sqlite:///PATH "
        "(default: agent.bus in tolk.toml, else the embedded bus beside the store).",
    ),
]


@app.command()
def publish(
    source: Annotated[str, typer.Argument(help="JSONL file of event envelopes, or - for stdin.")],
    bus: BusOpt = None,
    delay: Annotated[float, typer.Option("--delay", help="Deliver no sooner than this (seconds).")] = 0.0,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Publish envelopes (id, type, version, occurred_at, source, payload), e.g. to backfill or test.

    Every line is validated first: one bad line publishes nothing. The translator's queues (one per
    language in agent.languages, else targets) are declared first, so events published before any
    worker has started wait for it; an event no queue would receive is refused, naming its line.
    """
    from tolk import events
    from tolk.agent import topology
    from tolk.bus import open_bus
    from tolk.bus.base import Unroutable

    s = settings(config_path, db)
    name = "<stdin>" if source == "-" else source
    lines = sys.stdin.read().splitlines() if source == "-" else _read(Path(source))
    batch: list[tuple[int, events.Envelope]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            batch.append((number, events.parse(line)))
        except InputError as exc:
            raise InputError(f"{name}:{number}: {exc}") from None
    expected = topology.of(s)
    for number, envelope in batch:
        if not expected.receives(envelope.type):
            raise InputError(
                f"{name}:{number}: no queue receives {envelope.type} events (the {expected.agent} queues "
                f"take {', '.join(expected.patterns)}); nothing was published"
            )

    async def go() -> None:
        target = open_bus(s.bus_url(bus), namespace=s.agent.namespace)
        try:
            await topology.declare(target, s)
            for number, envelope in batch:
                try:
                    await target.publish(envelope, delay_s=delay, mandatory=True)
                except Unroutable as exc:
                    raise InputError(f"{name}:{number}: {exc}; the events before it were published") from None
        finally:
            await target.close()

    asyncio.run(go())
    console.print(f"published {len(batch)} events to {safe_url(s.bus_url(bus))}")


@app.command()
def tail(
    types: Annotated[
        str, typer.Option("--types", help="Comma-separated topic patterns: 'i18n.*', 'cache.#', '#'.")
    ] = "#",
    as_json: Annotated[bool, typer.Option("--json", help="One envelope per line, as JSON.")] = False,
    count: Annotated[int, typer.Option("--count", help="Stop after this many events (0: never).")] = 0,
    idle: Annotated[
        float, typer.Option("--idle", help="Stop after this many seconds without an event (0: never).")
    ] = 0.0,
    bus: BusOpt = None,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Print events as they are published (from now on), until Ctrl-C.

    The tail reads its own temporary queue: it is removed on exit, and a tail that is killed leaves
    nothing behind (RabbitMQ drops it with the connection; elsewhere it expires within a minute).
    """
    from tolk.bus import open_bus
    from tolk.bus.base import check_pattern

    s = settings(config_path, db)
    patterns = [check_pattern(p.strip()) for p in types.split(",") if p.strip()]
    queue = f"tail-{uuid.uuid4().hex[:8]}"

    async def go() -> None:
        source = open_bus(s.bus_url(bus), namespace=s.agent.namespace)
        seen, last = 0, time.monotonic()
        try:
            await source.declare(queue, patterns, temporary=True)
            print(f"tailing {', '.join(patterns)} on {safe_url(s.bus_url(bus))}", file=sys.stderr, flush=True)
            while not (count and seen >= count) and not (idle and time.monotonic() - last > idle):
                for d in await source.fetch(queue, limit=50, wait_s=0.5):
                    await source.ack(d)
                    _show(d.envelope, as_json)
                    seen, last = seen + 1, time.monotonic()
        finally:
            await source.delete(queue)
            await source.close()

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a tail ends; its queue is removed
        asyncio.run(go())


def _show(envelope: events.Envelope, as_json: bool) -> None:
    if as_json:
        print(envelope.to_json(), flush=True)
        return
    p = envelope.payload
    what = " ".join(
        f"{k}={p[k]}" for k in ("product_id", "id", "lang", "score", "reason", "languages") if k in p
    )
    print(f"{envelope.occurred_at:%H:%M:%S} {envelope.type:<18} {what}", flush=True)


def _read(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None


@app.command()
def deliver(
    watch: Annotated[
        bool, typer.Option("--watch", help="Keep delivering (as a worker does) until Ctrl-C.")
    ] = False,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Send the events waiting for the \\[\\[webhooks]] subscribers (a worker and `tolk serve` do it too);
    stops once nothing is due. What fails is tried again later, with doubling waits."""
    from tolk.bus.webhooks import Webhooks
    from tolk.cli.common import open_store

    s = settings(config_path, db)
    if not s.webhooks:
        raise InputError("no [[webhooks]] in the configuration: nothing to deliver to")
    store = open_store(s)
    hooks = Webhooks(s.webhooks)

    async def go() -> int:
        try:
            if watch:
                stop = asyncio.Event()
                with contextlib.suppress(asyncio.CancelledError):
                    await hooks.run(store, stop)
                return 0
            sent = 0
            while n := await hooks.once(store):
                sent += n
            return sent
        finally:
            await hooks.aclose()

    try:
        sent = asyncio.run(go())
    except KeyboardInterrupt:
        sent = 0
    finally:
        store.close()
    if not watch:
        console.print(f"{sent} deliveries attempted (tolk events webhooks shows where they stand)")


@app.command()
def webhooks(
    as_json: JsonOpt = False,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Each \\[\\[webhooks]] subscriber's deliveries: pending, delivered, failed, and the last error."""
    from tolk.cli.common import open_store, print_rows
    from tolk.store import webhooks as deliveries

    s = settings(config_path, db)
    store = open_store(s, reading=True)
    try:
        found = {st.subscriber: st for st in deliveries.standings(store)}
    finally:
        store.close()
    configured = [h.subscriber for h in s.webhooks]  # each, delivered to yet or not; then the removed
    none = deliveries.Standing("", 0, 0, 0, None, None)
    rows: list[dict[str, object]] = [
        {
            "subscriber": name,
            "pending": (st := found.get(name, none)).pending,
            "delivered": st.delivered,
            "failed": st.failed,
            "last_error": st.last_error,
            "configured": name in configured,
        }
        for name in [*configured, *(n for n in found if n not in configured)]
    ]
    print_rows("webhook deliveries", rows, as_json)
