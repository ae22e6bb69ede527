"""Regional and script variants (es-MX, pt-BR, sr-Latn, zh-Hant) survive the whole trip: catalog ->
store -> export, and documents; a variant uses its language's glossary and memory where it has none."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_tolk
from tolk.core import Term
from tolk.glossary import Glossary, GlossaryEntry

CONFIG = '[engines.dummy]\nkind = "dummy"\nexternal = false\n'


def test_variants_survive_catalog_store_and_export(tmp_path: Path) -> None:
    (tmp_path / "tolk.toml").write_text(CONFIG)
    (tmp_path / "catalog.jsonl").write_text(json.dumps({"id": "p1", "name": "Soft cotton socks."}) + "\n")
    done = run_tolk(
        "translate", "catalog.jsonl", "--to", "es_MX,pt-br,sr-Latn,zh-Hant", "--engine", "dummy", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    exported = run_tolk("export", "--all", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert sorted(r["lang"] for r in rows) == ["es-MX", "pt-BR", "sr-Latn", "zh-TW"]
    assert {r["lang"]: r["text"] for r in rows}["es-MX"] == "[es-MX] Soft cotton socks."


def test_variants_survive_documents(tmp_path: Path) -> None:
    (tmp_path / "tolk.toml").write_text(CONFIG)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.md").write_text("# Socks\n\nSoft cotton socks.\n")
    done = run_tolk(
        "docs",
        "translate",
        "site",
        "--to",
        "es-MX,sr-Latn",
        "--engine",
        "dummy",
        "--out",
        "out",
        cwd=tmp_path,
    )
    found = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*.md"))
    assert any("es-MX" in p for p in found) and any("sr-Latn" in p for p in found), (found, done.stderr)


def test_a_variant_uses_its_languages_terms() -> None:
    glossary = Glossary([GlossaryEntry("es", Term("socks", "calcetines"))])
    assert [t.target for t in glossary.applicable("Soft socks", "es-MX")] == ["calcetines"]
    own = Glossary(
        [GlossaryEntry("es", Term("socks", "calcetines")), GlossaryEntry("es-MX", Term("socks", "tines"))]
    )
    assert [t.target for t in own.applicable("Soft socks", "es-MX")] == ["tines"]
