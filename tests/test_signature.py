"""The gate's signature: the same gate signs the same; any change in what decides a score changes it, and
the dashboard never averages scores measured by two gates."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from tolk import dashboard
from tolk.profiles import BUILTIN
from tolk.quality.checks import ALL
from tolk.quality.gate import Gate
from tolk.quality.loop import Loop
from tolk.quality.policy import Policy
from tolk.store.repo import Store

from .conftest import run_tolk


def test_the_same_gate_signs_the_same_and_says_what_it_measures() -> None:
    one, two = str(Gate().signature()), str(Gate().signature())
    assert one == two
    assert one.startswith(f"gate:1|checks:{len(ALL)}#") and "|pass:80|review:20|bleu:70|ter:30|" in one
    full = Gate().signature().full()
    assert "numbers.1" in full and "placeholders.1" in full


def test_every_part_that_decides_a_score_changes_the_signature() -> None:
    base = Loop(Gate(), None).signature
    changed = [
        Loop(Gate(policy=Policy(pass_score=70)), None).signature,  # a threshold
        Loop(Gate.without(["punctuation"]), None).signature,  # a check off
        Loop(Gate(per_language={"ja": Policy(pass_score=60)}), None).signature,  # a language's own bar
        Loop(Gate(), None, profile=BUILTIN["medical"]).signature,  # a profile's terms
        Loop(Gate(), None, approve_with=frozenset({"judge"})).signature,  # who may approve
    ]
    shorts = {base.short, *(s.short for s in changed)}
    assert len(shorts) == 1 + len(changed)
    assert "|profile:medical#" in str(changed[3]) and "|approve:judge|" in str(changed[4]) + "|"


def test_a_new_version_of_a_check_is_a_new_signature() -> None:
    numbers = next(c for c in ALL if c.id == "numbers")
    newer = type("Numbers2", (numbers,), {"version": 2})
    gate = Gate([newer if c is numbers else c for c in ALL])
    assert gate.signature().short != Gate().signature().short
    assert "numbers.2" in gate.signature().full()


def test_the_dashboard_keeps_scores_of_two_gates_apart(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.jsonl"
    catalog.write_text("".join(json.dumps({"id": f"p{i}", "name": f"Red shoe {i}"}) + "\n" for i in range(3)))
    db = f"sqlite:///{tmp_path / 'tolk.db'}"
    base = 'default_engine = "dummy"\n[engines.dummy]\nkind = "dummy"\nexternal = false\n'
    for n, quality in enumerate(["", "[quality]\npass_score = 60\n"]):
        config = tmp_path / f"tolk{n}.toml"
        config.write_text(base + quality)
        catalog.write_text(catalog.read_text().replace(f"shoe {n}", f"shoe {n}!"))  # something to do
        done = run_tolk(
            "translate", str(catalog), "--to", "es", "--db", db, "--config", str(config), cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr
    store = Store(db)
    try:
        lines = dashboard.build(store, "24h").score
    finally:
        store.close()
    assert len(lines) == 2 and all(name.startswith("es (gate:1#") for name in lines), lines
    assert all(values[-1] is not None for values in lines.values())


def test_one_gate_in_the_window_names_the_line_by_language(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.jsonl"
    catalog.write_text(json.dumps({"id": "p1", "name": "Red shoe"}) + "\n")
    config = tmp_path / "tolk.toml"
    config.write_text('default_engine = "dummy"\n[engines.dummy]\nkind = "dummy"\nexternal = false\n')
    db = f"sqlite:///{tmp_path / 'tolk.db'}"
    done = run_tolk(
        "translate", str(catalog), "--to", "es,ko", "--db", db, "--config", str(config), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "measured by" in done.stdout and "gate:1|checks:" in done.stdout.replace("\n", "")
    store = Store(db)
    try:
        assert sorted(dashboard.build(store, "24h").score) == ["es", "ko"]
    finally:
        store.close()


def test_tolk_check_says_which_gate_scored(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    row = {"id": "1", "source": "Red shoe", "translation": "Zapato rojo", "src_lang": "en", "tgt_lang": "es"}
    rows.write_text(json.dumps(row) + "\n")
    text = run_tolk("check", str(rows), cwd=tmp_path)
    assert "measured by gate:1|checks:" in text.stdout, text.stdout + text.stderr
    lines = run_tolk("check", str(rows), "--format", "jsonl", cwd=tmp_path)
    assert json.loads(lines.stdout)["score"] == 100.0
    assert lines.stderr == f"measured by {Gate().signature()}\n"
    assert dataclasses.replace(Gate().signature(), profile="legal").short != Gate().signature().short
