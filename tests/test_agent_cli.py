"""The agent's commands as an operator runs them: real processes, the embedded bus, the dummy engine."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from tolk import events
from tolk.agent.registry import load
from tolk.core import ConfigError
from tolk.store import ledger
from tolk.store.models import OutboxEvent, ProcessedEvent
from tolk.store.repo import Store

from .conftest import free_port, run_tolk

CONFIG = """
default_engine = "{engine}"
targets = ["es"]
store = "sqlite:///{dir}/tolk.db"
invalidate_after_s = 2
[engines.dummy]
kind = "dummy"
external = false
[engines.slow]
kind = "openai"
model = "m"
base_url = "{slow}"
api_keys = ["k"]
[agent]
heartbeat_s = 0.5
"""


def setup(tmp_path: Path, slow: str = "http://127.0.0.1:9/v1", engine: str = "dummy") -> Path:
    (tmp_path / "tolk.toml").write_text(CONFIG.format(dir=tmp_path, slow=slow, engine=engine))
    return tmp_path / "tolk.toml"


def envelopes(path: Path, n: int, *, start: int = 0) -> list[events.Envelope]:
    out = [
        events.new("product.created", {"id": f"sku-{i}", "fields": {"name": f"Shoe {i}"}}, source="crawler")
        for i in range(start, start + n)
    ]
    path.write_text("".join(e.to_json() + "\n" for e in out))
    return out


def worker(cfg: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TOLK_CONFIG": ""}
    env.pop("TOLK_DB", None)
    return subprocess.Popen(
        [sys.executable, "-m", "tolk", "agent", "run", "--config", str(cfg), *args],
        cwd=cfg.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(check: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def running(store: Store) -> None:
    wait_for(lambda: any(w.state == "running" for w in ledger.workers(store)))


def publish(cfg: Path) -> None:
    result = run_tolk("events", "publish", "events.jsonl", "--config", str(cfg), cwd=cfg.parent)
    assert result.returncode == 0, result.stderr


def processed(store: Store) -> int:
    with store.sessions() as session:
        return len(session.scalars(select(ProcessedEvent.event_id)).all())


def test_publish_validates_every_line_first(tmp_path: Path) -> None:
    cfg = setup(tmp_path)
    good = envelopes(tmp_path / "good.jsonl", 2)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good[0].to_json() + "\n" + good[1].to_json().replace('"sku-1"', '""') + "\n")
    result = run_tolk("events", "publish", str(bad), "--config", str(cfg), cwd=tmp_path)
    assert result.returncode == 2
    assert f"{bad}:2: payload.id: String should have at least 1 character" in result.stderr
    assert not (tmp_path / "tolk-bus.db").exists()  # nothing published, not even line 1


def test_sigterm_finishes_in_flight_work_and_nothing_is_lost(tmp_path: Path) -> None:
    from tolk.testing.standin import StandIn

    with StandIn(latency_s=0.5) as server:
        cfg = setup(tmp_path, server.base_url, engine="slow")
        sent = envelopes(tmp_path / "events.jsonl", 12)
        proc = worker(cfg, "-n", "4", "--to", "es")
        store = Store(f"sqlite:///{tmp_path / 'tolk.db'}")
        running(store)  # its queue is bound: what is published now reaches it
        published = run_tolk("events", "publish", "events.jsonl", "--config", str(cfg), cwd=tmp_path)
        assert published.returncode == 0, published.stderr
        wait_for(lambda: len(server.requests) >= 2)  # in the middle of the work
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "stopped" in err
        halfway = processed(store)
        proc = worker(cfg, "-n", "4", "--to", "es")  # a new worker takes what is left
        wait_for(lambda: processed(store) == len(sent))
        proc.terminate()
        proc.wait(30)
    assert 0 < halfway < len(sent)  # stopped in the middle: what was in flight finished, the rest waited
    with store.sessions() as session:
        updated = [json.loads(b) for b in session.scalars(select(OutboxEvent.body)) if '"i18n.updated"' in b]
    assert sorted(e["payload"]["product_id"] for e in updated) == sorted(f"sku-{i}" for i in range(12))
    store.close()


def test_status_restart_and_tail(tmp_path: Path) -> None:
    cfg = setup(tmp_path)
    envelopes(tmp_path / "events.jsonl", 3)
    tail = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tolk",
            "events",
            "tail",
            "--types",
            "i18n.updated,cache.#",
            "--json",
            "--count",
            "6",
            "--config",
            str(cfg),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert tail.stderr is not None
    assert "tailing" in tail.stderr.readline()  # its queue exists: it will see what follows
    port = free_port()
    proc = worker(cfg, "--to", "es", "--metrics-port", str(port))
    store = Store(f"sqlite:///{tmp_path / 'tolk.db'}")
    try:
        running(store)
        first_start = ledger.workers(store)[0].started_at
        publish(cfg)
        out, _ = tail.communicate(timeout=60)  # 3 i18n.updated, then 3 cache.invalidate 2 s later
        seen = [json.loads(line) for line in out.splitlines()]
        assert sorted(e["type"] for e in seen) == ["cache.invalidate"] * 3 + ["i18n.updated"] * 3
        status = run_tolk(
            "agent",
            "status",
            "--config",
            str(cfg),
            "--bus",
            f"sqlite:///{tmp_path}/tolk-bus.db",
            cwd=tmp_path,
        )
        assert status.returncode == 0 and "running" in status.stdout and "translator.es" in status.stdout
        assert "translated 3" in status.stdout
        as_json = run_tolk(
            "agent", "status", "--json", "--config", str(cfg), "--bus", f"sqlite:///{tmp_path}/tolk-bus.db",
            cwd=tmp_path,
        )  # fmt: skip
        state = json.loads(as_json.stdout)
        assert [(w["state"], w["queues"]) for w in state["workers"]] == [("running", ["translator.es"])]
        assert state["processed"]["translated"] == 3 and state["queues"][0]["queue"] == "translator.es"
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        assert 'tolk_engine_calls_total{engine="dummy",model="dummy"}' in metrics
        assert 'tolk_segment_lookups_total{result="engine"} 3.0' in metrics  # a name for each of 3 products
        report = run_tolk("report", "--config", str(cfg), cwd=tmp_path)
        assert report.returncode == 0 and "Processed: 3 items (3 segments)" in report.stdout
        restart = run_tolk("agent", "restart", "translator", "--config", str(cfg), cwd=tmp_path)
        assert restart.returncode == 0 and "asked 1 worker of translator" in restart.stdout
        wait_for(lambda: ledger.workers(store)[0].started_at > first_start)
        assert proc.poll() is None  # restarted in place, still serving
        unknown = run_tolk("agent", "restart", "nobody", "--config", str(cfg), cwd=tmp_path)
        assert unknown.returncode == 1 and "no live worker of agent 'nobody'" in unknown.stderr
    finally:
        proc.terminate()
        proc.wait(30)
        store.close()


def test_a_delayed_cache_invalidate_fires_after_its_due_time_and_within_5_s(tmp_path: Path) -> None:
    cfg = setup(tmp_path)
    envelopes(tmp_path / "events.jsonl", 1)
    tail = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tolk",
            "events",
            "tail",
            "--types",
            "cache.invalidate",
            "--count",
            "1",
            "--config",
            str(cfg),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert tail.stderr is not None and "tailing" in tail.stderr.readline()
    proc = worker(cfg, "--to", "es")
    store = Store(f"sqlite:///{tmp_path / 'tolk.db'}")
    try:
        running(store)
        publish(cfg)
        tail.communicate(timeout=60)
        arrived = time.time()
    finally:
        proc.terminate()
        proc.wait(30)
    with store.sessions() as session:
        [row] = session.scalars(select(OutboxEvent).where(OutboxEvent.type == "cache.invalidate")).all()
    store.close()
    due = row.due_at.replace(tzinfo=UTC).timestamp()
    assert (row.due_at - row.created_at).total_seconds() == pytest.approx(2.0, abs=0.01)
    assert due <= arrived < due + 5.0


def test_registry_errors_name_the_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "agents.yaml"
    cases = {
        "agents: [{name: translator, depends_on: [ghost]}]": "no agent named 'ghost'",
        "agents: [{name: a, depends_on: [translator]}, {name: translator, depends_on: [a]}]": "on itself",
        "agents: [{name: translator, subscribes: ['i18n.up*']}]": "agents.0.subscribes",
        "agents: [{name: translator, colour: red}]": "agents.0.colour: Extra inputs",
        "agents: [: :": "not YAML",
        "agents: [{name: classifier}]": "no agent named 'translator'",
        "agents: [{name: a, priority: 5}, {name: translator, priority: 1, depends_on: [a]}]": (
            "translator (priority 1) depends on a (priority 5)"
        ),
    }
    for text, message in cases.items():
        path.write_text(text)
        with pytest.raises(ConfigError, match=str(path)) as info:
            load(path)
        assert message in str(info.value), text


def test_events_published_before_any_worker_wait_for_it(tmp_path: Path) -> None:
    cfg = setup(tmp_path)
    envelopes(tmp_path / "events.jsonl", 3)
    publish(cfg)  # no worker has ever run: the queues are declared by the publish
    stray = events.new("i18n.updated", {"product_id": "x", "lang": "es", "fields": {}}, source="shop")
    (tmp_path / "stray.jsonl").write_text(stray.to_json() + "\n")
    refused = run_tolk("events", "publish", "stray.jsonl", "--config", str(cfg), cwd=tmp_path)
    assert refused.returncode == 2
    assert "stray.jsonl:1: no queue receives i18n.updated events" in refused.stderr
    proc = worker(cfg, "--to", "es", "--drain")
    _, err = proc.communicate(timeout=120)  # ends on its own once the backlog is done
    assert proc.returncode == 0, err
    assert "queues drained" in err
    store = Store(f"sqlite:///{tmp_path / 'tolk.db'}")
    assert processed(store) == 3
    store.close()


OPEN_AT = """
import sys, time
from tolk.store.repo import Store
at = float(sys.argv[2])
time.sleep(max(0.0, at - time.time()))  # every process imported tolk: now they open it together
Store(sys.argv[1]).close()
"""


def test_four_workers_start_at_once_on_an_empty_postgresql_database(tmp_path: Path, pg_url: str) -> None:
    cfg = setup(tmp_path)
    cfg.write_text(cfg.read_text().replace(f'store = "sqlite:///{tmp_path}/tolk.db"', f'store = "{pg_url}"'))
    procs = [worker(cfg, "--to", "es", "--drain") for _ in range(4)]  # the same instant, no schema yet
    results = [p.communicate(timeout=180) for p in procs]
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    store = Store(pg_url)
    assert len(ledger.workers(store)) == 4
    store.close()


def test_four_processes_open_an_empty_store_at_once(db_url: str) -> None:
    """Closer still than four workers: four opens at one instant, on every store (migrations lock)."""
    at = str(time.time() + 6)
    openers = [
        subprocess.Popen([sys.executable, "-c", OPEN_AT, db_url, at], stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    for opener in openers:  # the schema is made once; the others wait for it, then find it made
        _, err = opener.communicate(timeout=120)
        assert opener.returncode == 0, err
