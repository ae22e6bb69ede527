"""Placeholders read per syntax (tolk.text.placeholders): what each syntax lets a translation change."""

from __future__ import annotations

import pytest

from tolk.text.placeholders import compare, parse, plural_categories, readable


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("%s and %d, %1$s, %.2f, %'d, %dGB", ["%s", "%d", "%1$s", "%.2f", "%'d", "%d"]),
        ("100%% cotton", ["%%"]),
        ("30% de descuento, 50%off, %APPDATA%", []),
        ("%sの返金", ["%s"]),
        ("{} of {}, {0:C2}, {name!r:>10}, {0,10:N2}", ["{}", "{}", "{0:C2}", "{name!r:>10}", "{0,10:N2}"]),
        ("{{ count }} and {{n, number}}, $t(common.cart)", ["{{count}}", "{{n, number}}", "$t(common.cart)"]),
        ("${ price } #{qty} %{name} %<amount>d", ["${price}", "#{qty}", "%{name}", "%<amount>d"]),
        ("{n, plural, one {# item} other {# items for {who}}}", ["{n, plural}", "{who}"]),
        ("{d, date, short} {0,number}", ["{d, date, short}", "{0, number}"]),
    ],
)  # fmt: skip
def test_each_syntax_is_read(text: str, keys: list[str]) -> None:
    assert [p.key for p in parse(text).placeholders] == keys


@pytest.mark.parametrize(
    ("source", "target", "lang", "problem"),
    [
        ("%s sold %d", "%d vendidos por %s", "es", "keep their order"),
        ("%1$s sold %2$d", "%2$d vendidos por %1$s", "es", None),
        ("{count} items", "{count, plural, one {# artículo} other {# artículos}}", "es", None),
        ("{n, plural, one {# item} other {# items}}", "{n}개", "ko", None),
        ("{n, plural, one {# item} other {# items}}", "{n} artículos", "es", "lost {n, plural}"),
        ("{n, plural, one {# item} other {# items}}", "{n, plural, one {# rzecz} other {# rzeczy}}", "pl",
         "lacks the pl categories few, many"),
        ("{n, plural, one {# item} other {# items}}",
         "{n, plural, one {# artículo} other {# artículos}}", "es", None),  # "many" (millions) is optional
        ("{n, plural, one {# item} other {# items}}", "{n, plural, onee {# a} other {# b}}", "es",
         "unknown categories onee"),
        ("{g, select, male {he} female {she} other {they}}", "{g, select, male {él} other {elle}}", "es",
         "lacks the branch(es) female"),
        ("{n, plural, one {# item} other {# items}}", "{n, plural, one {# item} other {# items}", "es",
         "does not parse"),
    ],
)  # fmt: skip
def test_what_a_translation_may_change(source: str, target: str, lang: str, problem: str | None) -> None:
    found = compare(source, target, lang)
    assert (found is None) if problem is None else (found is not None and problem in found.message)


def test_cldr_categories_and_icu_text() -> None:
    assert plural_categories("ar") == ("zero", "one", "two", "few", "many", "other")
    assert plural_categories("fr", required=True) == ("one", "other")
    assert plural_categories("ko") == ("other",)
    message = "{n, plural, one {# item in {place}} other {# items}} left"
    assert readable(message).split() == ["item", "in", "items", "left"]
    assert readable(message, every_branch=False).split() == ["items", "left"]
