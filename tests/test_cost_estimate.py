"""`tolk cost estimate`: the plan a run would follow, priced before anything is sent — checked against
what a real run then sends to a token-counting stand-in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tolk.estimate import count_tokens, premium
from tolk.store.models import Run
from tolk.store.repo import Store
from tolk.testing.standin import StandIn

from .conftest import run_tolk

ROOT = Path(__file__).resolve().parents[1]


def _catalog(path: Path, n: int) -> Path:
    boiler = "Free returns within 30 days. Ships from our warehouse in Seoul."
    rows = [
        {
            "id": f"p{i}",
            "name": f"Walnut desk lamp model {i}",
            "description": f"A warm light for late reading, dimmable in {i % 7 + 2} steps. {boiler}",
        }
        for i in range(n)
    ]
    rows += [{"id": "dup", "name": "Walnut desk lamp model 1", "description": rows[1]["description"]}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _config(tmp_path: Path, base_url: str) -> Path:
    cfg = tmp_path / "tolk.toml"
    cfg.write_text(
        'default_engine = "llm"\n[engines.llm]\nkind = "openai"\nmodel = "deepseek-chat"\n'
        f'base_url = "{base_url}"\napi_keys = ["sk-test"]\nbatch_size = 10\n'
        "[quality]\nrounds = 0\n"
    )
    return cfg


def _estimate(tmp_path: Path, cfg: Path, db: str, *targets: str) -> list[dict[str, Any]]:
    done = run_tolk(
        "cost",
        "estimate",
        "catalog.jsonl",
        "--to",
        ",".join(targets),
        "--db",
        db,
        "--config",
        str(cfg),
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    langs: list[dict[str, Any]] = json.loads(done.stdout)["languages"]
    return langs


def test_the_estimate_matches_what_a_run_then_sends(tmp_path: Path) -> None:
    _catalog(tmp_path / "catalog.jsonl", 40)
    db = f"sqlite:///{tmp_path / 'tolk.db'}"
    with StandIn() as server:
        cfg = _config(tmp_path, server.base_url)
        before = _estimate(tmp_path, cfg, db, "es", "de")
        assert server.requests == [] and not (tmp_path / "tolk.db").exists()  # sends and writes nothing
        es = before[0]
        # 82 fields: 41 names (one row repeats another) and 41 descriptions in 7 variants go once each
        assert (es["segments"], es["repeats"], es["sent"], es["requests"]) == (82, 35, 47, 5)
        assert es["cost"] == round((es["tokens_in"] * 0.27 + es["tokens_out"] * 1.10) / 1e6, 6)
        assert es["naive_cost"] > 2 * es["cost"]  # 82 requests, each with the whole prompt

        run = run_tolk(
            "translate", "catalog.jsonl", "--to", "es", "--db", db, "--config", str(cfg), cwd=tmp_path
        )
        assert run.returncode == 0, run.stderr
        es_requests = [r for r in server.requests if "to Spanish" in json.dumps(r.body)]
        assert len(es_requests) == es["requests"]
        standin_in = sum(  # the stand-in's own count: characters / 4 over the messages
            sum(len(str(m["content"])) for m in r.body["messages"]) // 4 + 1 for r in es_requests
        )
        assert 0.7 < es["tokens_in"] / standin_in < 1.3
        [stats] = _run_stats(db)  # what the run spent, by language, from the API's usage
        assert stats["spend"]["es"]["requests"] == len(es_requests)
        assert stats["spend"]["es"]["cost"] == stats["cost"] > 0

        after = _estimate(tmp_path, cfg, db, "es", "de")
        assert (after[0]["unchanged"], after[0]["sent"], after[0]["cost"]) == (82, 0, 0.0)
        assert after[1] == before[1]  # German untouched: still everything to send


def _run_stats(db: str) -> list[dict[str, Any]]:
    store = Store(db)
    with store.sessions() as session:
        stats = [dict(r) for r in session.execute(select(Run.stats)).scalars()]
    store.close()
    return stats


def test_tokens_follow_the_script_and_the_target_language() -> None:
    assert count_tokens("Walnut desk lamp") == 4  # 14 letters ≈ 3.5 tokens
    assert count_tokens("호두나무 책상 램프") > count_tokens("Walnut desk lamp")  # Hangul is dense
    assert count_tokens("") == 0
    assert premium("th") > premium("ko") > premium("es") > premium("en")
    assert premium("zh-CN") == premium("zh")


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "catalog.jsonl").write_text('{"id": "a", "name": "x"}\n{"id": "b", "name": \n')
    cfg = _config(tmp_path, "http://127.0.0.1:9/v1")
    done = run_tolk("cost", "estimate", "catalog.jsonl", "--to", "es", "--config", str(cfg), cwd=tmp_path)
    assert done.returncode != 0
    assert "catalog.jsonl:2" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    unknown = run_tolk(
        "cost",
        "estimate",
        "catalog.jsonl",
        "--to",
        "es",
        "--engine",
        "nope",
        "--config",
        str(cfg),
        cwd=tmp_path,
    )
    assert unknown.returncode != 0 and "no engine named 'nope'" in unknown.stderr


def test_a_month_projected_per_model_tier_fits_80_columns(tmp_path: Path) -> None:
    shutil.copy(ROOT / "examples/tolk.toml", tmp_path / "tolk.toml")
    done = run_tolk(
        "cost",
        "project",
        "--words-per-month",
        "2000000",
        "--to",
        "es,ko,ja",
        cwd=tmp_path,
        env={"COLUMNS": "80"},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines) and "…" not in done.stdout
    rows = [line for line in lines if line.startswith("│")]
    assert [r.split("│")[1].strip() for r in rows] == [
        "qwen (qwen-mt-turbo)", "deepseek (deepseek-chat)", "qwen-mt-plus", "gpt-4o-mini"
    ]  # the configured engines first, then the list's other tiers  # fmt: skip
    assert "1.3 tokens a word" in done.stdout
    as_json = run_tolk("cost", "project", "--items-per-month", "1000", "--to", "es", "--json", cwd=tmp_path)
    *models, tail = [json.loads(line) for line in as_json.stdout.splitlines()]
    turbo = next(m for m in models if m["model"] == "qwen (qwen-mt-turbo)")
    assert turbo["tokens_in"] == 78_000 and turbo["monthly_usd"] == round(turbo["monthly_usd"], 4) > 0
    assert tail["assumptions"]["volume"] == "60,000 words (1,000 products × 60)"
    unknown = run_tolk("cost", "project", "--words-per-month", "10", "--models", "gpt-9", cwd=tmp_path)
    assert unknown.returncode == 2 and "no price for 'gpt-9'" in unknown.stderr


def test_the_estimate_stays_whole_at_80_columns(tmp_path: Path) -> None:
    (tmp_path / "cat.jsonl").write_text('{"id": "a", "name": "Red shoes"}\n')
    done = run_tolk("cost", "estimate", "cat.jsonl", "--to", "es", cwd=tmp_path, env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout and "$0.0000" in done.stdout and "es: 1 segments" in done.stdout
