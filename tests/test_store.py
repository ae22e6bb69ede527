"""The store on SQLite, PostgreSQL and MariaDB — the same test bodies against each, for real."""

from __future__ import annotations

import threading

from sqlalchemy import inspect

from tolk.core import Grade, Term
from tolk.glossary import Glossary, GlossaryEntry
from tolk.store.repo import ItemRecord, MachineWrite, Store


def item(item_id: str = "sku-1", name: str = "Red shoes") -> ItemRecord:
    return ItemRecord(item_id, "en", "Footwear", {"name": name}, {"price": 10}, content_hash=name)


def machine(text: str, item_id: str = "sku-1") -> MachineWrite:
    return MachineWrite(item_id, "name", "es", text, "dummy", "dummy", "h", "k")


def test_migrations_create_the_schema(db_url: str) -> None:
    store = Store(db_url)
    tables = set(inspect(store.engine).get_table_names())
    assert {"items", "source_fields", "translations", "cache_entries", "glossary_terms", "runs"} <= tables
    Store(db_url).close()  # migrating again is a no-op
    store.close()


def test_items_are_saved_once(db_url: str) -> None:
    store = Store(db_url)
    with store.transaction() as s:
        assert store.save_items(s, [item(), item("sku-2")]) == 2
    with store.transaction() as s:
        assert store.save_items(s, [item(), item("sku-2", "Blue shoes")]) == 1
    store.close()


def test_machine_write_insert_update_and_suggest(db_url: str) -> None:
    store = Store(db_url)
    with store.transaction() as s:
        store.save_items(s, [item()])
        assert store.write_machine(s, machine("Zapatos rojos")) == "inserted"
        assert store.write_machine(s, machine("Zapatos rojos v2")) == "updated"
        assert store.write_human(s, "sku-1", "name", "es", "Zapatos rojos (humano)")
        assert store.write_machine(s, machine("Zapatos rojos v3")) == "suggested"
    with store.sessions() as s:
        t = store.translation(s, "sku-1", "name", "es")
        assert t is not None
        assert (t.text, t.grade, t.suggestion, t.version) == (
            "Zapatos rojos (humano)",
            "HUMAN",
            "Zapatos rojos v3",
            3,
        )
    store.close()


def test_a_chunk_is_written_at_once_and_each_row_ends_as_it_would_alone(db_url: str) -> None:
    """One call for a chunk: rows the caller saw (updated, or kept beside a person's text), rows it saw
    missing (inserted), and the two cases where it was wrong (another writer got in between)."""
    store = Store(db_url)
    ids = [f"sku-{n}" for n in range(6)]
    with store.transaction() as s:
        store.save_items(s, [item(i) for i in ids])
        for i in ids[:3]:
            store.write_machine(s, machine("old", i))
        store.write_human(s, "sku-1", "name", "es", "de una persona")
        store.write_machine(s, machine("old", "sku-4"))  # the caller will think it is missing
    writes = [
        (machine("nuevo 0", "sku-0"), True),  # seen: updated
        (machine("nuevo 1", "sku-1"), True),  # seen, a person's text: kept, the machine's beside it
        (machine("nuevo 2", "sku-2"), True),  # seen: updated
        (machine("nuevo 3", "sku-3"), True),  # "seen" but not there: inserted
        (machine("nuevo 4", "sku-4"), False),  # "missing" but there: updated
        (machine("nuevo 5", "sku-5"), False),  # missing: inserted
    ]
    with store.transaction() as s:
        outcomes = store.write_machines(s, writes)
    assert outcomes == ["updated", "suggested", "updated", "inserted", "updated", "inserted"]
    with store.sessions() as s:
        rows = {i: store.translation(s, i, "name", "es") for i in ids}
    assert {i: (t.text, t.version) for i, t in rows.items() if t is not None} == {
        "sku-0": ("nuevo 0", 2), "sku-1": ("de una persona", 2), "sku-2": ("nuevo 2", 2),
        "sku-3": ("nuevo 3", 1), "sku-4": ("nuevo 4", 2), "sku-5": ("nuevo 5", 1),
    }  # fmt: skip
    assert rows["sku-1"] is not None and rows["sku-1"].suggestion == "nuevo 1"
    with store.transaction() as s:
        assert store.write_machines(s, []) == []
    store.close()


def test_optimistic_human_edit(db_url: str) -> None:
    store = Store(db_url)
    with store.transaction() as s:
        store.write_machine(s, machine("a"))
    with store.transaction() as s:
        assert not store.write_human(s, "sku-1", "name", "es", "b", expected_version=7)
        assert store.write_human(s, "sku-1", "name", "es", "b", grade=Grade.APPROVED, expected_version=1)
    store.close()


