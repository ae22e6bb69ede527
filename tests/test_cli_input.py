"""`tolk translate` given bad input, failures and crashes, as a user meets them: every bad row named with
its line, every failure counted under its reason, nothing half-written, nothing paid twice."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import dump, run_tolk
from tests.hostile import GOOD_IDS, HOSTILE_ROWS, hostile_catalog
from tolk.store.repo import Store
from tolk.testing.standin import Answer, StandIn

tolk = run_tolk


BAD_CATALOGS = [
    ('{"id": "a", "name": "x"}\n{"id": "b", "name": "y"\n', "cat.jsonl:2: bad JSON"),
    ('{"id": "a", "name": "x"}\n{"name": "no id"}\n', "cat.jsonl:2: missing id"),
    ('{"id": "a", "name": "x"}\n{"id": "a", "name": "different"}\n', "cat.jsonl:2: duplicate id 'a'"),
    ('{"id": "a", "name": "x"}\n[1, 2]\n', "cat.jsonl:2: expected a JSON object"),
    (b'{"id": "a", "name": "x"}\n{"id": "b", "name": "\xff\xfe"}\n', "cat.jsonl:2: invalid UTF-8"),
    ("id,name\na,x\nb,y,z\n", "cat.csv:3: 3 cells, header has 2"),
    ("id,name\na,x\n,y\n", "cat.csv:3: missing id"),
    # a quote left open swallowed every following row into one cell, exit 0
    ('id,name,description\n1,Red,"soft\n2,Blue,hat\n3,Green,cap\n', "cat.csv:2: unclosed quote"),
    ('id,name\na,"x"y\n', "cat.csv:2: bad CSV"),
    (
        '{"id": "a", "name": "x"}\n' + "[" * 100_000 + "]" * 100_000 + "\n",
        "cat.jsonl:2: JSON nested too deeply",
    ),
    (
        '{"id": "a", "name": "x"}\n{"id": "b", "name": "bad \\ud800 half"}\n',
        "cat.jsonl:2: name: a lone surrogate",
    ),
    (
        '{"id": "a", "name": "x"}\n' * 300 + '{"id": "b", "lang": "klingon", "name": "y"}\n',
        "cat.jsonl:301: lang:",
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD_CATALOGS)
def test_malformed_catalog_is_one_line_exit_2_and_nothing_written(
    workdir: Path, server: StandIn, content: str | bytes, message: str
) -> None:
    good = workdir / "good.jsonl"
    good.write_text('{"id": "z", "name": "Existing"}\n')
    assert tolk("translate", str(good), "--to", "es", cwd=workdir).returncode == 0
    db = "sqlite:///" + str(workdir / "tolk.db")
    before, calls = dump(db), len(server.requests)

    name = message.split(":")[0]
    path = workdir / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = tolk("translate", name, "--to", "es", cwd=workdir)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert dump(db) == before and len(server.requests) == calls


def test_exact_repeats_are_translated_once(workdir: Path) -> None:
    (workdir / "cat.jsonl").write_text('{"id": "a", "name": "x"}\n' * 3 + '{"id": "b", "name": "y"}\n')
    result = tolk("translate", "cat.jsonl", "--to", "es", "--engine", "other", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "2 items, 2 segments" in result.stdout


def test_skip_bad_continues_and_reports(workdir: Path) -> None:
    (workdir / "cat.jsonl").write_text('{"id": "a", "name": "x"}\nnot json\n{"id": "b", "name": "y"}\n')
    result = tolk("translate", "cat.jsonl", "--to", "es", "--engine", "other", "--skip-bad", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "1 × bad JSON: Expecting value (column 1) (line 2)" in result.stdout
    rows = [json.loads(x) for x in tolk("export", "--lang", "es", cwd=workdir).stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]


def test_a_nul_byte_is_a_bad_row_and_the_rest_of_its_chunk_is_written(workdir: Path, db_url: str) -> None:
    """PostgreSQL refuses NUL in text: the whole chunk was lost, with a crash that printed source texts."""
    rows = [
        '{"id": "a", "name": "Red shoe"}',
        '{"id": "b", "name": "nul \\u0000 here"}',
        '{"id": "c", "name": "Hat"}',
    ]
    (workdir / "cat.jsonl").write_text("\n".join(rows) + "\n")
    result = tolk(
        "translate", "cat.jsonl", "--to", "es", "--engine", "other", "--skip-bad", "--db", db_url, cwd=workdir
    )
    assert result.returncode == 0, result.stderr
    assert (
        "1 × name: a NUL character, not text (line 2)" in result.stdout and "Traceback" not in result.stderr
    )
    exported = tolk("export", "--lang", "es", "--db", db_url, cwd=workdir).stdout.splitlines()
    assert [json.loads(x)["id"] for x in exported] == ["a", "c"]


def test_every_bad_row_and_every_failure_reason_is_reported(workdir: Path) -> None:
    """Only five bad rows and five failures were ever shown, whatever the number."""
    rows = [f'{{"id": "r{i}", "name": "Shoe {i}"}}' for i in range(30)]
    rows += ["not json"] * 12 + ['{"name": "no id"}'] * 3
    (workdir / "cat.jsonl").write_text("\n".join(rows) + "\n")
    result = tolk("translate", "cat.jsonl", "--to", "es", "--engine", "other", "--skip-bad", cwd=workdir)
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    lines = "line 31, 32, 33, 34, 35, 36, 37, 38, 39, 40 and 2 more"
    assert f"15: 12 × bad JSON: Expecting value (column 1) ({lines})" in out
    assert "3 × missing id (line 43, 44, 45)" in out


def test_failures_are_counted_per_reason(workdir: Path, server: StandIn) -> None:
    (workdir / "cat.jsonl").write_text("".join(f'{{"id": "f{i}", "name": "Hat {i}"}}\n' for i in range(7)))
    for _ in range(7):
        server.script.append(Answer(status=400, error={"message": "model not found"}))
    result = tolk("translate", "cat.jsonl", "--to", "es", cwd=workdir, env={"TEST_KEY": "k"})
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed")]
    # one line per reason, with its count (the breaker's opening is a reason of its own)
    counts = [int(line.split()[1]) for line in failed]
    assert sum(counts) == 7 and len(failed) <= 2 and all("model not found" in line for line in failed)


def test_a_text_over_the_engines_limit_is_refused_not_sent(workdir: Path, server: StandIn) -> None:
    """A 5 MB field went out as one 1.25 M-token request: now its row is bad, named by its line."""
    huge = "Soft cotton. " * 5_000  # 65,000 characters
    rows = [{"id": "small", "name": "Red shoe"}, {"id": "huge", "name": huge}]
    (workdir / "cat.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    refused = tolk("translate", "cat.jsonl", "--to", "es", cwd=workdir, env={"TEST_KEY": "k"})
    assert refused.returncode == 2 and not server.requests
    assert refused.stderr.startswith(
        "error: cat.jsonl:2: name: 65,000 characters, over the engine's limit "
        "of 50,000 (engines.qwen.max_text_chars)"
    )
    result = tolk("translate", "cat.jsonl", "--to", "es", "--skip-bad", cwd=workdir, env={"TEST_KEY": "k"})
    assert result.returncode == 0, result.stderr
    assert all(len(json.dumps(r.body)) < 10_000 for r in server.requests)  # never sent
    exported = [
        json.loads(x)["id"] for x in tolk("export", "--lang", "es", "--all", cwd=workdir).stdout.splitlines()
    ]
    assert exported == ["small"]


def test_a_store_error_is_one_line_without_source_texts(workdir: Path) -> None:
    (workdir / "cat.jsonl").write_text('{"id": "a", "name": "Secret red shoe"}\n')
    assert tolk("translate", "cat.jsonl", "--to", "es", "--engine", "other", cwd=workdir).returncode == 0
    engine = create_engine("sqlite:///" + str(workdir / "tolk.db"))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE translation_history"))  # a store someone broke by hand
    engine.dispose()
    (workdir / "cat.jsonl").write_text('{"id": "a", "name": "Secret blue shoe"}\n')
    result = tolk("translate", "cat.jsonl", "--to", "es", "--engine", "other", cwd=workdir)
    assert result.returncode == 1 and "Traceback" not in result.stderr and "Secret" not in result.stderr
    assert result.stderr.strip() == "error: the store refused: no such table: translation_history", (
        result.stderr
    )


def test_work_the_engine_answered_is_not_paid_again_after_a_crash(tmp_path: Path) -> None:
    """kill -9 while one request still waits: the answers already back are kept for the rerun."""
    import os
    import signal
    import subprocess
    import sys
    import threading
    import time

    from tolk.testing.standin import echo_translator

    release = threading.Event()

    def reply(body: dict[str, Any]) -> Answer:
        if "Slow" in json.dumps(body):
            release.wait(60)
        return echo_translator(body)

    with StandIn(reply) as server:
        (tmp_path / "tolk.toml").write_text(
            'default_engine = "qwen"\n[engines.qwen]\nkind = "qwen-mt"\nmodel = "qwen-mt-turbo"\n'
            f'base_url = "{server.base_url}"\napi_keys = ["k"]\n[quality]\nrounds = 0\n'
        )
        rows = [{"id": f"q{i}", "name": f"Quick hat {i}"} for i in range(5)] + [
            {"id": "s", "name": "Slow boat"}
        ]
        (tmp_path / "cat.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        env = {**os.environ, "TOLK_CONFIG": ""}
        env.pop("TOLK_DB", None)
        command = [sys.executable, "-m", "tolk", "translate", "cat.jsonl", "--to", "es"]
        proc = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while sum(1 for r in server.requests if "Quick" in json.dumps(r.body)) < 5:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.1)
        time.sleep(1.0)  # the five answers are back; the slow one still waits
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        release.set()
        again = tolk("translate", "cat.jsonl", "--to", "es", cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        quick = sum(1 for r in server.requests if "Quick" in json.dumps(r.body))
    assert quick == 5  # not ten: the rerun found them


def test_the_summary_counts_each_segment_once(tmp_path: Path) -> None:
    """unchanged + translated + kept + failed = segments; the gate's decisions add up to translated."""
    from tolk.testing.standin import echo_translator

    def reply(body: dict[str, Any]) -> Answer:
        if "Broken" in json.dumps(body):
            return Answer(status=400, error={"message": "the provider refused this text"})
        return echo_translator(body)

    def catalog(rows: list[tuple[str, str]]) -> None:
        (tmp_path / "cat.jsonl").write_text("".join(json.dumps({"id": i, "name": n}) + "\n" for i, n in rows))

    with StandIn(reply) as server:
        (tmp_path / "tolk.toml").write_text(
            f'default_engine = "qwen"\n[engines.qwen]\nkind = "qwen-mt"\nbase_url = "{server.base_url}"\n'
            'api_keys = ["k"]\n'
            "[quality]\nrounds = 0\n"
        )
        catalog([("a", "Red shoes"), ("b", "Blue hat"), ("c", "Green scarf")])
        assert tolk("translate", "cat.jsonl", "--to", "es", cwd=tmp_path).returncode == 0
        store = Store("sqlite:///" + str(tmp_path / "tolk.db"))
        with store.transaction() as s:
            assert store.write_human(s, "a", "name", "es", "Zapatos rojos (revisado)")
        store.close()
        catalog(
            [
                ("a", "Red shoes, new"),
                ("b", "Blue hat"),
                ("c", "Green scarf"),
                ("d", "Blue hat"),
                ("e", "Broken gear"),
                ("f", "Yellow sock"),
            ]
        )
        result = tolk("translate", "cat.jsonl", "--to", "es", cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # a segment failed
    out = " ".join(result.stdout.split())
    assert "6 items, 6 segments" in out
    assert "unchanged 2 (" in out  # b, c
    assert "translated 2 (1 by the engine, 1 from cache or memory)" in out  # f; d is b's text
    assert "kept 1 (" in out and "failed 1 " in out  # a (a person's text); e (the provider refused)
    decided = re.search(r"approved (\d+).*checked (\d+).*needs review (\d+) awaiting approval (\d+)", out)
    assert decided is not None and sum(map(int, decided.groups())) == 2, out


def test_adversarial_rows_are_named_and_every_good_row_is_written(workdir: Path, db_url: str) -> None:
    """The project's own hostile set, on every store: no crash, each bad row named, each good one written."""
    (workdir / "cat.jsonl").write_bytes(hostile_catalog())
    result = tolk(
        "translate", "cat.jsonl", "--to", "es", "--engine", "other", "--skip-bad", "--db", db_url, cwd=workdir
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = " ".join(result.stdout.split())
    for number, (_, reason) in enumerate(HOSTILE_ROWS, 1):
        if reason is not None:  # printed as "N × reason (line 2, 7)"
            named = re.findall(re.escape(reason) + r".*?\(line ([\d, ]+)\)", out)
            assert str(number) in ",".join(named).replace(" ", "").split(","), (number, reason, out)
    exported = tolk("export", "--lang", "es", "--all", "--db", db_url, cwd=workdir).stdout.splitlines()
    assert sorted({json.loads(x)["id"] for x in exported}) == GOOD_IDS
    refused = tolk("translate", "cat.jsonl", "--to", "es", "--engine", "other", "--db", db_url, cwd=workdir)
    assert refused.returncode == 2 and refused.stderr.startswith("error: cat.jsonl:2: name: a NUL character")
