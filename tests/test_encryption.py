"""Encryption at rest: a sensitive field's text never sits in the database in the clear, reads back for
whoever holds a key, and `tolk keys rotate` moves every value to a new key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from tolk import vault
from tolk.config import load
from tolk.core import ConfigError, Grade, TolkError
from tolk.store import conversations as talks
from tolk.store.models import MemoryUnit
from tolk.store.repo import Store

from .conftest import run_tolk

NOTE = "canary-note-7f3a call me back"  # an attribute nobody translates
MESSAGE = "canary-msg-91c2 my parcel never arrived"  # a translated field


def _config(
    tmp_path: Path, keys: list[str], fields: str = '["seller_note", "support_message", "conversation"]'
) -> Path:
    cfg = tmp_path / "tolk.toml"
    quoted = ", ".join(f'"{k}"' for k in keys)
    cfg.write_text(
        'default_engine = "dummy"\n[engines.dummy]\nkind = "dummy"\nexternal = false\n'
        f"[encryption]\nkeys = [{quoted}]\nfields = {fields}\n"
    )
    return cfg


def _catalog(tmp_path: Path) -> Path:
    rows = [
        {
            "id": f"t{n}",
            "name": f"Order {n}",
            "support_message": f"{MESSAGE} #{n}",
            "seller_note": f"{NOTE} #{n}",
        }
        for n in range(3)
    ]
    path = tmp_path / "catalog.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _raw_dump(db: str) -> str:
    """Every value of every table as the database holds it (no column types, nothing opened)."""
    store = Store(db)
    parts: list[str] = []
    with store.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            parts.extend(repr(tuple(row)) for row in conn.execute(text(f"SELECT * FROM {table}")))
    store.close()
    return "\n".join(parts)


def _translate(tmp_path: Path, db: str, cfg: Path) -> None:
    done = run_tolk(
        "translate",
        "catalog.jsonl",
        "--to",
        "es",
        "--fields",
        "name,support_message",
        "--db",
        db,
        "--config",
        str(cfg),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr


def _export(tmp_path: Path, db: str, cfg: Path) -> list[dict[str, object]]:
    done = run_tolk("export", "--all", "--db", db, "--config", str(cfg), "--out", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]


def test_sensitive_fields_are_sealed_at_rest_and_rotate(db_url: str, tmp_path: Path) -> None:
    old, new = vault.new_key(), vault.new_key()
    _catalog(tmp_path)
    _translate(tmp_path, db_url, _config(tmp_path, [old]))
    chat = Store(db_url, vault=vault.Vault([old], ["conversation"]))  # a support conversation's turn
    talk = talks.open_one(chat, "en", "test", customer_lang="es")
    said = talks.Message(0, "customer", f"{MESSAGE} es", "es", f"{MESSAGE} en", "en", None, "CHECKED", 100.0)
    talks.add_message(chat, talk.id, said, "es")
    chat.close()
    raw = _raw_dump(db_url)
    assert "canary" not in raw  # source, translation, history and attribute all sealed
    assert "Order 1" in raw  # what is not sensitive stays plain (and cached, searchable)
    rows = _export(tmp_path, db_url, _config(tmp_path, [old]))
    messages = [r for r in rows if r["field"] == "support_message"]
    assert [r["source"] for r in messages] == [f"{MESSAGE} #{n}" for n in range(3)]
    assert all(MESSAGE in str(r["text"]) for r in messages)  # the dummy engine keeps the words
    store = Store(db_url, vault=vault.Vault([old], ["seller_note"]))
    item = store.item_record("t2")
    store.close()
    assert item is not None and item.attrs["seller_note"] == f"{NOTE} #2"

    # a new key first, the old one after it; rotate; then the old key can go
    rotated = run_tolk(
        "keys", "rotate", "--db", db_url, "--config", str(_config(tmp_path, [new, old])), cwd=tmp_path
    )
    assert rotated.returncode == 0, rotated.stderr
    assert "0 encrypted for the first time" in rotated.stderr
    assert _export(tmp_path, db_url, _config(tmp_path, [new])) == rows
    assert "canary" not in _raw_dump(db_url)
    chat = Store(db_url, vault=vault.Vault([new], ["conversation"]))
    kept = talks.turns(chat, talk.id)
    chat.close()
    assert [(m.original, m.text) for m in kept] == [(said.original, said.text)]

    # the dropped key alone no longer opens anything: one line, non-zero, nothing written
    (tmp_path / "out.jsonl").unlink()
    refused = run_tolk(
        "export",
        "--all",
        "--db",
        db_url,
        "--config",
        str(_config(tmp_path, [old])),
        "--out",
        "out.jsonl",
        cwd=tmp_path,
    )
    assert refused.returncode != 0
    assert "does not open with any of encryption.keys" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.jsonl").exists()


def test_rotate_seals_what_was_stored_before_the_field_was_sensitive(tmp_path: Path) -> None:
    db, key = f"sqlite:///{tmp_path / 'tolk.db'}", vault.new_key()
    _catalog(tmp_path)
    _translate(tmp_path, db, _config(tmp_path, [key], fields="[]"))
    assert "canary" in _raw_dump(db)
    done = run_tolk("keys", "rotate", "--db", db, "--config", str(_config(tmp_path, [key])), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # 3 sources + 3 translations + 3 history lines + 3 attributes
    assert "0 values re-encrypted, 12 encrypted for the first time" in done.stderr
    assert "canary" not in _raw_dump(db)
    again = run_tolk("keys", "rotate", "--db", db, "--config", str(_config(tmp_path, [key])), cwd=tmp_path)
    assert "12 values re-encrypted, 0 encrypted for the first time" in again.stderr


def test_a_persons_edit_is_sealed_and_sensitive_text_stays_out_of_the_memory(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'tolk.db'}"
    cfg = _config(tmp_path, [vault.new_key()])
    _catalog(tmp_path)
    _translate(tmp_path, db, cfg)
    s = load(cfg, db=db)
    store = Store(db, vault=s.encryption.vault())
    with store.transaction() as session:
        assert store.write_human(session, "t1", "support_message", "es", "canary-edit mi paquete")
        assert store.write_human(session, "t1", "name", "es", "Pedido uno", grade=Grade.APPROVED)
    with store.sessions() as session:
        row = store.translation(session, "t1", "support_message", "es")
        assert row is not None and row.text == "canary-edit mi paquete"
        memory = session.execute(select(MemoryUnit.source)).scalars().all()
    store.close()
    assert "Order 1" in memory  # approved names taught the memory; no message did
    assert not [m for m in memory if "canary" in m]
    assert "canary" not in _raw_dump(db)


def test_keys_must_be_fernet_keys_and_present(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="key 1 is not a Fernet key"):
        load(_config(tmp_path, ["not-a-key"]))
    with pytest.raises(ConfigError, match="fields are set but no key"):
        load(_config(tmp_path, []))
    with pytest.raises(TolkError, match="no key is configured"):
        vault.NO_VAULT.open(vault.Vault([vault.new_key()], ["x"]).seal("x", "secret"))
    bad = run_tolk("keys", "rotate", "--config", str(_config(tmp_path, ["nope"])), cwd=tmp_path)
    assert bad.returncode != 0 and "encryption.keys: key 1 is not a Fernet key" in bad.stderr
