"""Trust on the other surfaces: a document unit that failed the gate keeps its source and is marked, and
the cost estimate follows the same rules as the run it prices (tests/test_trust.py has the rest)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tolk import review
from tolk.store.repo import Store
from tolk.testing.standin import Answer, StandIn

from .conftest import run_tolk
from .test_trust import DUMMY, ROWS, row, send_back, write_catalog

DOCS = {
    "a.md": "# Help\n\nWrite to kim@example.com today.\n\nSoft wool hat.\n",
    "b.html": "<html><body><p>Write to kim@example.com today.</p><p>Soft wool hat.</p></body></html>\n",
    "c.json": json.dumps({"contact": "Write to kim@example.com today.", "hat": "Soft wool hat."}) + "\n",
    "d.po": 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    'msgid "Write to kim@example.com today."\nmsgstr ""\n\nmsgid "Soft wool hat."\nmsgstr ""\n',
    "e.xlf": '<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" '
    'xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="e" source-language="en" '
    'datatype="plaintext"><body><trans-unit id="contact"><source>Write to kim@example.com today.</source>'
    '</trans-unit><trans-unit id="hat"><source>Soft wool hat.</source></trans-unit></body></file></xliff>\n',
}


def _mangled(body: dict[str, Any]) -> Answer:
    """`ES: text`, with personal-data placeholders translated into something restore cannot find."""
    asked = json.loads(body["messages"][-1]["content"])["segments"]
    out = [{"id": s["id"], "text": "ES: " + s["text"].replace("[[EMAIL_1]]", "[[CORREO_1]]")} for s in asked]
    return Answer(json.dumps({"translations": out}))


def test_a_document_unit_that_failed_keeps_its_source_and_is_marked(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name, body in DOCS.items():
        (src / name).write_text(body)
    with StandIn(_mangled) as llm:
        (tmp_path / "tolk.toml").write_text(
            f'default_engine = "llm"\n[engines.llm]\nkind = "openai"\nmodel = "m"\n'
            f'base_url = "{llm.base_url}"\nexternal = true\n'
            '[quality]\nrounds = 0\ndisabled_checks = ["language", "untranslated"]\n'
        )
        done = run_tolk(
            "docs",
            "translate",
            "src",
            "--to",
            "es",
            "--out",
            "out",
            "--db",
            f"sqlite:///{tmp_path / 't.db'}",
            cwd=tmp_path,
        )
    assert "pii" in done.stdout + done.stderr  # the report names the held units and why
    for name in DOCS:
        out = (tmp_path / "out" / "es" / name).read_text()
        assert "ES: Soft wool hat." in out, name  # the unit that passed is published
        assert "Write to kim@example.com today." in out and "ES: Write" not in out, name  # source kept
        assert "[[" not in out and "⟦" not in out, name  # no token reaches a document
    po = (tmp_path / "out" / "es" / "d.po").read_text()
    assert '#, fuzzy\nmsgid "Write to kim@example.com today."' in po
    xlf = (tmp_path / "out" / "es" / "e.xlf").read_text()
    assert 'state="needs-review-translation"' in xlf and 'approved="yes"' not in xlf


def test_the_cost_estimate_follows_the_same_rules(tmp_path: Path) -> None:
    """The estimate plans as a run does: a sent-back text is sent again (its cache entry is gone), a
    person's text answers from memory, machine text that only passed the rules does not."""
    write_catalog(tmp_path)
    (tmp_path / "tolk.toml").write_text(f'default_engine = "dummy"\n{DUMMY}')
    db = f"sqlite:///{tmp_path / 't.db'}"
    assert run_tolk("translate", "catalog.jsonl", "--to", "es", "--db", db, cwd=tmp_path).returncode == 0
    send_back(db, "p1")
    store = Store(db)
    review.edit(store, ("p2", "name", "es"), "Gorro de lana azul", row(store, "p2").version, "kim")
    store.close()
    more = [{"id": "q1", "name": "Blue wool hat"}, {"id": "q2", "name": "Leather bag"}]
    write_catalog(tmp_path, [*ROWS, *more])
    done = run_tolk(
        "cost", "estimate", "catalog.jsonl", "--to", "es", "--db", db, "--format", "json", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    es = json.loads(done.stdout)["languages"][0]
    # p2 is a person's (unchanged); q1 = p2's source: the person's memory; p1 (sent back) and q2 (same
    # text) go to the engine once; nothing comes from the cache
    assert (es["unchanged"], es["memory"], es["cache"], es["sent"]) == (1, 1, 0, 1)
