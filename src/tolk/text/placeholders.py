"""Interpolation placeholders, read per syntax, and what a translation must keep of them.

Each syntax has its own rule for what may change:

- printf (`%s`, `%.2f`, `%'d`, `%dGB`): unnumbered arguments are consumed in order, so their order is
  part of the message (`%s %d` → `%d %s` breaks at run time); numbered ones (`%1$s`) may move. `%%` is a
  literal percent sign and must stay doubled.
- Python / .NET / i18next / template literals / Ruby (`{name}`, `{0:C2}`, `{{x}}`, `$t(key)`, `${ x }`,
  `%{x}`):
  named, compared as a multiset in any order; `{}` is positional, so only its count can be compared.
- ICU MessageFormat (`{n, plural, one {# item} other {# items}}`): parsed with pyicumessageformat;
  arguments compared by name and type, plural branches against the target language's CLDR categories
  (babel), select branches against the source's keys. A plain `{n}` may become a plural; a plural may
  become a plain `{n}` only in a language with one plural form (ko, ja, zh, th, ms…).

Hand-written regular expressions for printf and brace formats (no maintained parser reads them all from
one text, and which syntax a catalog string uses is not declared); ICU goes to a real parser.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from babel import Locale
from babel.core import UnknownLocaleError
from pyicumessageformat import Parser  # type: ignore[import-untyped]

CATEGORIES = ("zero", "one", "two", "few", "many", "other")

_ICU_ARG = re.compile(
    r"\{\s*[\w.]+\s*,\s*(?:plural|select|selectordinal|number|date|time|spellout|ordinal|duration)\s*[,}]"
)
_PATTERN = re.compile(
    r"""
      (?P<percent>%%)
    | (?P<i18next>\{\{\s*[\w.\-]+(?:\s*,\s*[^{}]+?)?\s*\}\})                       # {{name}} {{n, number}}
    | (?P<nesting>\$t\([^()]*\))                                                # i18next $t(key)
    | (?P<template>[$#]\{\s*[\w.\-\[\]'"]+\s*\})                                 # ${ x } #{x}
    | (?P<ruby>%\{[\w.\-]+\}|%<[\w.\-]+>[-+ #0]*\d*(?:\.\d+)?[a-zA-Z])           # %{x} %<x>d
    | (?P<named>%\([\w.\-]+\)[-+ #0']*\d*(?:\.\d+)?[diouxXeEfFgGcrsa])           # %(name)s
    | (?P<printf>%(?:(?P<pos>\d+)\$)?[-+#0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?
          (?:hh|h|ll|l|L|q|j|z|t)?(?P<conv>[diouxXeEfFgGaAcspn@]))               # %s %1$s %.2f %'d
    | (?P<brace>\{[\w.\-]*(?:![rsa])?(?:\s*,\s*-?\d+)?(?::[^{}]*)?\})             # {} {0} {name} {0:C2}
    """,
    re.VERBOSE,
)
# conversions that read a number: a unit may stand right after them (%dGB, %.1fMB); after the others, or
# after a percent sign that follows a number, a Latin letter means prose ("%sale", "30%de", "%APPDATA%");
# "%sの" is a placeholder and a Japanese particle
_NUMERIC = frozenset("diouxXfF")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Placeholder:
    syntax: str  # printf, named, brace, i18next, template, ruby, icu, percent
    key: str  # what must come back: "%s", "%1$s", "{name}", "{0:C2}", "{n, plural}"
    ordered: bool  # its position among the ordered ones is part of the message
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Branches:
    """The branch keys of one ICU plural/select argument."""

    name: str
    kind: str  # plural, selectordinal, select
    keys: frozenset[str]


@dataclass(frozen=True, slots=True)
class Parsed:
    placeholders: tuple[Placeholder, ...]
    branches: tuple[Branches, ...] = ()
    icu_error: str | None = None  # the text looks like ICU but does not parse
    ast: list[Any] | None = None  # an ICU message as pyicumessageformat reads it


@lru_cache(maxsize=4096)
def parse(text: str) -> Parsed:
    """The placeholders of `text`. Cached: a catalog's source is judged once per target language, and
    parsing ICU (pure Python) costs more than every rule check together. Treat the result as frozen."""
    if "{" in text and _ICU_ARG.search(text):
        icu = _parse_icu(text)
        if icu is not None:
            return icu
    return Parsed(tuple(_scan(text)))


def _scan(text: str) -> list[Placeholder]:
    if "%" not in text and "{" not in text and "$t(" not in text:  # every syntax has one of them
        return []
    found = []
    for m in _PATTERN.finditer(text):
        kind = m.lastgroup if m.lastgroup not in {"pos", "conv"} else "printf"
        if m.group("printf") is not None:
            kind = "printf"
            after, before = text[m.end() : m.end() + 1], text[max(0, m.start() - 1) : m.start()]
            if after.isascii() and after.isalpha() and (m.group("conv") not in _NUMERIC or before.isdigit()):
                continue  # "%sale", "30%de descuento": prose
        key = _SPACES.sub("", m.group(0)) if kind != "i18next" else _i18next_key(m.group(0))
        ordered = (kind == "printf" and m.group("pos") is None) or key == "{}"
        found.append(Placeholder(str(kind), key, ordered, m.start(), m.end()))
    return found


def _i18next_key(token: str) -> str:
    inner = token[2:-2].strip()
    name, _, fmt = inner.partition(",")
    return "{{" + name.strip() + (", " + fmt.strip() if fmt else "") + "}}"


@cache
def _parser() -> Any:
    return Parser({"allow_tags": False, "strict": False})


def _parse_icu(text: str) -> Parsed | None:
    try:
        ast = _parser().parse(text)
    except (SyntaxError, TypeError, ValueError) as exc:
        return Parsed(tuple(_scan(text)), icu_error=str(exc))
    keys: dict[str, None] = {}
    branches: list[Branches] = []
    _walk(ast, keys, branches)
    placeholders = tuple(Placeholder("icu", k, False, 0, 0) for k in keys)
    return Parsed(placeholders, tuple(branches), ast=ast)


def _walk(parts: list[Any], keys: dict[str, None], branches: list[Branches]) -> None:
    for part in parts:
        if isinstance(part, str) or part.get("hash"):
            continue
        kind = part.get("type")
        if "options" in part:
            keys[f"{{{part['name']}, {_family(kind)}}}"] = None
            branches.append(Branches(part["name"], kind, frozenset(part["options"])))
            for branch in part["options"].values():
                _walk(branch, keys, branches)
        elif kind:
            style = part.get("format") or part.get("style")
            keys["{" + ", ".join(str(x) for x in (part["name"], kind, style) if x) + "}"] = None
        else:
            keys[f"{{{part['name']}}}"] = None


def _family(kind: str) -> str:
    return "plural" if kind in {"plural", "selectordinal"} else kind


@cache
def plural_categories(lang: str, ordinal: bool = False, *, required: bool = False) -> tuple[str, ...]:
    """The CLDR plural categories of `lang` (babel), in CLDR's order; one/other where CLDR has none.

    `required` leaves out the categories only millions and exponents select (Spanish, French, Italian
    "many"): a message without them falls back to "other", as nearly every real catalog does."""
    try:
        locale = Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return ("one", "other")
    form = locale.ordinal_form if ordinal else locale.plural_form
    rare = {c for c, rule in form.rules.items() if "1000000" in rule or rule.startswith("e ")}
    return tuple(c for c in CATEGORIES if (c in form.tags and not (required and c in rare)) or c == "other")


# --- comparing a translation's placeholders with its source's ------------------------------------------


@dataclass(frozen=True, slots=True)
class Mismatch:
    message: str
    lost: tuple[str, ...] = ()
    added: tuple[str, ...] = ()


def compare(source: str, target: str, tgt_lang: str) -> Mismatch | None:
    return compare_parsed(parse(source), parse(target), tgt_lang)


def compare_parsed(want: Parsed, have: Parsed, tgt_lang: str) -> Mismatch | None:
    if not (want.placeholders or have.placeholders or have.icu_error):  # most catalog text
        return None
    if have.icu_error and not want.icu_error and want.branches:
        return Mismatch(f"the ICU message does not parse: {have.icu_error}")
    icu = bool(want.branches or have.branches)
    need = _keys(want, distinct=icu)
    got = _keys(have, distinct=icu)
    lost, added = need - got, got - need
    single_form = plural_categories(tgt_lang) == ("other",)
    for key in list(lost):  # {n, plural} -> {n}: fine where the language has one plural form
        plain = "{" + key[1:].split(",")[0] + "}"
        if key.endswith(", plural}") and single_form and added[plain]:
            del lost[key], added[plain]
    for key in list(added):  # {n} -> {n, plural}: the translation added the plural the source lacked
        plain = "{" + key[1:].split(",")[0] + "}"
        if key.endswith((", plural}", ", select}")) and lost[plain]:
            del added[key], lost[plain]
    if lost or added:
        parts = ([f"lost {', '.join(sorted(lost.elements()))}"] if lost else []) + (
            [f"added {', '.join(sorted(added.elements()))}"] if added else []
        )
        return Mismatch("placeholders " + "; ".join(parts), tuple(lost.elements()), tuple(added.elements()))
    order = _order(want), _order(have)
    if order[0] != order[1]:
        return Mismatch(
            f"unnumbered placeholders must keep their order: {' '.join(order[0])} became {' '.join(order[1])}"
            " (number them, %1$s, to reorder)"
        )
    return _branch_problem(want, have, tgt_lang)


def _keys(parsed: Parsed, distinct: bool) -> Counter[str]:
    keys = [p.key for p in parsed.placeholders]
    return Counter(dict.fromkeys(keys, 1)) if distinct else Counter(keys)


def _order(parsed: Parsed) -> list[str]:
    return [p.key for p in parsed.placeholders if p.ordered]


def _branch_problem(want: Parsed, have: Parsed, lang: str) -> Mismatch | None:
    source_keys = {(b.name, b.kind): b.keys for b in want.branches}
    for b in have.branches:
        exact = {k for k in b.keys if k.startswith("=")}
        named = b.keys - exact
        if b.kind == "select":
            missing = source_keys.get((b.name, b.kind), frozenset()) - b.keys
            if missing or "other" not in b.keys:
                lacks = ", ".join(sorted(missing | ({"other"} - b.keys)))
                return Mismatch(f"select {{{b.name}}} lacks the branch(es) {lacks}")
            continue
        wanted = set(plural_categories(lang, ordinal=b.kind == "selectordinal", required=True))
        if unknown := sorted(named - set(CATEGORIES)):
            return Mismatch(f"plural {{{b.name}}} has unknown categories {', '.join(unknown)}")
        if absent := sorted(wanted - named, key=CATEGORIES.index):
            return Mismatch(
                f"plural {{{b.name}}} lacks the {lang} categor{'y' if len(absent) == 1 else 'ies'} "
                f"{', '.join(absent)} (CLDR: {', '.join(sorted(wanted, key=CATEGORIES.index))})"
            )
    return None


def readable(text: str, *, every_branch: bool = True, parsed: Parsed | None = None) -> str:
    """The words of a message without its placeholders: an ICU message's branch texts (its syntax and
    argument names are not language) — all of them, or only each argument's `other` branch (as long as
    one reading of the message) — and any other text with its placeholders blanked. `parsed` is
    `parse(text)` where the caller has it already."""
    if parsed is None and "{" in text and _ICU_ARG.search(text):
        parsed = parse(text)
    if parsed is not None and parsed.ast is not None:
        return " ".join(_texts(parsed.ast, every_branch))
    found = [(p.start, p.end) for p in parsed.placeholders] if parsed is not None else spans(text)
    for start, end in reversed(found):
        text = text[:start] + " " + text[end:]
    return text


def _texts(parts: list[Any], every_branch: bool) -> list[str]:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif "options" in part:
            options = part["options"]
            chosen = options.values() if every_branch else [options.get("other", [])]
            for branch in chosen:
                out.extend(_texts(branch, every_branch))
    return out


def has_icu(text: str) -> bool:
    return "{" in text and _ICU_ARG.search(text) is not None


def spans(text: str) -> list[tuple[int, int]]:
    """Where the printf, brace and template placeholders are, read without ICU (an ICU message's
    arguments have no single span; its simple `{name}` arguments are found all the same)."""
    return [(p.start, p.end) for p in _scan(text)]
