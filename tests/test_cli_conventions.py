"""Conventions people expect of a command line: `--json` on listings, a config in the user's folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_tolk


def test_listings_print_json_lines(tmp_path: Path) -> None:
    (tmp_path / "terms.csv").write_text("source,target_lang,target,do_not_translate\nNike,es,Nike,true\n")
    added = run_tolk("glossary", "import", "terms.csv", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert run_tolk("token", "create", "--name", "kim", "--role", "viewer", cwd=tmp_path).returncode == 0
    terms = run_tolk("glossary", "list", "--json", cwd=tmp_path)
    assert terms.returncode == 0, terms.stderr
    [term] = [json.loads(line) for line in terms.stdout.splitlines()]
    assert term["source"] == "Nike" and term["lang"] == "es" and term["do_not_translate"] is True
    tokens = [
        json.loads(line) for line in run_tolk("token", "list", "--json", cwd=tmp_path).stdout.splitlines()
    ]
    assert [(t["name"], t["role"], t["revoked"]) for t in tokens] == [("kim", "viewer", None)]
    queue = run_tolk("review", "list", "--json", cwd=tmp_path)
    assert queue.returncode == 0 and queue.stdout == ""
    engines = [json.loads(line) for line in run_tolk("engines", "--json", cwd=tmp_path).stdout.splitlines()]
    assert [e["name"] for e in engines] == ["apertium"] and isinstance(engines[0]["usable"], bool)


def test_the_users_own_config_is_found(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "tolk").mkdir(parents=True)
    (home / "tolk" / "tolk.toml").write_text('[engines.mine]\nkind = "dummy"\nexternal = false\n')
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("TOLK_CONFIG", "TOLK_DB")}
    env |= {"XDG_CONFIG_HOME": str(home)}
    listed = subprocess.run(
        [sys.executable, "-m", "tolk", "engines", "--json"], cwd=work, env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    assert "mine" in [json.loads(line)["name"] for line in listed.stdout.splitlines()]
    # a local tolk.toml wins; TOLK_CONFIG set (even empty) keeps personal settings out
    alone = subprocess.run(
        [sys.executable, "-m", "tolk", "engines", "--json"],
        cwd=work, env={**env, "TOLK_CONFIG": ""}, capture_output=True, text=True,
    )  # fmt: skip
    assert "mine" not in [json.loads(line)["name"] for line in alone.stdout.splitlines()]


def test_a_catalog_from_stdin_and_its_export_to_stdout(apertium: None, tmp_path: Path) -> None:
    rows = "".join(
        json.dumps({"id": f"p{i}", "name": t}) + "\n" for i, t in enumerate(["The dog.", "The cat."])
    )
    done = run_tolk(
        "translate", "-", "--to", "es", "--engine", "apertium", "--out", "-", cwd=tmp_path, input=rows
    )
    assert done.returncode == 0, done.stderr
    exported = [
        json.loads(line) for line in done.stdout.splitlines()
    ]  # only the export: the summary is on stderr
    assert [(r["id"], r["text"]) for r in exported] == [("p0", "El perro."), ("p1", "El gato.")]
    assert "exported 2 records to stdout" in done.stderr


def test_a_bad_row_on_stdin_is_named_by_its_line(tmp_path: Path) -> None:
    rows = '{"id": "p1", "name": "The dog."}\n{"id": "p2", "name": \n'
    done = run_tolk("translate", "-", "--to", "es", cwd=tmp_path, input=rows)
    assert done.returncode != 0
    assert "<stdin>:2: bad JSON" in done.stderr and "tolk-stdin" not in done.stderr


def test_shell_completion_is_offered(tmp_path: Path) -> None:
    """`tolk --show-completion bash` prints the script `--install-completion` installs; the shell's
    completion asks tolk itself (_TOLK_COMPLETE), so commands and options stay in step."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOLK_")} | {"TOLK_CONFIG": ""}
    tolk_bin = Path(sys.executable).parent / "tolk"
    script = subprocess.run(
        [tolk_bin, "--show-completion", "bash"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert script.returncode == 0, script.stderr
    assert (
        "_TOLK_COMPLETE" in script.stdout and "complete -o default -F _tolk_completion tolk" in script.stdout
    )
    asked = subprocess.run(
        [tolk_bin], cwd=tmp_path, capture_output=True, text=True,
        env=env | {"_TOLK_COMPLETE": "complete_bash", "COMP_WORDS": "tolk tra", "COMP_CWORD": "1"},
    )  # fmt: skip
    assert "translate" in asked.stdout


def test_export_piped_into_check(apertium: None, tmp_path: Path) -> None:
    """`tolk export | tolk check -`: the gate's verdicts on what a run exported, without a file between."""
    (tmp_path / "catalog.jsonl").write_text(
        json.dumps({"id": "p1", "name": "The red shoes are cheap."}) + "\n"
    )
    assert (
        run_tolk("translate", "catalog.jsonl", "--to", "es", "--engine", "apertium", cwd=tmp_path).returncode
        == 0
    )
    exported = run_tolk("export", cwd=tmp_path).stdout
    checked = run_tolk("check", "-", "--format", "jsonl", cwd=tmp_path, input=exported)
    assert checked.returncode == 0, checked.stderr
    [verdict] = [json.loads(line) for line in checked.stdout.splitlines()]
    assert verdict["id"] == "p1:name:es" and verdict["decision"] == "pass"


def test_glossary_and_memory_imports_read_stdin(tmp_path: Path) -> None:

    def tolk_in(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
        return run_tolk(*args, cwd=tmp_path, input=stdin)

    terms = tolk_in("source,target_lang,target\nsocks,es,calcetines\n", "glossary", "import", "-")
    assert terms.returncode == 0 and "1 added, 0 updated from <stdin>" in terms.stdout, terms.stderr
    tmx = (
        '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header srclang="en" segtype="sentence" '
        'o-tmf="x" adminlang="en" datatype="plaintext" creationtool="t" creationtoolversion="1"/><body>'
        '<tu><tuv xml:lang="en"><seg>Red socks.</seg></tuv>'
        '<tuv xml:lang="es"><seg>Calcetines rojos.</seg></tuv></tu>'
        "</body></tmx>"
    )
    memory = tolk_in(tmx, "tm", "import", "-")
    assert memory.returncode == 0 and "1 pairs imported from <stdin>" in memory.stdout, memory.stderr
    broken = tolk_in("<tmx><body>", "tm", "import", "-")
    assert broken.returncode != 0 and "<stdin>" in broken.stderr and "tolk-stdin" not in broken.stderr


def test_dash_as_an_output_is_stdout(tmp_path: Path) -> None:
    """`--out -` writes to stdout (a file named "-" would surprise everyone)."""
    (tmp_path / "terms.csv").write_text("source,target_lang,target\nsocks,es,calcetines\n")
    assert run_tolk("glossary", "import", "terms.csv", cwd=tmp_path).returncode == 0  # a store to read
    for args in (("export", "--out", "-"), ("tm", "export", "--out", "-")):
        done = run_tolk(*args, cwd=tmp_path)
        assert done.returncode == 0 and not (tmp_path / "-").exists(), (args, done.stderr)
    assert run_tolk("tm", "export", "--out", "-", cwd=tmp_path).stdout.startswith("<?xml")


def test_a_document_from_stdin_to_stdout(apertium: None, tmp_path: Path) -> None:
    page = "# Title\n\nThe red shoes are cheap.\n\n```sh\nls -l\n```\n"
    done = run_tolk(
        "docs", "translate", "-", "--format", "markdown", "--to", "es", "--out", "-", cwd=tmp_path, input=page
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "# Título\n\nLos zapatos rojos son baratos.\n\n```sh\nls -l\n```\n"
    assert "<stdin>" in done.stderr and "<stdout>" in done.stderr  # the table, out of the document's way
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tolk.db"]  # nothing left behind
    unnamed = run_tolk("docs", "translate", "-", "--to", "es", cwd=tmp_path, input=page)
    assert unnamed.returncode == 2 and "--format markdown" in unnamed.stderr
    two = run_tolk(
        "docs",
        "translate",
        "-",
        "--format",
        "markdown",
        "--to",
        "es,ko",
        "--out",
        "-",
        cwd=tmp_path,
        input=page,
    )
    assert two.returncode == 2 and "give one language" in two.stderr
    (tmp_path / "docs").mkdir()
    tree = run_tolk("docs", "translate", "docs", "--to", "es", "--out", "-", cwd=tmp_path)
    assert tree.returncode == 2 and "not a folder" in tree.stderr


def test_estimate_reads_stdin_and_the_audit_goes_to_stdout(tmp_path: Path) -> None:
    rows = '{"id": "a", "name": "Red shoes"}\n{"id": "b", "name": "Red shoes"}\n'
    estimate = run_tolk("cost", "estimate", "-", "--to", "es", "--format", "json", cwd=tmp_path, input=rows)
    assert estimate.returncode == 0, estimate.stderr
    [spanish] = json.loads(estimate.stdout)["languages"]
    assert spanish["lang"] == "es" and spanish["segments"] == 2
    assert run_tolk("token", "create", "--role", "viewer", cwd=tmp_path).returncode == 0  # makes the store
    audit = run_tolk("audit", "export", "--out", "-", cwd=tmp_path)
    assert audit.returncode == 0 and audit.stderr == "audit: 0 entries\n"  # to stdout, not to a file "-"
    assert not (tmp_path / "-").exists()
