from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tolk import glossary
from tolk.core import InputError, Term
from tolk.text.placeholders import spans
from tolk.text.protect import protect

PLACEHOLDERS = [
    "{name}", "{{count}}", "%s", "%d", "%1$s", "%(qty)d", "${price}", "{0}", "%.2f", "{0:C2}", "{}", "%%"
]  # fmt: skip


@given(
    st.lists(
        st.one_of(st.sampled_from(PLACEHOLDERS), st.text(alphabet="abc xyz.,!", min_size=1, max_size=8)),
        min_size=1,
        max_size=12,
    )
)
def test_placeholders_become_tokens_and_come_back(parts: list[str]) -> None:
    text = " ".join(parts)
    p = protect(text)
    assert not spans(p.text)
    assert p.restore(p.text) == text


def test_restore_rejects_lost_and_duplicated_tokens() -> None:
    p = protect("Hello {name}, you have %d items")
    assert p.text == "Hello ⟦1⟧, you have ⟦2⟧ items"
    assert p.restore("Hola ⟦ 1 ⟧, tienes ⟦2⟧ artículos") == "Hola {name}, tienes %d artículos"
    with pytest.raises(ValueError, match="'%d' lost"):
        p.restore("Hola ⟦1⟧")
    with pytest.raises(ValueError, match="repeated"):
        p.restore("⟦1⟧ ⟦1⟧ ⟦2⟧")
    with pytest.raises(ValueError, match="invented"):
        p.restore("⟦1⟧ ⟦2⟧ ⟦3⟧")


def test_terms_restore_to_their_expected_form() -> None:
    terms = [Term("Nike", "Nike", do_not_translate=True), Term("Free shipping", "Envío gratis")]
    p = protect("Nike shoes. Free shipping!", terms)
    assert "Nike" not in p.text and "Free shipping" not in p.text
    assert p.restore(p.text) == "Nike shoes. Envío gratis!"


def test_term_matching_respects_word_edges_and_case() -> None:
    nike = Term("Nike", "Nike", do_not_translate=True, case_sensitive=True)
    assert [h[1] for h in glossary.find_terms("Nike and Nikes and nike", [nike])] == [0]
    loose = Term("free shipping", "envío gratis")
    assert len(glossary.find_terms("FREE SHIPPING today", [loose])) == 1
    cjk = Term("나이키", "Nike", do_not_translate=True)
    assert len(glossary.find_terms("나이키를 샀다", [cjk])) == 1
    longest = [Term("Nike Air", "Nike Air", True), Term("Nike", "Nike", True)]
    assert [h[0].source for h in glossary.find_terms("Nike Air shoes", longest)] == ["Nike Air"]


def test_missing_terms() -> None:
    terms = [Term("Free shipping", "Envío gratis"), Term("Nike", "Nike", True, True)]
    assert glossary.missing_terms("envío gratis de Nike", terms) == []
    assert [t.source for t in glossary.missing_terms("Envío libre de nike", terms)] == [
        "Free shipping",
        "Nike",
    ]


def test_load_glossary(tmp_path: Path) -> None:
    f = tmp_path / "g.csv"
    f.write_text(
        "source,target_lang,target,do_not_translate,case_sensitive,note\n"
        "Nike,,,true,true,brand\nFree shipping,es,Envío gratis,false,,\n"
    )
    g = glossary.load(f)
    assert len(g) == 2
    assert {t.source for t in g.terms_for("es")} == {"Nike", "Free shipping"}
    assert {t.source for t in g.terms_for("ko")} == {"Nike"}
    assert [t.source for t in g.applicable("Nike: free shipping", "es")] == ["Free shipping", "Nike"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Nike,es,,false,,\n", ":2: target is empty"),
        ("Nike,,Nike,false,,\n", ":2: target_lang is required"),
        ("Nike,es,Nike,maybe,,\n", ":2: do_not_translate must be true or false"),
        (",es,x,false,,\n", ":2: empty source"),
        ("Nike,klingon,x,false,,\n", ":2: unknown language"),
    ],
)
def test_bad_glossary_rows(tmp_path: Path, body: str, message: str) -> None:
    f = tmp_path / "g.csv"
    f.write_text("source,target_lang,target,do_not_translate,case_sensitive,note\n" + body)
    with pytest.raises(InputError, match=message):
        glossary.load(f)


def test_terms_version_is_order_free() -> None:
    a, b = Term("a", "x"), Term("b", "y")
    assert glossary.terms_version([a, b]) == glossary.terms_version([b, a]) != glossary.terms_version([a])


def test_percent_signs_in_prose_are_not_placeholders() -> None:
    assert protect("Save 30% de descuento, 20 % des frais").restore_map == {}
    assert list(protect("%d items, %s left, 5%s").restore_map.values()) == ["%d", "%s", "%s"]