def test_human_survives_concurrent_machine_writers(db_url: str) -> None:
    """Machine writers hammer the row while a person edits it: the person's text always wins."""
    store = Store(db_url)
    with store.transaction() as s:
        store.save_items(s, [item()])
        store.write_machine(s, machine("first machine text"))
    human_done = threading.Event()
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def machine_writer(n: int) -> None:
        try:
            # write until a few writes have followed the person's edit: a busy machine must not finish first
            after = 0
            for j in range(100_000):
                after_human = human_done.is_set()  # read before the write: it must then be refused
                with store.transaction() as s:
                    outcome = store.write_machine(s, machine(f"machine {n}-{j}"))
                if after_human:
                    outcomes.append(outcome)
                    after += 1
                if after >= 3:
                    break
        except BaseException as exc:
            errors.append(exc)

    def human() -> None:
        with store.transaction() as s:
            assert store.write_human(s, "sku-1", "name", "es", "edited by a person")
        human_done.set()

    writers = [threading.Thread(target=machine_writer, args=(n,)) for n in range(6)]
    for w in writers:
        w.start()
    threading.Timer(0.05, human).start()
    for w in writers:
        w.join()
    human_done.wait(10)
    assert not errors, errors
    with store.sessions() as s:
        t = store.translation(s, "sku-1", "name", "es")
        assert t is not None
        assert (t.text, t.grade) == ("edited by a person", "HUMAN")
        assert t.suggestion is not None and t.suggestion.startswith("machine ")
    assert outcomes and set(outcomes) == {"suggested"}
    store.close()


def test_export_rows_join_source(db_url: str) -> None:
    store = Store(db_url)
    with store.transaction() as s:
        store.save_items(s, [item("b"), item("a")])
        store.write_machine(s, machine("Zapatos", "b"))
        store.write_machine(s, machine("Zapatos", "a"))
    rows = list(store.export_rows("es"))
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0] == {
        "id": "a",
        "field": "name",
        "lang": "es",
        "source": "Red shoes",
        "text": "Zapatos",
        "grade": "MACHINE",
        "engine": "dummy",
        "model": "dummy",
        "status": "MACHINE",
        "score": None,
        "failed": [],
        "approved_by": None,
    }
    assert list(store.export_rows("ko")) == []
    store.close()


def test_export_rows_hold_back_what_is_not_publishable(db_url: str) -> None:
    store = Store(db_url)
    held = {"NEEDS_REVIEW": "c", "PENDING_APPROVAL": "d", "SENT_BACK": "e"}
    with store.transaction() as s:
        store.save_items(s, [item(i) for i in "abcde"])
        store.write_machine(s, machine("Zapatos", "a"))
        checked = machine("Zapatos", "b")
        checked.status, checked.score = "CHECKED", 100.0
        store.write_machine(s, checked)
        for status, item_id in held.items():
            w = machine("Contáctenos en [[EMAIL_]]", item_id)
            w.status, w.score, w.checks = status, 40.0, [{"id": "tokens", "severity": "critical"}]
            store.write_machine(s, w)
    published = list(store.export_rows("es"))
    assert [(r["id"], r["status"]) for r in published] == [("a", "MACHINE"), ("b", "CHECKED")]
    every = {r["id"]: r for r in store.export_rows("es", everything=True)}
    assert set(every) == set("abcde")
    assert every["c"]["status"] == "NEEDS_REVIEW" and every["c"]["failed"] == ["tokens"]
    assert every["c"]["score"] == 40.0
    store.close()


def test_glossary_import_upserts(db_url: str) -> None:
    store = Store(db_url)
    g = Glossary(
        [GlossaryEntry("*", Term("Nike", "Nike", True, True)), GlossaryEntry("es", Term("Sale", "Oferta"))]
    )
    assert store.import_glossary(g) == (2, 0)
    assert store.import_glossary(Glossary([GlossaryEntry("es", Term("Sale", "Rebajas"))])) == (0, 1)
    loaded = store.glossary()
    assert {t.target for t in loaded.terms_for("es")} == {"Nike", "Rebajas"}
    store.close()


def test_cache_table_first_writer_wins(db_url: str) -> None:
    store = Store(db_url)
    store.cache_put({"k1": ("uno", "e", "m")})
    store.cache_put({"k1": ("otro", "e", "m"), "k2": ("dos", "e", "m")})
    assert store.cache_get(["k1", "k2", "k3"]) == {"k1": ("uno", "e", "m"), "k2": ("dos", "e", "m")}
    store.close()


