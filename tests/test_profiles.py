"""Domain profiles through the CLI, with a stand-in engine to see the domain hint on the wire."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_tolk
from tolk.store.repo import Store
from tolk.testing.standin import Answer, StandIn

tolk = run_tolk


def translation(cwd: Path, item: str) -> tuple[str, str | None, list[str]]:
    store = Store(f"sqlite:///{cwd}/tolk.db")
    with store.sessions() as s:
        t = store.translation(s, item, "name", "es")
    store.close()
    assert t is not None
    return t.text, t.status, [c["id"] for c in t.checks]


SPANISH = {
    "Take one dose of 5 mg twice a day.": "Tome una dosis de 5 mg dos veces al día.",
    "Annual rate of 5 percent on every loan.": "Tipo anual del 5 por ciento en cada préstamo.",
    "Annual rate of 5 percent on every card.": "TAE del 5 por ciento en cada tarjeta.",
}


@pytest.fixture
def server() -> StandIn:
    return StandIn(lambda body: Answer(SPANISH[body["messages"][0]["content"]]))


def configure(cwd: Path, server: StandIn) -> None:
    (cwd / "tolk.toml").write_text(
        'default_engine = "q"\n'
        f'[engines.q]\nkind = "qwen-mt"\nbase_url = "{server.base_url}"\napi_keys = ["k"]\n'
        "[quality]\nrounds = 1\n"
        '[profiles.financial]\nrequired_terms = { es = ["TAE"] }\n'
    )


def test_medical_text_with_doses_goes_to_a_person(tmp_path: Path, server: StandIn) -> None:
    with server:
        configure(tmp_path, server)
        (tmp_path / "c.jsonl").write_text(
            json.dumps({"id": "m", "name": "Take one dose of 5 mg twice a day."}) + "\n"
        )
        result = tolk("translate", "c.jsonl", "--to", "es", "--profile", "medical", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        options = server.requests[0].body["translation_options"]
    assert "Medical" in options["domains"]
    text, status, failed = translation(tmp_path, "m")
    assert (text, status, failed) == (
        "Tome una dosis de 5 mg dos veces al día.",
        "NEEDS_REVIEW",
        ["sensitive"],
    )


def test_financial_required_term(tmp_path: Path, server: StandIn) -> None:
    rows = [
        {"id": "loan", "name": "Annual rate of 5 percent on every loan."},
        {"id": "card", "name": "Annual rate of 5 percent on every card."},
    ]
    with server:
        configure(tmp_path, server)
        (tmp_path / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        assert (
            tolk("translate", "c.jsonl", "--to", "es", "--profile", "financial", cwd=tmp_path).returncode == 0
        )
    assert translation(tmp_path, "loan")[1:] == ("NEEDS_REVIEW", ["required_terms"])  # no TAE, one round
    assert translation(tmp_path, "card")[1:] == ("CHECKED", [])


def test_unknown_profile_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_text('{"id": "a", "name": "x"}\n')
    result = tolk("translate", "c.jsonl", "--to", "es", "--profile", "nope", cwd=tmp_path)
    assert result.returncode == 2 and "unknown profile 'nope'" in result.stderr
