"""The container image definition and the compose file: they cannot run here (no Docker), so they are
checked with the field's linters (hadolint; the compose spec's JSON schema) and against tolk itself
(the settings they pass exist, the commands they run parse)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tolk.config import Settings, load

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent


def test_the_dockerfile_passes_hadolint() -> None:
    done = subprocess.run([BIN / "hadolint", ROOT / "Dockerfile"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_compose_file_follows_the_compose_spec() -> None:
    done = subprocess.run(
        [
            BIN / "check-jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            ROOT / "deploy" / "compose.yaml",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_compose_file_runs_what_tolk_has(monkeypatch: pytest.MonkeyPatch) -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "rabbitmq", "redis", "api", "worker"} <= set(services)
    env = compose["x-tolk"]["environment"]
    for name, value in env.items():
        if name.startswith("TOLK_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("TOLK_CONFIG", str(ROOT / "deploy" / "tolk.toml"))
    s = load()
    assert s.store.startswith("postgresql://") and s.cache == env["TOLK_CACHE"]
    assert s.agent.bus == env["TOLK_AGENT__BUS"] and isinstance(s, Settings)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TOLK_")} | {"TOLK_CONFIG": ""}
    for service in ("api", "worker"):  # each command is one tolk knows, with options it has
        command = services[service]["command"]
        words = list(itertools.takewhile(lambda c: not c.startswith("-"), command))
        done = subprocess.run(
            [sys.executable, "-m", "tolk", *words, "--help"],
            capture_output=True,
            text=True,
            env=clean,
            timeout=60,
        )
        assert done.returncode == 0, (service, done.stderr)
        options = [c for c in command if c.startswith("--")]
        assert all(o in done.stdout for o in options), (service, options)