def test_head_constant_matches_alembic() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from tolk.store.migrations import HEAD
    from tolk.store.repo import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD


def test_changed_items_replace_their_source_fields(db_url: str) -> None:
    from sqlalchemy import select

    from tolk.store.models import Item, SourceField

    store = Store(db_url)
    with store.transaction() as s:
        store.save_items(s, [ItemRecord("a", "en", None, {"name": "Red", "description": "Old"}, {}, "h1")])
    with store.transaction() as s:
        store.save_items(s, [ItemRecord("a", "de", "Shoes", {"name": "Rot"}, {"x": 1}, "h2")])
    with store.sessions() as s:
        fields = s.execute(
            select(SourceField.field, SourceField.text).where(SourceField.item_id == "a")
        ).all()
        item = s.get(Item, "a")
    assert [tuple(f) for f in fields] == [("name", "Rot")]
    assert item is not None and (item.source_lang, item.category, item.attrs) == ("de", "Shoes", {"x": 1})
    store.close()


def test_the_trust_migration_demotes_rule_approved_rows_and_marks_old_memory(db_url: str) -> None:
    """0008: APPROVED without a reviewer's approval becomes MACHINE/CHECKED; a reviewer's stays APPROVED;
    old memory units are marked by origin (HUMAN → person, APPROVED → machine), none deleted."""
    from datetime import datetime

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from tolk.store.repo import MIGRATIONS

    store = Store(db_url, migrate=False)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007_audit")
    at = datetime(2026, 11, 1)
    with store.engine.begin() as conn:
        for item_id in ("gate", "person"):
            conn.execute(
                text(
                    "INSERT INTO translations (item_id, field, lang, text, grade, source_hash, checks, "
                    "version, created_at, updated_at) VALUES (:i, 'name', 'es', 'Zapatos', 'APPROVED', "
                    "'h', '[]', 1, :at, :at)"
                ),
                {"i": item_id, "at": at},
            )
        conn.execute(
            text(
                "INSERT INTO translation_history (item_id, field, lang, at, actor, action, grade) "
                "VALUES ('person', 'name', 'es', :at, 'kim', 'approve', 'APPROVED')"
            ),
            {"at": at},
        )
        for n, origin in enumerate(("HUMAN", "APPROVED", "tmx")):
            conn.execute(
                text(
                    "INSERT INTO memory_units (src_lang, tgt_lang, source_hash, source, target, origin, "
                    "updated_at) VALUES ('en', 'es', :h, 's', 't', :o, :at)"
                ),
                {"h": f"h{n}", "o": origin, "at": at},
            )
    store.migrate()
    with store.sessions() as s:
        gate, person = (
            store.translation(s, "gate", "name", "es"),
            store.translation(s, "person", "name", "es"),
        )
        assert gate is not None and person is not None
        assert (gate.grade, gate.status, gate.approved_by) == ("MACHINE", "CHECKED", None)
        assert (person.grade, person.status, person.approved_by) == ("APPROVED", None, "person")
    assert sorted(u.origin for u in store.memory_units()) == ["machine", "person", "tmx"]
    assert store.recall("en", "es", ["h0", "h1", "h2"], ["person", "tmx"]) == {"h0": "t", "h2": "t"}
    store.close()


def test_the_review_queue_searches_and_sorts_on_every_store(db_url: str) -> None:
    from tolk.store.repo import ItemRecord, MachineWrite

    store = Store(db_url)
    rows = [
        ("a", "Red shoe", "Zapato ROJO", 40.0),
        ("b", "Blue 100% wool hat", "Sombrero azul", 90.0),
        ("c", "Tent", "Tienda", None),
    ]
    with store.transaction() as session:
        store.save_items(
            session, [ItemRecord(i, "en", None, {"name": src}, {}, "h" + i) for i, src, _, _ in rows]
        )
        for i, _, text, score in rows:
            write = MachineWrite(
                i, "name", "es", text, "e", "m", "h" + i, "k" + i, score=score, status="NEEDS_REVIEW"
            )
            store.write_machine(session, write, exists=False)
    try:
        assert [t.item_id for t in store.review_queue(q="rojo")] == ["a"]
        assert [t.item_id for t in store.review_queue(q="WOOL")] == ["b"]
        assert [t.item_id for t in store.review_queue(q="100%")] == ["b"]  # % is a character here
        assert [t.item_id for t in store.review_queue(q="%wool")] == []  # not a wildcard
        assert [t.item_id for t in store.review_queue(sort="score")] == ["a", "b", "c"]  # unscored last
    finally:
        store.close()
