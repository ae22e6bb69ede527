"""Every command in the README, run as written, in order, in a folder set up like a user's.

The commands are read from the README's `sh` and `console` blocks, so a command added there is run
here too. The folder holds examples/tolk.toml as `tolk.toml` (its `qwen` and `deepseek` engines
pointed at local servers that speak their APIs, keys from the environment), a few products of the
example catalog and the files the commands name. What differs from a user's shell, and why:
- `make demo` / `make test` are not run: CI runs them on a fresh clone (`.ci/run`, `make demo`);
- `. .venv/bin/activate` is not run: the test's own environment's `bin/` is first on PATH;
- port 8080 becomes a free port (a test must not take a fixed one);
- the example's pace for Qwen (60 requests a minute) is raised and `cache.invalidate` waits 1 s instead
  of 30 (`tolk agent run --drain` sends it before it stops): the stand-ins have no limit, and the
  test would only wait;
- commands that run until stopped (`tolk serve`, `tolk agent run` without `--drain`, `tolk events tail`,
  `tolk bot run`) start in the background, as in another terminal, and keep running while the next
  commands run (`curl` needs the server, `tolk agent restart` a live worker); each must still be
  running at the end, and must exit cleanly on Ctrl-C (SIGINT).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.chat_standins import TelegramStandIn
from tests.conftest import free_port
from tolk.testing.standin import StandIn

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {
    "make demo": "CI runs it on a fresh clone",
    "make test": "CI runs it (.ci/run)",
    ". .venv/bin/activate": "the test's environment is first on PATH",
}
RUN_UNTIL_STOPPED = ("tolk serve", "tolk events tail", "tolk bot run")
_COMMENT = re.compile(r"\s{2,}#.*$")


def readme_commands() -> list[str]:
    """The README's command lines (sh blocks; `$ ` lines of console blocks), comments dropped and
    continued lines joined."""
    found: list[str] = []
    block: str | None = None
    pending = ""
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            block = line[3:].strip() if block is None else None
            continue
        if block == "console":
            if not line.startswith("$ "):
                continue
            line = line[2:]
        elif block != "sh":
            continue
        line = pending + _COMMENT.sub("", line).strip()
        if line.endswith("\\"):
            pending = line[:-1].rstrip() + " "
            continue
        pending = ""
        if line:
            found.append(line)
    return found


def test_the_readme_is_read_whole() -> None:
    commands = readme_commands()
    assert "make demo" in commands and any(
        c.startswith("curl -s localhost:8080/v1/translate") for c in commands
    )
    assert all("\\" not in c and "  #" not in c for c in commands)


def _folder(tmp: Path, qwen: str, deepseek: str, telegram: str) -> None:
    config = (ROOT / "examples/tolk.toml").read_text(encoding="utf-8")
    config = config.replace("https://dashscope-intl.aliyuncs.com/compatible-mode/v1", qwen)
    config = config.replace("https://api.deepseek.com/v1", deepseek)
    config = "invalidate_after_s = 1\n" + config.replace("rpm = 60\n", "rpm = 6000\n")
    config += f'\n[notify.telegram]\ntoken = "123:abc"\nchat_ids = [1]\nbase_url = "{telegram}"\n'
    (tmp / "tolk.toml").write_text(config, encoding="utf-8")
    products = [json.loads(line) for line in (ROOT / "examples/catalog.jsonl").read_text().splitlines()[:4]]
    (tmp / "catalog.jsonl").write_text("".join(json.dumps(p) + "\n" for p in products), encoding="utf-8")
    csv = ["id,name,description,bullets"] + [
        f'{p["id"]},"{p["name"]}","Made to last.","Light; strong"' for p in products
    ]
    (tmp / "catalog.csv").write_text("\n".join(csv) + "\n", encoding="utf-8")
    shutil.copy(ROOT / "examples/glossary.csv", tmp / "glossary.csv")
    pair = {"id": "1", "src_lang": "en", "tgt_lang": "es", "source": "The red shoes are cheap."}
    (tmp / "translations.jsonl").write_text(
        json.dumps({**pair, "translation": "Los zapatos rojos son baratos."}) + "\n"
    )
    unit = '<tu><tuv xml:lang="en"><seg>Free shipping</seg></tuv><tuv xml:lang="es"><seg>Envío gratis</seg>'
    (tmp / "memory.tmx").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="en" adminlang="en" '
        'datatype="plaintext" segtype="sentence" o-tmf="x" creationtool="x" creationtoolversion="1"/>'
        f"<body>{unit}</tuv></tu></body></tmx>\n",
        encoding="utf-8",
    )
    event = {
        "id": "7d0c5a9e-3f7b-4c1e-9a55-2b8f6f1f0c11",
        "type": "product.created",
        "version": 1,
        "occurred_at": "2026-11-21T03:40:00Z",
        "source": "crawler",
        "payload": {"id": "sku-9", "lang": "en", "fields": {"name": "Red cotton socks"}},
    }
    (tmp / "events.jsonl").write_text(json.dumps(event) + "\n", encoding="utf-8")
    (tmp / "docs").mkdir()
    (tmp / "docs/guide.md").write_text("# Guide\n\nThe red shoes are cheap.\n", encoding="utf-8")
    (tmp / "README.md").write_text("# Shop\n\nFree shipping on every order.\n", encoding="utf-8")


@pytest.fixture
def user_folder(apertium: None, tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    with StandIn() as qwen, StandIn() as deepseek, TelegramStandIn("123:abc") as telegram:
        _folder(tmp_path, qwen.base_url, deepseek.base_url, telegram.url)
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "DASHSCOPE_API_KEY": "k",
            "DEEPSEEK_API_KEY": "k",
            "COLUMNS": "200",
        }
        for key in ("TOLK_CONFIG", "TOLK_DB"):
            env.pop(key, None)
        yield tmp_path, env


def _ctrl_c_works() -> None:
    """As in a terminal: a test run started in the background (`cmd &` in a script) ignores SIGINT, and
    its children would inherit that — Ctrl-C would then do nothing to them."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _stop(proc: subprocess.Popen[str], command: str) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        err = proc.communicate(timeout=30)[1]
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"{command!r} did not stop on SIGINT") from None
    assert proc.returncode in (0, 130, -signal.SIGINT), f"{command!r} exited {proc.returncode}: {err[-2000:]}"


