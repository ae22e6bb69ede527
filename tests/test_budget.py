"""A spend cap stops a run cleanly; the same command resumes it, with nothing lost or paid twice."""

from __future__ import annotations

import json
from pathlib import Path

from tolk.budget import Budget, BudgetReached, spent_today
from tolk.store.models import Translation
from tolk.store.repo import Store
from tolk.testing.standin import StandIn

from .conftest import run_tolk


def segments_sent(server: StandIn) -> list[str]:
    out = []
    for r in server.requests:
        out += [s["text"] for s in json.loads(r.body["messages"][-1]["content"])["segments"]]
    return out


def catalog(folder: Path) -> list[dict[str, str]]:
    """Forty mugs, two fields each."""
    rows = [
        {"id": f"p{i:02d}", "name": f"Ceramic mug number {i}", "description": f"Holds {i + 200} ml."}
        for i in range(40)
    ]
    (folder / "catalog.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return rows


def config(folder: Path, server: StandIn, extra: str = "") -> None:
    """A priced OpenAI-compatible engine on the stand-in, ten segments a request."""
    (folder / "tolk.toml").write_text(
        f'default_engine = "llm"\n[engines.llm]\nkind = "openai"\nmodel = "m"\n'
        f'base_url = "{server.base_url}"\nexternal = false\nbatch_size = 10\n{extra}'
        "price_in_per_mtok = 1000\nprice_out_per_mtok = 1000\n[quality]\nrounds = 0\n"
    )


def test_a_budget_stops_the_run_and_the_next_run_finishes_it(tmp_path: Path) -> None:
    rows = catalog(tmp_path)
    with StandIn() as server:
        config(tmp_path, server)
        args = (
            "translate",
            "catalog.jsonl",
            "--to",
            "es",
            "--chunk-size",
            "5",
            "--db",
            f"sqlite:///{tmp_path / 't.db'}",
        )
        first = run_tolk(*args, "--budget", "0.3", cwd=tmp_path)
        assert first.returncode == 3, first.stderr
        assert "run budget reached" in first.stderr and "run the same command again" in first.stderr
        store = Store(f"sqlite:///{tmp_path / 't.db'}")
        with store.sessions() as session:
            done_first = {t.item_id for t in session.query(Translation)}
        assert 0 < len(done_first) < 40  # stopped in the middle, with what it paid for committed
        sent_first = len(segments_sent(server))
        second = run_tolk(*args, cwd=tmp_path)
        assert second.returncode == 0, second.stderr
        with store.sessions() as session:
            rows_after = list(session.query(Translation))
        store.close()
        sent = segments_sent(server)
    assert {t.item_id for t in rows_after} == {r["id"] for r in rows}  # nothing lost
    assert all(t.version == 1 for t in rows_after)  # nothing written twice
    assert len(sent) == len(set(sent)) == 80  # every segment paid for exactly once
    assert sent_first == 2 * len(done_first)


def test_a_cap_is_passed_by_the_requests_in_flight_not_by_a_whole_chunk(tmp_path: Path) -> None:
    """One chunk of 8 requests went out at once whatever the cap: it overshot it 5x before stopping."""
    catalog(tmp_path)
    with StandIn() as server:
        config(tmp_path, server, "max_concurrency = 2\n")
        done = run_tolk("translate", "catalog.jsonl", "--to", "es", "--budget", "0.1", cwd=tmp_path)
        requests = len(server.requests)
    assert done.returncode == 3, done.stderr
    assert "not sent: run budget reached" in done.stderr
    assert requests <= 2  # one chunk of 40 items is 8 requests: at most max_concurrency left before the cap


def test_a_daily_cap_counts_every_process(tmp_path: Path) -> None:
    from tolk.core import Usage
    from tolk.engines.base import Call
    from tolk.store import activity

    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    activity.record_calls(store, [Call("llm", "m", "en", "es", 3, True, 0.1, Usage(1, 10, 10, 0.6))])
    assert spent_today(store) == 0.6
    Budget(per_day=1.0).check(store, 0.0)
    try:
        Budget(per_day=0.5).check(store, 0.0)
        raise AssertionError("the daily cap did not stop")
    except BudgetReached as exc:
        assert "daily budget reached: $0.6000 of $0.5000" in str(exc)
    store.close()


def test_a_budget_must_be_positive(tmp_path: Path) -> None:
    (tmp_path / "catalog.jsonl").write_text('{"id": "a", "name": "Mug"}\n')
    for amount in ("0", "-2"):
        done = run_tolk("translate", "catalog.jsonl", "--to", "es", "--budget", amount, cwd=tmp_path)
        assert done.returncode == 2 and "give a positive amount in USD" in done.stderr
    assert not (tmp_path / "tolk.db").exists()  # refused before anything was opened
