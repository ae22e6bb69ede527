"""The audit log: every kind of action lands in it, by hashes; the database refuses to change a row."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tolk.api import auth
from tolk.api.app import create_app
from tolk.config import Settings
from tolk.store import audit
from tolk.store.repo import Store

from .conftest import bearer, run_tolk
from .test_api import seed


def test_the_database_refuses_to_change_audit_rows(db_url: str) -> None:
    """Through the application's own connection (its database role), on every store."""
    store = Store(db_url)
    audit.append(store, audit.Entry("token:kim", "edit", "sku-1", "name", "es", after_sha256="ab" * 32))
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
    if store.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_log"))
    [row] = list(audit.entries(store))
    assert (row["actor"], row["action"], row["item_id"]) == ("token:kim", "edit", "sku-1")
    audit.append(store, audit.Entry("system:agent", "machine_write"))  # appending still works
    assert len(list(audit.entries(store))) == 2
    store.close()


def test_every_action_is_recorded_with_hashes_only(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'tolk.db'}"
    s = Settings(default_engine="dummy", engines={"dummy": {"kind": "dummy", "external": False}}, store=db)
    store = Store(db)
    token = auth.create(store, "kim", auth.Role.reviewer, [])
    seed(store)
    store.close()
    with TestClient(create_app(s)) as client:
        client.post(
            "/v1/translate", json={"text": "Secret launch plan", "target": "es"}, headers=bearer(token)
        )
        es = client.get("/v1/translations/sku-1/name/es", headers=bearer(token)).json()
        edit = {"text": "Zapato rojo vivo", "version": es["version"]}
        client.put("/v1/translations/sku-1/name/es", json=edit, headers=bearer(token))
        client.post("/v1/translations/sku-1/name/ko/approve", json={"version": 1}, headers=bearer(token))
    (tmp_path / "catalog.jsonl").write_text('{"id": "p1", "name": "Blue hat"}\n')
    cfg = tmp_path / "tolk.toml"
    cfg.write_text('default_engine = "dummy"\n[engines.dummy]\nkind = "dummy"\nexternal = false\n')
    assert (
        run_tolk(
            "translate", "catalog.jsonl", "--to", "es", "--db", db, "--config", str(cfg), cwd=tmp_path
        ).returncode
        == 0
    )
    assert run_tolk("export", "--db", db, "--out", "x.jsonl", cwd=tmp_path).returncode == 0
    exported = run_tolk("audit", "export", "--db", db, "--out", "audit.jsonl", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    rows = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    actions = [(r["actor"].split(":")[0], r["action"]) for r in rows]
    assert actions == [
        ("token", "translate_request"),
        ("token", "data_access"),
        ("token", "edit"),
        ("token", "approve"),
        ("system", "machine_write"),
        ("cli", "export"),
    ]
    edit = rows[2]
    assert edit["before_sha256"] == hashlib.sha256(b"Zapato rojo").hexdigest()
    assert edit["after_sha256"] == hashlib.sha256(b"Zapato rojo vivo").hexdigest()
    written = rows[4]
    assert (written["item_id"], written["lang"], written["engine"]) == ("p1", "es", "dummy")
    assert written["source_sha256"] == hashlib.sha256(b"Blue hat").hexdigest()
    blob = (tmp_path / "audit.jsonl").read_text()
    assert "Secret launch plan" not in blob and "Zapato" not in blob  # hashes, never text