def test_every_readme_command_works_as_written(user_folder: tuple[Path, dict[str, str]]) -> None:
    folder, env = user_folder
    port = str(free_port())
    running: list[tuple[subprocess.Popen[str], str]] = []
    ran = skipped = 0
    try:
        for command in readme_commands():
            if command in SKIPPED:
                skipped += 1
                continue
            command = command.replace("8080", port)
            if command.startswith(RUN_UNTIL_STOPPED) or (
                command.startswith("tolk agent run") and "--drain" not in command
            ):
                proc = subprocess.Popen(
                    ["bash", "-c", f"exec {command}"], cwd=folder, env=env, text=True,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_ctrl_c_works,
                )  # fmt: skip
                running.append((proc, command))
                if command.startswith("tolk serve"):
                    _wait_for(f"http://127.0.0.1:{port}/healthz", proc, command)
                else:
                    time.sleep(3)  # a worker registers, a bot polls: as a user starts them and goes on
                ran += 1
                continue
            done = subprocess.run(
                ["bash", "-c", command], cwd=folder, env=env, text=True, capture_output=True, timeout=300
            )
            assert done.returncode == 0, (
                f"{command!r} exited {done.returncode}:\n{done.stdout[-1500:]}\n{done.stderr[-2000:]}"
            )
            if command.startswith("curl"):  # curl exits 0 on a 4xx: the answer must be what was asked
                answer = json.loads(done.stdout)
                assert "translations" in answer or answer.get("state") == "queued", f"{command!r}: {answer}"
            if command.startswith("tolk token create"):
                env["TOKEN"] = done.stdout.strip().split()[-1]
            ran += 1
        for proc, command in running:
            assert proc.poll() is None, f"{command!r} stopped: {proc.communicate()[1][-2000:]}"
    finally:
        for proc, command in reversed(running):
            _stop(proc, command)
    assert ran + skipped == len(readme_commands()) and ran >= 25


def _wait_for(url: str, proc: subprocess.Popen[str], command: str) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            raise AssertionError(f"{command!r} stopped: {proc.communicate()[1][-2000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{command!r} did not answer {url}")
