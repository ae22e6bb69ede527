"""The `tolk` command end to end, as a user runs it: a real process, real files, a real store."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import dump, need_apertium, run_tolk
from tolk.store.repo import Store
from tolk.testing.standin import StandIn

EXAMPLES = Path(__file__).parent.parent / "examples"


tolk = run_tolk


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
    """tolk finds each item's language; an item too short to tell fails alone (Apertium needs one)."""
    (workdir / "cat.jsonl").write_text('{"id": "a", "name": "Red shoes"}\n{"id": "b", "name": "X2"}\n')
    result = tolk(
        "translate", "cat.jsonl", "--to", "es", "--from", "auto", "--engine", "apertium", cwd=workdir
    )
    assert result.returncode == 1
    assert "the engine cannot translate this language pair (e.g. auto -> es)" in result.stderr
    rows = [json.loads(x) for x in tolk("export", cwd=workdir).stdout.splitlines()]
    assert [(r["id"], r["text"]) for r in rows] == [("a", "Zapatos rojos")]


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
