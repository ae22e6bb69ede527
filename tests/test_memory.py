"""Translation memory: exact reuse without an engine, fuzzy hints, TMX in and out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_tolk
from tolk.store.repo import Store
from tolk.testing.standin import StandIn

TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
  <header creationtool="test" creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en"
          srclang="en" datatype="plaintext"/>
  <body>
    <tu><tuv xml:lang="en"><seg>Soft cotton pillow for the bedroom.</seg></tuv>
        <tuv xml:lang="es"><seg>Almohada de algodón suave para el dormitorio.</seg></tuv>
        <tuv xml:lang="ko-KR"><seg>침실용 부드러운 면 베개.</seg></tuv></tu>
    <tu><tuv xml:lang="en"><seg>Warm wool blanket for cold nights.</seg></tuv>
        <tuv xml:lang="es"><seg>Manta de lana cálida para las noches frías.</seg></tuv></tu>
  </body>
</tmx>
"""


tolk = run_tolk


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "memory.tmx").write_text(TMX)
    return tmp_path


def test_exact_matches_need_no_engine_and_fuzzy_ones_become_hints(workdir: Path) -> None:
    with StandIn() as server:
        (workdir / "tolk.toml").write_text(
            f'[engines.q]\nkind = "qwen-mt"\nbase_url = "{server.base_url}"\napi_keys = ["k"]\n'
            "[quality]\nrounds = 0\n"
        )
        assert tolk("tm", "import", "memory.tmx", cwd=workdir).returncode == 0
        rows = [
            {"id": "a", "name": "Soft cotton pillow for the bedroom."},  # exact
            {"id": "b", "name": "Warm wool blanket for cold winter nights."},  # fuzzy
        ]
        (workdir / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        result = tolk("translate", "c.jsonl", "--to", "es", "--engine", "q", cwd=workdir)
        assert result.returncode == 0, result.stderr
        [request] = server.requests  # only the fuzzy one reached the engine
    options = request.body["translation_options"]
    assert request.body["messages"][0]["content"] == "Warm wool blanket for cold winter nights."
    assert options["tm_list"] == [
        {
            "source": "Warm wool blanket for cold nights.",
            "target": "Manta de lana cálida para las noches frías.",
        }
    ]
    out = {
        r["id"]: r for r in map(json.loads, tolk("export", "--lang", "es", cwd=workdir).stdout.splitlines())
    }
    assert (
        out["a"]["text"] == "Almohada de algodón suave para el dormitorio." and out["a"]["engine"] == "memory"
    )


def test_a_persons_edit_teaches_the_memory(tmp_path: Path) -> None:
    (tmp_path / "tolk.toml").write_text('[engines.d]\nkind = "dummy"\n')
    (tmp_path / "one.jsonl").write_text('{"id": "a", "name": "Blue hat"}\n')
    assert tolk("translate", "one.jsonl", "--to", "es", "--engine", "d", cwd=tmp_path).returncode == 0
    store = Store(f"sqlite:///{tmp_path}/tolk.db")
    with store.transaction() as s:
        assert store.write_human(s, "a", "name", "es", "Sombrero azul")
    store.close()
    (tmp_path / "two.jsonl").write_text('{"id": "b", "name": "Blue hat"}\n')
    assert tolk("translate", "two.jsonl", "--to", "es", "--engine", "d", cwd=tmp_path).returncode == 0
    out = {r["id"]: r["text"] for r in map(json.loads, tolk("export", cwd=tmp_path).stdout.splitlines())}
    assert out == {"a": "Sombrero azul", "b": "Sombrero azul"}


def test_tmx_round_trip(workdir: Path) -> None:
    assert tolk("tm", "import", "memory.tmx", cwd=workdir).returncode == 0
    result = tolk("tm", "export", "--from", "en", "--to", "ko", "--out", "out.tmx", cwd=workdir)
    assert result.returncode == 0, result.stderr
    text = (workdir / "out.tmx").read_text()
    assert 'version="1.4"' in text and "침실용 부드러운 면 베개." in text and "Manta" not in text
    fresh = workdir / "again"
    fresh.mkdir()
    (fresh / "out.tmx").write_text(text)
    imported = tolk("tm", "import", "out.tmx", cwd=fresh)
    assert imported.returncode == 0 and "1 pairs imported" in imported.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<tmx><header/><body><tu>", "bad.tmx:1: not valid XML"),
        ("<root/>", "bad.tmx:1: not a TMX file"),
        ('<tmx version="1.4"><header srclang="en"/><body><tu><tuv><seg>x</seg></tuv></tu></body></tmx>',
         "bad.tmx:1: <tuv> needs xml:lang"),
    ],
)  # fmt: skip
def test_bad_tmx_is_a_one_line_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.tmx").write_text(content)
    result = tolk("tm", "import", "bad.tmx", cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_a_unit_with_control_characters_does_not_break_the_export(tmp_path: Path) -> None:
    """A control character pasted into a catalog reached memory; the TMX export then crashed for all."""
    from tolk.memory import read_tmx

    store = Store(f"sqlite:///{tmp_path / 'tolk.db'}")
    with store.transaction() as session:
        store.remember(
            session, "en", "es", "Red\x0b shoe\x00", "Zapato\x1b rojo", "person", creator="ana\x07"
        )
        store.remember(session, "en", "es", "Blue hat", "Sombrero azul", "person", creator="ana")
    store.close()
    result = tolk(
        "tm", "export", "--out", "out.tmx", "--db", f"sqlite:///{tmp_path / 'tolk.db'}", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    pairs = sorted((s, t) for _, _, s, t, _ in read_tmx(tmp_path / "out.tmx"))
    assert pairs == [("Blue hat", "Sombrero azul"), ("Red shoe", "Zapato rojo")]


def test_variants_meet_in_memory(tmp_path: Path) -> None:
    """A unit from an en-US TMX serves an en catalog (the source text is the same); an es-MX request
    takes an es unit where it has none of its own, and its own where it has one."""
    from tolk.core import digest, normalize_text

    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    text = "Soft cotton pillow for the bedroom."
    with store.transaction() as session:
        store.remember(session, "en-US", "es", text, "Almohada suave.", "tmx")
        store.remember(session, "en", "es-MX", "Red hat.", "Sombrero rojo (MX).", "tmx")
        store.remember(session, "en", "es", "Red hat.", "Sombrero rojo.", "tmx")
    pillow, hat = digest(normalize_text(text)), digest(normalize_text("Red hat."))
    try:
        assert store.recall("en", "es", [pillow], ["tmx"]) == {pillow: "Almohada suave."}
        assert store.recall("en", "es-MX", [hat], ["tmx"]) == {hat: "Sombrero rojo (MX)."}
        assert store.recall("en", "es", [hat], ["tmx"]) == {hat: "Sombrero rojo."}
        assert store.recall("en", "es-AR", [hat], ["tmx"]) == {hat: "Sombrero rojo."}
        assert store.recall("en", "pt", [pillow, hat], ["tmx"]) == {}
    finally:
        store.close()


CAT_TOOL_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="en-US" adminlang="en" datatype="html" segtype="sentence" o-tmf="x"
 creationtool="x" creationtoolversion="1"/><body>
<tu><tuv xml:lang="en-US"><seg>Click <bpt i="1">&lt;b&gt;</bpt>Save<ept i="1">&lt;/b&gt;</ept>,
 <ph>{name}</ph>.</seg></tuv>
<tuv xml:lang="es-MX"><seg>Haz clic en <bpt i="1">&lt;b&gt;</bpt>Guardar<ept i="1">&lt;/b&gt;</ept>,
 <ph>{name}</ph>.</seg></tuv></tu>
</body></tmx>
"""


def test_inline_codes_survive_tmx_both_ways(tmp_path: Path) -> None:
    """A CAT tool's inline codes (<bpt>, <ept>, <ph>) come in as the markup they stand for, and go out
    as inline codes again — which translate-toolkit, the field's library, reads back as the same text."""
    from translate.storage import tmx

    (tmp_path / "cat.tmx").write_text(CAT_TOOL_TMX)
    assert tolk("tm", "import", "cat.tmx", cwd=tmp_path).returncode == 0
    done = tolk("tm", "export", "--out", "-", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert '<bpt i="1">&lt;b&gt;</bpt>Save<ept i="1">&lt;/b&gt;</ept>' in out and "<ph>{name}</ph>" in out
    [unit] = tmx.tmxfile.parsestring(out.encode()).units  # type: ignore[no-untyped-call]
    assert unit.source == "Click <b>Save</b>,\n {name}."
    assert unit.target == "Haz clic en <b>Guardar</b>,\n {name}."
