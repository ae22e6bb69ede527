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


def test_required_terms_hold_per_item_and_market_rules_join_the_profiles(tmp_path: Path) -> None:
    """A market's compliance rules (`[markets.X]`) hold under any profile: a required term must appear
    in some field of each item (not in every field: a product's name need not say 'TAE'), a forbidden
    one in none; each failure says where."""
    book = {
        "Personal loan": "Préstamo personal",
        "Annual percentage rate of 5 percent.": "Tasa anual equivalente (TAE) del 5 por ciento.",
        "Car loan": "Préstamo para coche",
        "Fixed rate of 5 percent.": "Tipo fijo del 5 por ciento.",
        "Home loan": "Préstamo hipotecario",
        "No fee, annual percentage rate of 3 percent.": (
            "Gratis, tasa anual equivalente (TAE) del 3 por ciento."
        ),
    }
    rows = [
        {"id": "personal", "name": "Personal loan", "description": "Annual percentage rate of 5 percent."},
        {"id": "car", "name": "Car loan", "description": "Fixed rate of 5 percent."},
        {"id": "home", "name": "Home loan", "description": "No fee, annual percentage rate of 3 percent."},
    ]
    with StandIn(lambda body: Answer(book[body["messages"][0]["content"]])) as server:
        (tmp_path / "tolk.toml").write_text(
            'default_engine = "q"\n'
            f'[engines.q]\nkind = "qwen-mt"\nbase_url = "{server.base_url}"\napi_keys = ["k"]\n'
            "[quality]\nrounds = 0\n"
            '[markets.spain]\nlanguage = "es"\ncurrency = "EUR"\nrate = 1\n'
            'required_terms = ["TAE"]\nforbidden_terms = ["gratis"]\n'
        )
        (tmp_path / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        done = tolk("translate", "c.jsonl", "--to", "es", "--fields", "name,description", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    store = Store(f"sqlite:///{tmp_path}/tolk.db")
    with store.sessions() as s:
        got = {
            (item, field): store.translation(s, item, field, "es")
            for item in ("personal", "car", "home")
            for field in ("name", "description")
        }
    store.close()
    status = {k: (t.status, [c["id"] for c in t.checks]) for k, t in got.items() if t is not None}
    assert status[("personal", "name")] == ("CHECKED", [])  # "TAE" is in its description: enough
    assert status[("personal", "description")] == ("CHECKED", [])
    assert status[("car", "name")] == status[("car", "description")] == ("NEEDS_REVIEW", ["required_terms"])
    car = got[("car", "name")]
    assert car is not None
    (finding,) = [c for c in car.checks if c["id"] == "required_terms"]
    assert "'TAE' appears nowhere in item car (es: description, name)" in finding["message"]
    # a forbidden term fails the segment it is in; its 'TAE' then is not published, so the item has none
    assert status[("home", "description")] == ("NEEDS_REVIEW", ["forbidden_terms"])
    assert status[("home", "name")] == ("NEEDS_REVIEW", ["required_terms"])
