"""An engine from another package: found through its entry point, held to the same contract as tolk's
own, usable by name in the configuration. tests/data/plugin is laid out as pip installs a wheel (the
module beside its .dist-info with entry_points.txt), so putting it on the path installs it."""

from __future__ import annotations

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


def test_a_plugin_engine_passes_the_engine_contract() -> None:
    """The contract suite is generated from the registry: an installed engine is in it at once."""
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/contract/test_engines.py",
         "-k", "shout"],
        cwd=ROOT, env={**os.environ, **WITH_PLUGIN}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert suite.returncode == 0, suite.stdout + suite.stderr
    passed = re.search(r"(\d+) passed", suite.stdout)
    contract = len(re.findall(r"^def test_", (ROOT / "tests/contract/test_engines.py").read_text(), re.M))
    assert passed is not None and int(passed.group(1)) == contract, suite.stdout


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
        "engines.loud.kind: unknown engine kind 'shout' (known: apertium, openai, qwen-mt, dummy"
        in listed.stderr
    )
