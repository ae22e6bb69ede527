"""Autoscaling (#21 row 6) at both levels: a worker's adaptive concurrency (AIMD), and
`tolk agent run --autoscale MIN:MAX` adding worker processes for a burst on real RabbitMQ and stopping
them once the queue has drained."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import bus_url_for, drop_namespace, run_tolk
from tolk.agent.limits import Adaptive
from tolk.agent.supervisor import Reading, decide
from tolk.config.operations import AutoscaleSettings
from tolk.store import ledger
from tolk.store.repo import Store
from tolk.testing.standin import Answer, StandIn

POLICY = AutoscaleSettings(min=1, max=4, backlog_per_worker=100, up_cooldown_s=10, down_cooldown_s=30)


# --- the decision, case by case ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "reading", "since", "calm", "workers", "why"),
    [
        (1, Reading(350, 0.0, 0.2), 60, 0, 4, "350 waiting"),  # a burst: straight to what it needs
        (1, Reading(9_000, 0.0, 0.2), 60, 0, 4, "9000 waiting"),  # … never above MAX
        (1, Reading(350, 0.0, 0.2), 3, 0, 1, "cooling down"),  # just changed: not yet
        (1, Reading(350, 0.5, 0.2), 60, 0, 1, "error rate 50% above 20%: none added"),
        (4, Reading(0, 0.0, 0.2), 60, 40, 3, "0 waiting for 40 s"),  # drained: one at a time
        (4, Reading(0, 0.0, 0.2), 60, 10, 4, "steady"),  # drained only lately: wait
        (2, Reading(150, 0.0, 0.2), 60, 0, 2, "steady"),
        (1, Reading(0, 0.0, None), 60, 100, 1, "steady"),  # never below MIN
    ],
)
def test_decide(current: int, reading: Reading, since: float, calm: float, workers: int, why: str) -> None:
    decision = decide(POLICY, current, reading, since, calm)
    assert (decision.workers, decision.why) == (workers, why)


def test_slow_events_add_a_worker_while_some_wait() -> None:
    slow = POLICY.model_copy(update={"max_latency_s": 2.0})
    assert decide(slow, 2, Reading(50, 0.0, 3.5), 60, 0).workers == 3
    assert decide(slow, 2, Reading(0, 0.0, 3.5), 60, 0).workers == 2  # slow but nothing waits: no use


# --- AIMD inside a worker ---------------------------------------------------------------------------------


def test_aimd_raises_while_the_engine_keeps_up_and_halves_when_it_pushes_back() -> None:
    clock = [0.0]
    limit = Adaptive(4, 1, 32, clock=lambda: clock[0])
    for _ in range(200):  # steady latency, no refusals: one more slot per full round
        limit.observe(0.1, pushback=False)
    assert limit.limit == 20 and limit.raised == 16  # rounds of 4, 5 … 19 events: 184
    limit.observe(0.1, pushback=True)
    assert limit.limit == 10  # halved
    limit.observe(0.1, pushback=True)  # the same burst of 429s: counted once a second
    assert limit.limit == 10
    clock[0] += 1.5
    for _ in range(5):
        limit.observe(0.1, pushback=True)
    assert limit.limit == 5
    for _ in range(50):  # latency five times the best: queueing inside the engine, one slot less a round
        limit.observe(0.5, pushback=False)
    assert limit.limit < 5
    fixed = Adaptive(4, 4, 4)
    fixed.observe(0.1, pushback=True)
    assert fixed.limit == 4 and not fixed.adaptive


def test_aimd_admits_no_more_than_its_limit() -> None:
    async def scenario() -> list[int]:
        limit = Adaptive(2, 1, 8)
        peak: list[int] = []

        async def one() -> None:
            await limit.acquire()
            peak.append(limit.inflight)
            await asyncio.sleep(0.01)
            limit.release()

        await asyncio.gather(*(one() for _ in range(20)))
        return peak

    assert max(asyncio.run(scenario())) == 2


def test_a_worker_backs_off_when_the_engine_answers_429(tmp_path: Path) -> None:
    """A real worker whose engine answers 429 a few times: the adaptive limit halves, then rises again
    while the engine keeps up; every event is still translated."""
    from tests.test_agent_cli import envelopes, processed, publish, wait_for, worker

    with StandIn(latency_s=0.02) as server:
        server.script.extend(Answer(status=429, headers={"Retry-After": "0"}) for _ in range(3))
        cfg = _config(tmp_path, server.base_url, "sqlite:///" + str(tmp_path / "bus.db"), "t")
        envelopes(tmp_path / "events.jsonl", 80)
        store = Store(f"sqlite:///{tmp_path / 'tolk.db'}")
        proc = worker(cfg, "--to", "es", "-n", "2", "--max-concurrency", "16")
        try:
            wait_for(lambda: any(w.state == "running" for w in ledger.workers(store)))
            publish(cfg)
            wait_for(lambda: processed(store) == 80, timeout=120)
            wait_for(lambda: ledger.workers(store)[0].stats.get("raised", 0) > 0)
            stats = ledger.workers(store)[0].stats
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
        assert "up to 16 (adaptive)" in err
        assert server.rate_limited == 3  # the provider pushed back …
        assert stats["cut"] >= 1 and stats["raised"] >= 1, stats  # … the limit halved, then rose again
        store.close()


# --- processes on one host, on RabbitMQ ----------------------------------------------------------------


def _config(folder: Path, engine_url: str, bus: str, namespace: str) -> Path:
    cfg = folder / "tolk.toml"
    cfg.write_text(
        'default_engine = "llm"\ntargets = ["es"]\n'
        f'store = "sqlite:///{folder / "tolk.db"}"\n'
        f'[engines.llm]\nkind = "openai"\nmodel = "m"\nbase_url = "{engine_url}"\napi_keys = ["k"]\n'
        "external = false\n"
        "[quality]\nrounds = 0\n"
        f'[agent]\nbus = "{bus}"\nnamespace = "{namespace}"\nheartbeat_s = 0.5\nconcurrency = 4\n'
        "[agent.autoscale]\nbacklog_per_worker = 250\nup_cooldown_s = 3\ndown_cooldown_s = 4\nevery_s = 0.5\n"
    )
    return cfg


def _counts(log: Path) -> list[int]:
    """The number of workers at each change the supervisor logged."""
    return [int(n) for n in re.findall(r"autoscale: (\d+) worker", log.read_text())]


def test_a_burst_of_2000_events_adds_workers_and_they_go_once_it_drains(tmp_path: Path) -> None:
    from tests.test_agent_cli import envelopes, processed, wait_for

    url = bus_url_for("rabbitmq", tmp_path)
    namespace = f"t{uuid.uuid4().hex[:10]}"
    with StandIn(latency_s=0.05) as server:
        cfg = _config(tmp_path, server.base_url, url, namespace)
        envelopes(tmp_path / "events.jsonl", 2000)
        log = tmp_path / "supervisor.log"
        env = {**os.environ, "TOLK_CONFIG": ""}
        env.pop("TOLK_DB", None)
        with log.open("w") as out:
            sup = subprocess.Popen(
                [sys.executable, "-m", "tolk", "agent", "run", "--autoscale", "1:4", "--config", str(cfg)],
                cwd=tmp_path,
                env=env,
                stderr=out,
                stdout=subprocess.DEVNULL,
            )
        store = Store(f"sqlite:///{tmp_path / 'tolk.db'}")
        try:
            wait_for(lambda: any(w.state == "running" for w in ledger.workers(store)))
            assert _counts(log) == [1]
            published = run_tolk("events", "publish", "events.jsonl", "--config", str(cfg), cwd=tmp_path)
            assert published.returncode == 0, published.stderr
            burst = time.monotonic()  # 2000 events waiting (the first may be taken while it publishes)
            wait_for(lambda: max(_counts(log)) > 1, timeout=30)
            raised_after = time.monotonic() - burst
            wait_for(lambda: processed(store) == 2000, timeout=240)
            drained = time.monotonic()
            wait_for(lambda: _counts(log)[-1] == 1, timeout=60)
            lowered_after = time.monotonic() - drained
        finally:
            sup.send_signal(signal.SIGTERM)
            sup.wait(120)
            asyncio.run(
                drop_namespace(
                    url, namespace, {f"{namespace}.translator.es", f"{namespace}.translator.es.dead"}
                )
            )
            store.close()
    counts = _counts(log)
    assert sup.returncode == 0, log.read_text()
    assert max(counts) >= 3, counts  # 2000 waiting at 250 a worker: to MAX (4), or 3 if it drained fast
    # up within the up cooldown of the burst (the one since the start had run out: a look or two) …
    assert raised_after < 3 + 5, (raised_after, log.read_text())
    # … and down one at a time as the queue empties, each after the down cooldown, to MIN; then stopped
    top = counts.index(max(counts))
    assert counts[top:] == [*range(max(counts), 0, -1), 0], counts
    assert lowered_after < 4 * (max(counts) - 1) + 10, lowered_after
    assert "autoscale: stopped" in log.read_text()
