"""`tolk docs translate` on real-looking documents of every format.

Round trip: the output parses, and its structure (headings, lists, tables, code byte-exact, links,
attributes, keys, non-string values, placeholders, ids, notes) equals the source's; only the text
changed. Property: random placeholders and inline markup survive every format through the dummy engine
and Apertium. Incremental: a second run makes no engine call and writes identical bytes.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from translate.storage import po

from tolk import assemble, config, documents
from tolk.pipeline import Job, Snippet, translate_snippets
from tolk.store.repo import Store
from tolk.testing.standin import StandIn

from .conftest import need_apertium, run_tolk
from .documents_skeleton import inline_codes, placeholders, skeleton

FIXTURES = Path(__file__).parent / "data" / "docs"
FILES = sorted(p.relative_to(FIXTURES) for p in FIXTURES.rglob("*") if p.is_file())


def write_config(folder: Path, engine: str, base_url: str = "") -> Path:
    cfg = folder / "tolk.toml"
    body = {
        # "[es] ..." is not Spanish: these tests are about structure, so the language checks are off
        "dummy": '[engines.dummy]\nkind = "dummy"\nexternal = false\n'
        '[quality]\ndisabled_checks = ["language", "untranslated"]\n',
        "apertium": '[engines.apertium]\nkind = "apertium"\nexternal = false\n',
        "llm": f'[engines.llm]\nkind = "openai"\nmodel = "m"\nbase_url = "{base_url}"\nexternal = false\n'
        "batch_size = 50\n",
    }[engine]
    cfg.write_text(f'default_engine = "{engine}"\n{body}')
    return cfg


def docs(tmp: Path, *args: str) -> tuple[int, str]:
    done = run_tolk("docs", "translate", *args, "--db", f"sqlite:///{tmp / 'tolk.db'}", cwd=tmp)
    return done.returncode, done.stdout + done.stderr


def output_of(out: Path, rel: Path, lang: str) -> Path:
    rel = rel.with_suffix(".po") if rel.suffix == ".pot" else rel
    return out / lang / rel


@pytest.mark.parametrize("engine", ["dummy", "apertium"])
def test_round_trip_keeps_every_formats_structure(tmp_path: Path, engine: str) -> None:
    if engine == "apertium":
        need_apertium()
    cfg = write_config(tmp_path, engine)
    code, said = docs(tmp_path, str(FIXTURES), "--to", "es", "--out", "out", "--config", str(cfg))
    assert code == 0, said
    changed = total = 0
    for rel in FILES:
        source = (FIXTURES / rel).read_bytes()
        target = output_of(tmp_path / "out", rel, "es").read_bytes()
        src_shape, src_texts = skeleton(rel, source)
        out_shape, out_texts = skeleton(rel, target)
        assert out_shape == src_shape, rel
        total += len(src_texts)
        changed += sum(1 for t in src_texts if t not in out_texts)
    assert changed >= 0.8 * total  # Apertium leaves a few names and numbers as they are


def test_what_each_format_must_keep(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, "dummy")
    code, said = docs(tmp_path, str(FIXTURES), "--to", "es", "--out", "out", "--config", str(cfg))
    assert code == 0, said
    out = tmp_path / "out" / "es"
    md = (out / "guide/getting-started.md").read_text()
    fence = (
        '```bash\nseller-cli product create --name "Red sneaker" --price 59.90\n# prints the new product id\n'
    )
    assert fence + "```" in md  # byte for byte
    assert "title: '[es] Getting started with the shop'" in md and "layout: docs" in md
    assert "[es] Run the following command" in md and "[products]: https://example.com/products" in md
    assert '![[es] a red sneaker](images/sneaker.png "[es] Red sneaker")' in md
    assert "`seller-cli`" in md and "<https://example.com/help>" in md and '<span class="mail">' in md
    page = (out / "guide/faq.html").read_text()
    assert 'window.analytics = "Do not translate"' in page and "GIFTCARD-2024" in page
    assert '<p translate="no">ACME Corp. All rights reserved.</p>' in page
    assert 'placeholder="[es] Search the help center"' in page and 'alt="[es] A parcel ready to ship"' in page
    assert '<html lang="es">' in page and page.startswith("<!DOCTYPE html>")
    arb = json.loads((out / "locales/app_en.arb").read_text())
    assert arb["@@locale"] == "es" and arb["@appTitle"]["description"] == "The title of the application"
    catalog = po.pofile.parsefile(str(out / "locales/messages.po"))  # type: ignore[no-untyped-call]
    by_id = {str(u.source): u for u in catalog.units if not u.isheader()}
    assert str(by_id["Checkout"].target) == "Pagar"  # a translation that was there stays
    assert str(by_id["Remove"].target).startswith("[es] Remove")  # a fuzzy one is filled
    assert by_id["Add to cart"].getlocations() == ["src/product.py:42"]
    assert "Button on the product page" in by_id["Add to cart"].getnotes("developer")
    assert "Language: es" in catalog.units[0].target
    x1 = (out / "locales/strings.xlf").read_bytes()
    assert inline_codes(x1)[0] == [("g", "1"), ("x", "2")] or ("g", "1") in inline_codes(x1)[0]
    assert b'<target state="translated">Ayuda</target>' in x1
    x2 = (out / "locales/strings2.xliff").read_bytes()
    assert [("ph", "1"), ("pc", "2")] in inline_codes(x2) and b"<target>Ajustes</target>" in x2


def test_plurals_follow_the_target_language(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, "dummy")
    code, said = docs(
        tmp_path, str(FIXTURES / "locales/en.json"), "--to", "ru,ja", "--out", "out", "--config", str(cfg)
    )
    assert code == 0, said
    ru = json.loads((tmp_path / "out/ru/en.json").read_text())
    ja = json.loads((tmp_path / "out/ja/en.json").read_text())
    assert [k for k in ru if k.startswith("items_")] == [
        "items_one",
        "items_few",
        "items_many",
        "items_other",
    ]
    assert [k for k in ja if k.startswith("items_")] == ["items_other"]
    assert ru["checkout"]["summary"].startswith(
        "{count, plural, =0 {[ru] Your cart is empty} one {[ru] # product"
    )
    assert " few {" in ru["checkout"]["summary"] and " many {" in ru["checkout"]["summary"]
    assert re.fullmatch(
        r"\{count, plural, =0 \{[^{}]*\} other \{\[ja\] # products, \{total\}\}\}", ja["checkout"]["summary"]
    )
    assert ru["version"] == 3 and ru["enabled"] is True


def test_a_second_run_calls_no_engine_and_writes_the_same_bytes(tmp_path: Path) -> None:
    tree = tmp_path / "src"
    shutil.copytree(FIXTURES, tree)
    with StandIn() as server:
        cfg = write_config(tmp_path, "llm", server.base_url)
        args = (str(tree), "--to", "es,ja", "--out", "out", "--config", str(cfg))
        assert docs(tmp_path, *args)[0] == 0
        first = len(server.requests)
        before = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
        stamps = {p: p.stat().st_mtime_ns for p in before}
        assert docs(tmp_path, *args)[0] == 0
        assert len(server.requests) == first  # 0 engine calls
        after = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
        assert after == before and all(
            p.stat().st_mtime_ns == stamps[p] for p in before
        )  # not even rewritten
        notes = tree / "notes.txt"
        notes.write_text(notes.read_text().replace("two decimals", "three decimals"))
        assert docs(tmp_path, *args)[0] == 0
        resent = [s for r in server.requests[first:] for s in _segments(r.body)]
        assert (
            sorted(resent)
            == ["The product editor now saves drafts automatically.\nPrices are shown with three decimals."]
            * 2
        )


def _segments(body: dict[str, object]) -> list[str]:
    messages = body.get("messages")
    assert isinstance(messages, list)
    data = json.loads(str(messages[-1]["content"]).split("\n", 1)[-1]) if messages else {}
    return [str(s["text"]) for s in data.get("segments", [])]


def test_units_travel_with_their_context_in_budgeted_requests(tmp_path: Path) -> None:
    tree = tmp_path / "src"
    tree.mkdir()
    (tree / "long.txt").write_text("\n\n".join(f"Paragraph number {i} about shoes." for i in range(400)))
    with StandIn() as server:
        cfg = write_config(tmp_path, "llm", server.base_url)
        assert docs(tmp_path, str(tree), "--to", "es", "--out", "out", "--config", str(cfg))[0] == 0
    bodies = [json.loads(str(r.body["messages"][-1]["content"]).split("\n", 1)[-1]) for r in server.requests]
    segments = [s for b in bodies for s in b["segments"]]
    assert len(bodies) > 1  # cut at paragraph boundaries to stay within the request budget
    second = next(s for s in segments if s["text"] == "Paragraph number 1 about shoes.")
    assert second["previous"] == "Paragraph number 0 about shoes."
    assert second["next"] == "Paragraph number 2 about shoes."


def test_bad_files_are_reported_and_the_rest_go_through(tmp_path: Path) -> None:
    tree = tmp_path / "src"
    tree.mkdir()
    (tree / "good.md").write_text("# Hello\n\nA paragraph.\n")
    (tree / "broken.json").write_text('{"a": "x",\n "b": }\n')
    (tree / "latin1.txt").write_bytes("Caf\xe9 menu".encode("latin-1"))
    (tree / "photo.png").write_bytes(b"\x89PNG")
    cfg = write_config(tmp_path, "dummy")
    code, said = docs(tmp_path, str(tree), "--to", "es", "--out", "out", "--config", str(cfg))
    assert code == 1
    assert "broken.json:2: not JSON (Expecting value)" in said
    assert "latin1.txt:1: not UTF-8 (byte 0xe9); convert it first" in said
    assert "photo.png: not translated: unsupported format" in said
    assert (tmp_path / "out/es/good.md").read_text().startswith("# [es] Hello")
    assert not (tmp_path / "out/es/broken.json").exists() and not (tmp_path / "out/es/latin1.txt").exists()
    single = docs(tmp_path, str(tree / "photo.png"), "--to", "es", "--out", "out2", "--config", str(cfg))
    assert single[0] == 1 and "photo.png: unsupported format '.png'" in single[1]


def test_an_edited_output_is_never_overwritten(tmp_path: Path) -> None:
    tree = tmp_path / "src"
    tree.mkdir()
    (tree / "a.md").write_text("# Title\n\nFirst text.\n")
    (tree / "b.md").write_text("# Other\n")
    cfg = write_config(tmp_path, "dummy")
    args = (str(tree), "--to", "es", "--out", "out", "--config", str(cfg))
    assert docs(tmp_path, *args)[0] == 0
    mine = tmp_path / "out/es/a.md"
    mine.write_text("# Título\n\nMi texto.\n")  # a person fixed it by hand
    (tree / "a.md").write_text("# Title\n\nFirst text, changed.\n")
    (tree / "b.md").write_text("# Other title\n")
    code, said = docs(tmp_path, *args)
    assert code == 1 and "a.md: changed since tolk wrote it" in said and "--force" in said
    assert mine.read_text() == "# Título\n\nMi texto.\n"
    assert (tmp_path / "out/es/b.md").read_text() == "# [es] Other title\n"  # the others still go through
    assert docs(tmp_path, *args, "--force")[0] == 0
    assert "First text, changed" in mine.read_text()


def test_suffix_layout(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, "dummy")
    src = tmp_path / "guide.md"
    src.write_text("# Guide\n")
    code, said = docs(
        tmp_path, str(src), "--to", "ja,zh-CN", "--out", "site", "--layout", "suffix", "--config", str(cfg)
    )
    assert code == 0, said
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == [
        ".tolk-docs.json",
        "guide_ja.md",
        "guide_zh-CN.md",
    ]


# --- property: placeholders and markup survive every format ----------------------------------------------

WORDS = ["red", "shoes", "the", "price", "is", "new", "order", "ships", "today", "for", "you"]
PLACEHOLDER = st.sampled_from(["{name}", "{{count}}", "%s", "%(total)d", "{0}"])
Wrap = Callable[[str, str], str]  # wraps the chosen word in inline markup


def _md(s: list[str], t: Wrap) -> str:
    return f"# {s[0]}\n\n{t('**', '**')} {s[1]}\n\n- {s[2]}\n"


def _html(s: list[str], t: Wrap) -> str:
    return f"<html><body><h1>{s[0]}</h1><p>{t('<b>', '</b>')} {s[1]}</p><p>{s[2]}</p></body></html>"


def _yaml(s: list[str], t: Wrap) -> str:
    return f"a: {json.dumps(s[0])}\nb:\n  - {json.dumps(s[1])}\n  - {json.dumps(s[2])}\n"


def _po(s: list[str], t: Wrap) -> str:
    return "".join(f'msgid {json.dumps(x)}\nmsgstr ""\n\n' for x in dict.fromkeys(s))


def _xliff(s: list[str], t: Wrap) -> str:
    units = "".join(
        f'<trans-unit id="u{i}"><source>{x.replace("&", "&amp;").replace("<", "&lt;")} <x id="{i}"/></source>'
        "</trans-unit>"
        for i, x in enumerate(s)
    )
    return (
        '<?xml version="1.0"?><xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
        f'<file original="f" source-language="en" datatype="plaintext"><body>{units}</body></file></xliff>'
    )


TEMPLATES: dict[str, tuple[str, Callable[[list[str], Wrap], str]]] = {
    "md": ("doc.md", _md),
    "html": ("doc.html", _html),
    "json": ("doc.json", lambda s, t: json.dumps({"a": s[0], "b": {"c": s[1], "d": [s[2]]}})),
    "yaml": ("doc.yml", _yaml),
    "po": ("doc.po", _po),
    "xliff": ("doc.xlf", _xliff),
    "text": ("doc.txt", lambda s, t: "\n\n".join(s) + "\n"),
}
sentence = st.lists(st.one_of(st.sampled_from(WORDS), PLACEHOLDER), min_size=2, max_size=8).map(" ".join)


def _translate_file(loop: asyncio.AbstractEventLoop, job: Job, name: str, data: bytes) -> bytes:
    fmt = documents.format_for(Path(name), documents.formats())
    doc = fmt.parse(data, Path(name), "en")
    target = "es"
    snippets = [Snippet(u.text, u.context) for u in doc.units]
    done = loop.run_until_complete(translate_snippets(job, snippets, "en", target))
    doc.problems = {}
    out = doc.render({u.id: d.text for u, d in zip(doc.units, done, strict=True) if d.ok}, target)
    assert not doc.problems, doc.problems
    return out


@pytest.mark.parametrize("engine", ["dummy", "apertium"])
def test_placeholders_and_tags_survive_every_format(tmp_path: Path, engine: str) -> None:
    if engine == "apertium":
        need_apertium()
    s = config.load(write_config(tmp_path, engine), db=f"sqlite:///{tmp_path / 'p.db'}")
    store = Store(s.store)
    kit = assemble.kit(s, store)
    loop = asyncio.new_event_loop()  # one loop: Apertium's processes belong to the loop that started them

    @settings(
        max_examples=12 if engine == "apertium" else 30,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(sentences=st.lists(sentence, min_size=3, max_size=3), wrapped=st.sampled_from(WORDS))
    def check(sentences: list[str], wrapped: str) -> None:
        for kind, (name, template) in TEMPLATES.items():
            source = template(sentences, lambda a, b: f"{a}{wrapped}{b}").encode()
            output = _translate_file(loop, kit.job(s), name, source)
            src_text, out_text = source.decode(), output.decode()
            if kind == "po":  # comments and the header tolk adds are not the messages
                src_text, out_text = (re.sub(r"(?m)^#.*\n", "", t) for t in (src_text, out_text))
            times = 2 if kind in ("po", "xliff") else 1  # bilingual: the source stays beside the target
            want = Counter({k: v * times for k, v in placeholders(src_text).items()})
            assert placeholders(out_text) == want, (kind, src_text, out_text)
            for tag in ("**", "<b>", "</b>", "<x "):
                assert out_text.count(tag) == src_text.count(tag) * times, (kind, tag, out_text)

    try:
        check()
    finally:
        loop.run_until_complete(kit.aclose())
        loop.close()
        store.close()


def test_the_glossary_holds_across_a_document(tmp_path: Path) -> None:
    need_apertium()
    cfg = write_config(tmp_path, "apertium")
    (tmp_path / "terms.csv").write_text("source,target_lang,target,do_not_translate\nSeller Center,,,true\n")
    (tmp_path / "a.md").write_text(
        "# The Seller Center\n\nThe Seller Center opens today.\n\nUse the Seller Center for orders.\n"
    )
    code, said = docs(
        tmp_path,
        "a.md",
        "--to",
        "es",
        "--out",
        "out",
        "--config",
        str(cfg),
        "--glossary",
        "terms.csv",
        "--report",
        "report.json",
    )
    assert code == 0, said
    out = (tmp_path / "out/es/a.md").read_text()
    assert out.count("Seller Center") == 3 and "Vendedor" not in out and "abre hoy" in out
    report = json.loads((tmp_path / "report.json").read_text())
    assert report[0]["file"] == "a.md" and report[0]["units"] == 3 and report[0]["failed"] == []


def test_html_blocks_inside_markdown_are_translated_like_html(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, "dummy")
    block = '<div class="note">Save <b>twice</b>. <img src="x.png" alt="A box"></div>'
    (tmp_path / "a.md").write_text(f"Intro.\n\n{block}\n\n<!-- not text -->\n")
    code, said = docs(
        tmp_path, "a.md", "--to", "es", "--out", "out", "--config", str(cfg), "--report", "r.json"
    )
    assert code == 0, said
    out = (tmp_path / "out/es/a.md").read_text()
    assert '<div class="note">[es] Save <b>twice</b>. <img src="x.png" alt="[es] A box"></div>' in out
    assert "<!-- not text -->" in out
    assert json.loads((tmp_path / "r.json").read_text())[0]["units"] == 3  # the intro, the div, the alt


def test_a_required_term_is_looked_for_in_the_whole_document(apertium: None, tmp_path: Path) -> None:
    """A financial document needs its market's term once, not in every heading; without it the whole
    document fails — once, naming the document — and is not written."""
    (tmp_path / "tolk.toml").write_text('[profiles.financial]\nrequired_terms = { es = ["TAE"] }\n')
    (tmp_path / "loan.md").write_text(
        "# Personal loan\n\nThe annual percentage rate (TAE) is 5 %.\n\nPayments are monthly.\n"
    )
    (tmp_path / "plain.md").write_text("# Personal loan\n\nPayments are monthly.\n")
    env = {"TOLK_CONFIG": str(tmp_path / "tolk.toml")}
    ok = run_tolk(
        "docs",
        "translate",
        "loan.md",
        "--to",
        "es",
        "--profile",
        "financial",
        "--out",
        "out",
        cwd=tmp_path,
        env=env,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert (
        "(TAE)" in (tmp_path / "out/es/loan.md").read_text()
        and "Préstamo personal" in (tmp_path / "out/es/loan.md").read_text()
    )
    missing = run_tolk(
        "docs", "translate", "plain.md", "--to", "es", "--profile", "financial", "--out", "out",
        "--report", "report.json", cwd=tmp_path, env=env,
    )  # fmt: skip
    assert missing.returncode == 1
    assert (
        "plain.md: required term 'TAE' appears nowhere in its es translation: not written" in missing.stderr
    )
    assert not (tmp_path / "out/es/plain.md").exists()
    [entry] = json.loads((tmp_path / "report.json").read_text())
    assert [f["checks"] for f in entry["failed"]] == [["required_terms: TAE"]]  # once, for the document
