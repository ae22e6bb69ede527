"""`import tolk` as a library: docs/python.md runs as written, and the calls keep the core's rules."""

from __future__ import annotations

import asyncio
import doctest
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

import tolk
from tests.conftest import one_engine
from tolk.client import Client
from tolk.store import activity, audit

DOC = Path(__file__).parent.parent / "docs" / "python.md"


def dummy(folder: Path) -> Client:
    """A client with the dummy engine (it echoes the source: `[es] Red socks.`) on its own store."""
    return Client(one_engine(folder))


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder as the current one, with no configuration from the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOLK_CONFIG", "")
    monkeypatch.delenv("TOLK_DB", raising=False)
    return tmp_path


def test_the_python_docs_run_as_written(apertium: None, here: Path) -> None:
    failed, tried = doctest.testfile(str(DOC), module_relative=False, optionflags=doctest.ELLIPSIS)
    tolk.client._close_all()
    assert tried > 10 and failed == 0


def test_the_one_liner_of_the_readme(apertium: None, here: Path) -> None:
    code = "import tolk; print(tolk.translate(['Hello world'], to='es', engine='apertium')[0].text)"
    env = {**os.environ, "TOLK_CONFIG": ""}
    done = subprocess.run([sys.executable, "-c", code], cwd=here, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("Hola")


def test_a_failing_translation_is_not_publishable(here: Path) -> None:
    """The dummy engine echoes the English: the gate holds it, and the library says so."""
    with dummy(here) as client:
        [t] = client.translate(["Soft cotton pillow for the bedroom."], to="es", source="en", engine="dummy")
    assert t.status == "NEEDS_REVIEW" and not t.publishable and "language" in t.failed


def test_calls_are_metered_and_audited(here: Path) -> None:
    with dummy(here) as client:
        client.translate("Red socks.", to="es", source="en", engine="dummy")
        calls = activity.calls_since(client.store, datetime(2000, 1, 1))
        requests = [e for e in audit.entries(client.store) if e["action"] == "translate_request"]
    assert [c[1] for c in calls] == ["dummy"]
    assert [e["actor"] for e in requests] == ["python"]


def test_async_callers_share_one_client_from_their_own_loops(here: Path) -> None:
    with dummy(here) as client:

        async def twice() -> list[str]:
            a, b = await asyncio.gather(
                client.atranslate("Red socks.", to="es", source="en", engine="dummy"),
                client.atranslate("Blue socks.", to="es", source="en", engine="dummy"),
            )
            return [a.text, b.text]

        assert asyncio.run(twice()) == ["[es] Red socks.", "[es] Blue socks."]
        assert asyncio.run(twice()) == ["[es] Red socks.", "[es] Blue socks."]  # a second loop, same engines


def test_bad_arguments_are_named(here: Path) -> None:
    with dummy(here) as client, pytest.raises(tolk.core.InputError, match="unknown language 'xx-nope'"):
        client.translate("Red socks.", to="xx-nope", engine="dummy")
