"""Placeholders and markup come through intact."""

from __future__ import annotations

import html
import re
from collections import Counter

from tolk.quality.base import Check, Sample, Severity, case, parsed
from tolk.text import placeholders

_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)([^<>]*?)(/?)>")
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
# attributes whose value is text for people: a translation may (should) change them
_TRANSLATABLE = frozenset(
    {"alt", "title", "aria-label", "aria-description", "placeholder", "summary", "label"}
)
_VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "area", "col", "embed"}


class Placeholders(Check):
    """Placeholders read per syntax (tolk.text.placeholders): printf, Python/.NET braces, i18next,
    template literals, Ruby and ICU MessageFormat with its plural and select branches."""

    id = "placeholders"
    severity = Severity.CRITICAL
    description = (
        "interpolation placeholders come back: the same set per syntax, unnumbered printf arguments in "
        "their order, ICU arguments by name and type, plural branches for the target's CLDR categories"
    )
    good = (
        case("Hi {name}, %d items, {{x}}.", "Hola {name}, %d artículos, {{x}}."),
        case(
            "{n, plural, one {# item} other {# items}}", "{n, plural, one {# artículo} other {# artículos}}"
        ),
        case("{n, plural, one {item} other {items}}", "{n}개", "ko"),
        case("{count} items", "{count, plural, one {# artículo} other {# artículos}}"),
        case("%1$s by %2$s", "%2$s による %1$s", "ja"),
        case("%dGB left, 30% off", "Quedan %dGB, 30% de descuento"),
        case("Total: {0:C2}", "Gesamt: {0:C2}", "de"),
    )
    bad = (
        case("Hi {name}, %d items, {{x}}.", "Hola, %d artículos, {{x}}."),
        case("{n, plural, one {# item} other {# items}}", "{n} artículos"),
        case(
            "{n, plural, one {# item} other {# items}}", "{n, plural, one {# rzecz} other {# rzeczy}}", "pl"
        ),
        case("{d, date, short} at {t, time}", "{d, date, short}"),
        case("Total: {0:C2}", "Total: {0}"),
        case("%s sold %d", "%d vendidos por %s"),
        case("100%% cotton, %s", "100% algodón, %s"),
        case("Hello ${ name }", "Hola"),
        case("{g, select, male {his} female {her} other {their}}", "{g, select, male {su} other {su}}"),
    )

    def problem(self, s: Sample) -> str | tuple[str, dict[str, object]] | None:
        found = placeholders.compare_parsed(parsed(s, "source"), parsed(s, "target"), s.tgt_lang)
        if found is None:
            return None
        return found.message, {"lost": list(found.lost), "added": list(found.added)}


def tags(text: str) -> tuple[Counter[str], bool]:
    """The tags (as `b` / `/b`) and whether they nest properly."""
    seen: Counter[str] = Counter()
    stack: list[str] = []
    balanced = True
    for closing, name, _attrs, self_closing in _TAG.findall(text):
        name = name.lower()
        seen[("/" if closing else "") + name] += 1
        if self_closing or name in _VOID:
            continue
        if not closing:
            stack.append(name)
        elif stack and stack[-1] == name:
            stack.pop()
        else:
            balanced = False
    return seen, balanced and not stack


def attributes(text: str) -> Counter[tuple[str, str, str]]:
    """(tag, attribute, value) of every attribute a translation must keep as it is: links, sources,
    handlers, classes, ids… — all but those written for people (alt, title, aria-label…)."""
    found: Counter[tuple[str, str, str]] = Counter()
    for closing, name, attrs, _ in _TAG.findall(text):
        for attr, value in _ATTR.findall(attrs):
            attr = attr.lower()
            if not closing and attr not in _TRANSLATABLE:
                found[(name.lower(), attr, html.unescape(value.strip("\"'")).strip())] += 1
    return found


def _unsafe(attr: str, value: str) -> bool:
    return attr.startswith("on") or value.replace(" ", "").lower().startswith(("javascript:", "vbscript:"))


