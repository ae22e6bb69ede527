"""The `tolk` command end to end, as a user runs it: a real process, real files, a real store."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.conftest import need_apertium, run_tolk
from tests.hostile import GOOD_IDS, HOSTILE_ROWS, hostile_catalog
from tolk.store.repo import Store
from tolk.testing.standin import Answer, StandIn

EXAMPLES = Path(__file__).parent.parent / "examples"


tolk = run_tolk


def dump(db_url: str) -> dict[str, list[Any]]:
    """Every row of every table but the logs of runs and activity: to prove a command changed nothing."""
    engine = create_engine(db_url)
    out = {}
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            if table not in {"runs", "activity", "alembic_version"}:
                out[table] = [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))]
    engine.dispose()
    return out


@pytest.fixture
def server() -> Iterator[StandIn]:
    with StandIn() as s:
        yield s


@pytest.fixture
def workdir(tmp_path: Path, server: StandIn) -> Path:
    (tmp_path / "tolk.toml").write_text(
        'default_engine = "qwen"\n'
        "[engines.qwen]\n"
        'kind = "qwen-mt"\nmodel = "qwen-mt-turbo"\n'
        f'base_url = "{server.base_url}"\napi_keys = ["${{TEST_KEY}}"]\n'
        "price_in_per_mtok = 0.16\nprice_out_per_mtok = 0.49\n"
        "[engines.other]\n"
        'kind = "dummy"\nmodel = "other"\n'
        # these tests are about caching and storage; the refine loop has tests of its own
        "[quality]\nrounds = 0\n"
    )
    return tmp_path


def test_translate_rerun_makes_no_engine_calls_and_changes_nothing(workdir: Path, server: StandIn) -> None:
    env = {"TEST_KEY": "sk-super-secret-test-key"}
    args = [
        "translate",
        str(EXAMPLES / "catalog.jsonl"),
        "--to",
        "es,ko",
        "--glossary",
        str(EXAMPLES / "glossary.csv"),
    ]
    first = tolk(*args, cwd=workdir, env=env)
    assert first.returncode == 0, first.stderr
    assert "100" in first.stdout and "sk-super-secret" not in first.stdout + first.stderr
    calls = len(server.requests)
    assert calls > 0
    # identical segments go to the engine once: fewer calls than segments
    assert calls <= 204
    before = dump("sqlite:///" + str(workdir / "tolk.db"))
    assert len(before["translations"]) == 208

    second = tolk(*args, cwd=workdir, env=env)
    assert second.returncode == 0, second.stderr
    assert len(server.requests) == calls  # 0 engine calls
    assert dump("sqlite:///" + str(workdir / "tolk.db")) == before  # no row changed
    [requests_line] = [line for line in second.stdout.splitlines() if "engine requests" in line]
    assert requests_line.split()[-1] == "0"


def test_glossary_is_applied_by_the_engine(workdir: Path, server: StandIn) -> None:
    result = tolk(
        "translate",
        str(EXAMPLES / "catalog.jsonl"),
        "--to",
        "es",
        "--glossary",
        str(EXAMPLES / "glossary.csv"),
        cwd=workdir,
        env={"TEST_KEY": "k"},
    )
    assert result.returncode == 0, result.stderr
    nike = [r for r in server.requests if "Nike Air" in r.body["messages"][0]["content"]]
    assert nike and {"source": "Nike", "target": "Nike"} in nike[0].body["translation_options"]["terms"]


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
        conn.execute(text("DROP TABLE outbox"))  # a store someone broke by hand
    engine.dispose()
    (workdir / "cat.jsonl").write_text('{"id": "a", "name": "Secret blue shoe"}\n')
    result = tolk("translate", "cat.jsonl", "--to", "es", "--engine", "other", cwd=workdir)
    assert result.returncode == 1 and "Traceback" not in result.stderr and "Secret" not in result.stderr
    assert result.stderr.strip() == "error: the store refused: no such table: outbox", result.stderr


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


def test_human_translation_survives_machine_retranslation(workdir: Path) -> None:
    (workdir / "cat.jsonl").write_text('{"id": "a", "name": "Red shoes"}\n{"id": "b", "name": "Blue hat"}\n')
    assert tolk("translate", "cat.jsonl", "--to", "es", cwd=workdir, env={"TEST_KEY": "k"}).returncode == 0
    store = Store("sqlite:///" + str(workdir / "tolk.db"))
    with store.transaction() as s:
        assert store.write_human(s, "a", "name", "es", "Zapatos rojos (revisado)")
    # another engine means a new cache key: every segment is re-translated by machine
    result = tolk("translate", "cat.jsonl", "--to", "es", "--engine", "other", cwd=workdir)
    assert result.returncode == 0, result.stderr
    with store.sessions() as s:
        a = store.translation(s, "a", "name", "es")
        b = store.translation(s, "b", "name", "es")
    store.close()
    assert a is not None and b is not None
    assert (a.text, a.grade, a.suggestion) == (
        "Zapatos rojos (revisado)",
        "HUMAN",
        None,
    )  # same source: skipped
    assert (b.text, b.engine) == ("[es] Blue hat", "other")

    (workdir / "cat.jsonl").write_text('{"id": "a", "name": "Red shoes, new"}\n')
    assert tolk("translate", "cat.jsonl", "--to", "es", "--engine", "other", cwd=workdir).returncode == 0
    store = Store("sqlite:///" + str(workdir / "tolk.db"))
    with store.sessions() as s:
        a = store.translation(s, "a", "name", "es")
    store.close()
    assert a is not None and a.text == "Zapatos rojos (revisado)" and a.suggestion == "[es] Red shoes, new"


def test_export_csv_neutralises_formulas(workdir: Path) -> None:
    (workdir / "cat.csv").write_text('id,name\n=cmd,"=HYPERLINK(""http://x"")"\nok,+1 plain\n')
    assert tolk("translate", "cat.csv", "--to", "es", "--engine", "other", cwd=workdir).returncode == 0
    out = workdir / "out.csv"
    result = tolk("export", "--lang", "es", "--format", "csv", "--out", str(out), cwd=workdir)
    assert result.returncode == 0, result.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == "id,field,lang,source,text,grade,status,score,failed,approved_by,engine,model"
    assert lines[1].startswith("'=cmd,name,es,\"'=HYPERLINK(")
    assert lines[2].startswith("ok,name,es,'+1 plain,[es] +1 plain,")


def test_glossary_commands(workdir: Path) -> None:
    result = tolk("glossary", "import", str(EXAMPLES / "glossary.csv"), cwd=workdir)
    assert result.returncode == 0 and "11 added" in result.stdout
    listing = tolk("glossary", "list", "--lang", "es", cwd=workdir)
    assert "Envío gratis" in listing.stdout and "무료 배송" not in listing.stdout
    (workdir / "bad.csv").write_text("source,target_lang,target\nSale,es,\n")
    bad = tolk("glossary", "import", "bad.csv", cwd=workdir)
    assert bad.returncode == 2 and "bad.csv:2: target is empty" in bad.stderr


def test_engines_lists_without_secrets(workdir: Path) -> None:
    result = tolk("engines", cwd=workdir, env={"TEST_KEY": "sk-super-secret-test-key"})
    assert result.returncode == 0, result.stderr
    assert "qwen" in result.stdout and "other" in result.stdout and "apertium" in result.stdout
    assert "sk-super-secret" not in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "klingon"], "unknown language 'klingon'"),
        (["--to", "ko", "--engine", "nope"], "no engine named 'nope'"),
        (["--to", "es", "--glossary", "missing.csv"], "missing.csv: glossary file not found"),
    ],
)
def test_bad_options_are_one_line_errors(workdir: Path, args: list[str], message: str) -> None:
    (workdir / "cat.jsonl").write_text('{"id": "a", "name": "x"}\n')
    result = tolk("translate", "cat.jsonl", *args, cwd=workdir)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_unsupported_pair_names_engine_and_pair(workdir: Path, apertium: None) -> None:
    (workdir / "cat.jsonl").write_text('{"id": "a", "name": "x"}\n')
    result = tolk("translate", "cat.jsonl", "--to", "ko", "--engine", "apertium", cwd=workdir)
    assert result.returncode == 1
    assert "engine 'apertium' cannot translate en -> ko" in result.stderr
    assert not (workdir / "tolk.db").exists() or dump("sqlite:///" + str(workdir / "tolk.db"))["items"] == []


def test_demo_path_apertium_spanish(tmp_path: Path) -> None:
    need_apertium()
    args = ["--config", str(EXAMPLES / "tolk.toml"), "--glossary", str(EXAMPLES / "glossary.csv")]
    result = tolk(
        "translate", str(EXAMPLES / "catalog.jsonl"), "--to", "es", *args, "--out", "es.jsonl", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    rows = {
        (r["id"], r["field"]): r for r in map(json.loads, (tmp_path / "es.jsonl").read_text().splitlines())
    }
    # only what may be published: every record says its status, none waits for review
    assert len(rows) == 98 and {r["status"] for r in rows.values()} == {"CHECKED"}
    assert all(isinstance(r["score"], float) and isinstance(r["failed"], list) for r in rows.values())
    assert rows[("sku-1003", "name")]["text"] == "Pava de acero inoxidable 1.7 L"
    assert rows[("sku-1001", "name")]["text"].startswith("Nike")  # brand kept
    assert "Envío gratis" in rows[("sku-1033", "description")]["text"]  # forced term
    assert "{days}" in rows[("sku-1014", "description")]["text"]  # placeholder kept
    assert "<b>" in rows[("sku-1002", "description")]["text"]
    assert all(r["engine"] == "apertium" for r in rows.values())
    assert {r["grade"] for r in rows.values()} == {"MACHINE"}  # rule checks alone never approve
    every = tolk("export", "--all", "--db", f"sqlite:///{tmp_path / 'tolk.db'}", cwd=tmp_path)
    held = [json.loads(x) for x in every.stdout.splitlines() if '"NEEDS_REVIEW"' in x]
    assert len(every.stdout.splitlines()) == 104 and len(held) == 6 and all(r["failed"] for r in held)
    # `tolk check` reads what `tolk export` wrote, as it is, and agrees with the gate that held those
    (tmp_path / "all.jsonl").write_text(every.stdout)
    checked = tolk(
        "check", "all.jsonl", "--format", "jsonl", "--glossary", str(EXAMPLES / "glossary.csv"), cwd=tmp_path
    )
    verdicts = {v["id"]: v for v in map(json.loads, checked.stdout.splitlines())}
    assert checked.returncode == 1 and len(verdicts) == 104
    assert all(verdicts[f"{r['id']}:{r['field']}:es"]["decision"] != "pass" for r in held)


def test_rows_in_a_language_the_engine_cannot_take_fail_alone(workdir: Path, apertium: None) -> None:
    (workdir / "cat.jsonl").write_text(
        '{"id": "a", "name": "Red shoes"}\n{"id": "b", "lang": "ko", "name": "빨간 신발"}\n'
    )
    result = tolk("translate", "cat.jsonl", "--to", "es", "--engine", "apertium", cwd=workdir)
    assert result.returncode == 1
    assert "failed 1 × the engine cannot translate this language pair (e.g. ko -> es)" in result.stderr
    rows = [json.loads(x) for x in tolk("export", cwd=workdir).stdout.splitlines()]
    assert [(r["id"], r["text"]) for r in rows] == [("a", "Zapatos rojos")]


def test_auto_source_with_an_engine_that_cannot_detect(workdir: Path, apertium: None) -> None:
    (workdir / "cat.jsonl").write_text('{"id": "a", "name": "Red shoes"}\n')
    result = tolk(
        "translate", "cat.jsonl", "--to", "es", "--from", "auto", "--engine", "apertium", cwd=workdir
    )
    assert result.returncode == 1 and "cannot translate auto -> es" in result.stderr
    assert not (workdir / "tolk.db").exists() or dump("sqlite:///" + str(workdir / "tolk.db"))["items"] == []


def test_translate_on_every_store(tmp_path: Path, db_url: str) -> None:
    """The same CLI run against SQLite, PostgreSQL and MariaDB: translate, re-run, nothing changes."""
    (tmp_path / "tolk.toml").write_text('[engines.d]\nkind = "dummy"\n')
    args = ["translate", str(EXAMPLES / "catalog.jsonl"), "--to", "es", "--engine", "d", "--db", db_url]
    first = tolk(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = dump(Store(db_url).url)
    assert len(before["translations"]) == 104
    second = tolk(*args, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert dump(Store(db_url).url) == before
    exported = tolk("export", "--lang", "es", "--all", "--db", db_url, cwd=tmp_path)
    assert len(exported.stdout.splitlines()) == 104


def test_shared_redis_cache_serves_a_second_store(workdir: Path, server: StandIn, redis_url: str) -> None:
    """Two workers with their own stores and one Redis cache: the second pays for nothing."""
    env = {"TEST_KEY": "k", "TOLK_CACHE": redis_url}
    args = ["translate", str(EXAMPLES / "catalog.jsonl"), "--to", "es"]
    assert tolk(*args, "--db", f"sqlite:///{workdir}/one.db", cwd=workdir, env=env).returncode == 0
    calls = len(server.requests)
    result = tolk(*args, "--db", f"sqlite:///{workdir}/two.db", cwd=workdir, env=env)
    assert result.returncode == 0, result.stderr
    assert len(server.requests) == calls
    rows = tolk("export", "--all", "--db", f"sqlite:///{workdir}/two.db", cwd=workdir).stdout.splitlines()
    assert len(rows) == 104


def test_review_list_shows_what_waits_and_why(workdir: Path) -> None:
    (workdir / "cat.jsonl").write_text(
        '{"id": "a", "name": "Soft cotton pillow for the bedroom."}\n{"id": "b", "name": "Blue hat"}\n'
    )
    # the stand-in's "<Spanish>…" keeps the English words: the gate sends it to review
    assert tolk("translate", "cat.jsonl", "--to", "es", cwd=workdir, env={"TEST_KEY": "k"}).returncode == 0
    result = tolk("review", "list", "--lang", "es", cwd=workdir)
    assert result.returncode == 0, result.stderr
    [line_a] = [line for line in result.stdout.splitlines() if "│ a " in line]
    assert "copy of the source" in line_a or "looks like en" in line_a
    store = Store("sqlite:///" + str(workdir / "tolk.db"))
    with store.transaction() as s:  # a person fixes b: it leaves the queue
        store.write_human(s, "b", "name", "es", "Sombrero azul")
    store.close()
    assert "│ b " not in tolk("review", "list", cwd=workdir).stdout


def test_help_texts_keep_their_brackets() -> None:
    """Rich reads `[lang]` as markup and drops it from --help; every help text must escape it."""
    import re

    import typer.main

    from tolk.cli.main import app

    def helps(command: Any) -> Iterator[str]:
        yield command.help or ""
        for param in command.params:
            yield getattr(param, "help", None) or ""
        for sub in getattr(command, "commands", {}).values():
            yield from helps(sub)

    unescaped = [h for h in helps(typer.main.get_command(app)) if re.search(r"(?<!\\)\[[a-z][\w.]*\]", h)]
    assert unescaped == []


@pytest.mark.parametrize(
    "command",
    [
        ["report"],
        ["export"],
        ["review", "list"],
        ["tm", "export"],
        ["audit", "export"],
        ["agent", "status"],
        ["token", "list"],
        ["glossary", "list"],
    ],
)
def test_read_only_commands_outside_a_project_name_the_missing_store(
    tmp_path: Path, command: list[str]
) -> None:
    result = tolk(*command, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: tolk.db: no tolk store here (run tolk translate first, or pass --db / set store in tolk.toml)"
    )
    assert list(tmp_path.iterdir()) == []  # no empty tolk.db left behind


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    """`tolk --version` and `--help` took 2.5 s of CPU importing engines, the API and the store's ORM:
    commands import those when they run (bench/startup measures the time)."""
    import subprocess
    import sys

    heavy = [
        "openai",
        "fastapi",
        "sqlalchemy",
        "pydantic",
        "httpx",
        "lingua",
        "cryptography",
        "redis",
        "aio_pika",
        "prometheus_client",
        "lxml",
        "translate",
        "yaml",
        "alembic",
        "uvicorn",
    ]
    probe = f"import sys, tolk.cli.main; print([m for m in {heavy!r} if m in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
    help_text = tolk("--help", cwd=Path.cwd())
    assert help_text.returncode == 0 and "translate" in help_text.stdout and "agent" in help_text.stdout
