"""An engine, a check and a notify channel from another package: found through their entry points, held
to the same contracts as tolk's own, usable without editing tolk. tests/data/plugin is laid out as pip
installs a wheel (the module beside its .dist-info with entry_points.txt), so putting it on the path
installs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_tolk

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ROOT / "tests" / "data" / "plugin"
WITH_PLUGIN = {"PYTHONPATH": os.pathsep.join([str(PLUGIN), *filter(None, [os.environ.get("PYTHONPATH")])])}
CONFIG = '[engines.loud]\nkind = "shout"\n'


def _contract(name: str) -> tuple[int, str]:
    """How many tests of a contract suite ran for the plugin's kinds, and what pytest said."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"tests/contract/{name}"]
    suite = subprocess.run(
        [*command, "-k", "shout"],
        cwd=ROOT,
        env={**os.environ, **WITH_PLUGIN},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert suite.returncode == 0, suite.stdout + suite.stderr
    passed = re.search(r"(\d+) passed", suite.stdout)
    return (int(passed.group(1)) if passed else 0), suite.stdout


def test_a_plugin_engine_passes_the_engine_contract() -> None:
    """The contract suite is generated from the registry: an installed engine is in it at once."""
    passed, said = _contract("test_engines.py")
    contract = len(re.findall(r"^def test_", (ROOT / "tests/contract/test_engines.py").read_text(), re.M))
    assert passed == contract, said


def test_a_plugin_check_and_channel_pass_their_contracts() -> None:
    checks, said = _contract("test_checks.py")
    assert checks == 1 + 2 + 1, said  # described, its two good examples pass, its bad one is caught
    channels, said = _contract("test_notifiers.py")
    parametrized = (ROOT / "tests/contract/test_notifiers.py").read_text().count("@pytest.mark.parametrize")
    assert channels == parametrized, said


def test_a_plugin_check_joins_the_gate(tmp_path: Path) -> None:
    row = {"id": "1", "source": "Red shoe", "translation": "ZAPATO ROJO", "src_lang": "en", "tgt_lang": "es"}
    (tmp_path / "rows.jsonl").write_text(json.dumps(row) + "\n")
    done = run_tolk("check", "rows.jsonl", "--format", "jsonl", cwd=tmp_path, env=WITH_PLUGIN)
    assert "shouting" in json.loads(done.stdout)["failed"], done.stdout + done.stderr
    plain = run_tolk("check", "rows.jsonl", "--format", "jsonl", cwd=tmp_path)
    assert "shouting" not in json.loads(plain.stdout)["failed"]


def test_a_channel_no_package_provides_is_named(tmp_path: Path) -> None:
    (tmp_path / "tolk.toml").write_text('[notify.channels.shout]\nurl = "http://127.0.0.1:9/"\n')
    done = run_tolk("report", "--send", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert (
        "notify.channels: 'shout' is not an installed channel (known: telegram, slack, webhook)"
        in done.stderr
    )


def test_a_plugin_engine_is_listed_and_translates(tmp_path: Path) -> None:
    (tmp_path / "tolk.toml").write_text(CONFIG)
    listed = run_tolk("engines", cwd=tmp_path, env=WITH_PLUGIN)
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if "loud" in line)
    assert "shout" in row and "yes" in row
    (tmp_path / "cat.jsonl").write_text('{"id": "a", "name": "Red shoe"}\n')
    done = run_tolk("translate", "cat.jsonl", "--to", "es", "--engine", "loud", cwd=tmp_path, env=WITH_PLUGIN)
    assert done.returncode == 0, done.stderr
    exported = run_tolk("export", "--lang", "es", "--all", cwd=tmp_path, env=WITH_PLUGIN)
    assert '"text": "Red shoe!"' in exported.stdout and '"engine": "loud"' in exported.stdout


def test_without_the_plugin_the_kind_is_unknown_naming_the_field(tmp_path: Path) -> None:
    (tmp_path / "tolk.toml").write_text(CONFIG)
    listed = run_tolk("engines", cwd=tmp_path)
    assert listed.returncode == 2
    assert (
        "engines.loud.kind: unknown engine kind 'shout' "
        "(known: apertium, openai, qwen-mt, deepl, libretranslate, dummy" in listed.stderr
    )


def test_a_plugin_channel_is_configured_by_its_own_table(tmp_path: Path) -> None:
    (tmp_path / "tolk.toml").write_text('[notify.channels.shout]\nurl = "http://127.0.0.1:9/"\n')
    done = run_tolk("report", "--send", cwd=tmp_path, env=WITH_PLUGIN)  # no store: the config passed
    assert "no tolk store here" in done.stderr, done.stderr