def _attribute_problem(
    want: Counter[tuple[str, str, str]], have: Counter[tuple[str, str, str]]
) -> tuple[str, dict[str, object]] | None:
    extra = sorted((have - want).elements())
    if unsafe := [f"{attr}={value!r}" for _, attr, value in extra if _unsafe(attr, value)]:
        return f"adds script to the markup: {', '.join(unsafe)}", {"unsafe": unsafe}
    if want == have:
        return None
    lost = [f"{tag} {attr}={value!r}" for tag, attr, value in sorted((want - have).elements())]
    added = [f"{tag} {attr}={value!r}" for tag, attr, value in extra]
    return f"tag attributes changed: lost {lost or '-'}, added {added or '-'}", {"lost": lost, "added": added}


class Tags(Check):
    id = "tags"
    severity = Severity.CRITICAL
    description = (
        "HTML/XML tags are the same set as in the source and balanced, with the same attributes (links, "
        "sources, classes: only alt, title, aria-label and the like may change); no script is added"
    )
    good = (
        case("<b>Red</b> <i>shoes</i>.", "<b>Rojos</b> <i>zapatos</i>."),
        case('<a href="/sale" class="x">Sale</a>', '<a class="x" href="/sale">Rebajas</a>'),
        case('<img src="a.png" alt="Red shoe">', '<img src="a.png" alt="Zapato rojo">'),
    )
    bad = (
        case("<b>Red</b> <i>shoes</i>.", "<b>Rojos <i>zapatos</i>."),
        case("<b>Red</b> shoes.", "Zapatos rojos."),
        case('<a href="/sale">Sale</a>', '<a href="https://evil.example/sale">Rebajas</a>'),
        case('<img src="a.png">', '<img src="b.png">'),
        case('<a href="/sale">Sale</a>', '<a href="/sale" onclick="steal()">Rebajas</a>'),
        case('<a href="/sale">Sale</a>', '<a href="javascript:steal()">Rebajas</a>'),
    )

    def problem(self, s: Sample) -> str | tuple[str, dict[str, object]] | None:
        if "<" not in s.source and "<" not in s.target:  # most catalog text has no markup at all
            return None
        want, _ = tags(s.source)
        have, balanced = tags(s.target)
        if want != have:
            lost, added = sorted((want - have).elements()), sorted((have - want).elements())
            return f"tags differ: lost {lost or '-'}, added {added or '-'}", {"lost": lost, "added": added}
        if not balanced and tags(s.source)[1]:
            return "tags are not balanced"
        return _attribute_problem(attributes(s.source), attributes(s.target))


# tokens tolk puts in a text on its way to an engine: ⟦1⟧ (placeholders, terms) and [[EMAIL_1]] (personal
# data); an engine may mangle one ([[EMAIL_]], [[TELÉFONO_1]]) so that restoring misses it
_TOOL_TOKEN = re.compile(r"⟦\s*\d*\s*⟧|\[\[[^\W\d_][^\W_]*_\d*\]\]")


class LeftoverTokens(Check):
    id = "tokens"
    severity = Severity.CRITICAL
    description = "none of tolk's own tokens (⟦1⟧, [[EMAIL_1]], a mangled [[EMAIL_]]) is left in the output"
    good = (
        case("Write to kim@example.com.", "Escribe a kim@example.com."),
        case("See [[Main Page]].", "Ver [[Main Page]]."),
    )
    bad = (
        case("Write to kim@example.com.", "Escribe a [[EMAIL_]]."),
        case("Write to kim@example.com.", "Escribe a [[CORREO_1]]."),
        case("Red Nike shoes.", "Zapatos ⟦1⟧ rojos."),
    )

    def problem(self, s: Sample) -> str | tuple[str, dict[str, object]] | None:
        if "⟦" not in s.target and "[[" not in s.target:
            return None
        left = Counter(_TOOL_TOKEN.findall(s.target)) - Counter(_TOOL_TOKEN.findall(s.source))
        if not left:
            return None
        found = sorted(left.elements())
        return f"tokens left in the output: {', '.join(found)}", {"tokens": found}
