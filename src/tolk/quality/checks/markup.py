"""Placeholders and markup come through intact."""

from __future__ import annotations

import html
import re
from collections import Counter

from tolk.quality.base import Check, Sample, Severity, case
from tolk.text.protect import PLACEHOLDER_RE

_ICU = re.compile(r"\{\s*(\w+)\s*,\s*(plural|select|selectordinal)\s*,")
_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)([^<>]*?)(/?)>")
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
# attributes whose value is text for people: a translation may (should) change them
_TRANSLATABLE = frozenset(
    {"alt", "title", "aria-label", "aria-description", "placeholder", "summary", "label"}
)
_VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "area", "col", "embed"}


def placeholders(text: str) -> Counter[str]:
    found = Counter(m.group(0).replace(" ", "") for m in PLACEHOLDER_RE.finditer(text))
    found.update(f"{{{name}, {kind}}}" for name, kind in _ICU.findall(text))
    return found


class Placeholders(Check):
    id = "placeholders"
    severity = Severity.CRITICAL
    description = "interpolation placeholders ({x}, {{x}}, %s, %1$s, %(x)s, ICU) are identical as a multiset"
    good = (
        case("Hi {name}, %d items, {{x}}.", "Hola {name}, %d artículos, {{x}}."),
        case(
            "{n, plural, one {# item} other {# items}}", "{n, plural, one {# artículo} other {# artículos}}"
        ),
    )
    bad = (
        case("Hi {name}, %d items, {{x}}.", "Hola, %d artículos, {{x}}."),
        case("{n, plural, one {# item} other {# items}}", "{n} artículos"),
    )

    def problem(self, s: Sample) -> str | tuple[str, dict[str, object]] | None:
        want, have = placeholders(s.source), placeholders(s.target)
        if want == have:
            return None
        lost, added = sorted((want - have).elements()), sorted((have - want).elements())
        parts = ([f"lost {', '.join(lost)}"] if lost else []) + (
            [f"added {', '.join(added)}"] if added else []
        )
        return "placeholders " + "; ".join(parts), {"lost": lost, "added": added}


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
        left = Counter(_TOOL_TOKEN.findall(s.target)) - Counter(_TOOL_TOKEN.findall(s.source))
        if not left:
            return None
        found = sorted(left.elements())
        return f"tokens left in the output: {', '.join(found)}", {"tokens": found}
