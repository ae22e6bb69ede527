"""Resource files: JSON (flat or nested, i18next, ARB) and YAML. Keys stay; string values are units.

- Interpolation placeholders (`{{name}}`, `{name}`, `%s` …) are protected by every engine already.
- ICU MessageFormat values (`{n, plural, one {# item} other {# items}}`, select, selectordinal) are
  parsed (pyicumessageformat); each branch's text is a unit, arguments and `#` are masks, and plural
  branches are re-cut for the target language's CLDR categories (Babel): Russian gains `few` and
  `many`, Japanese keeps `other` only; `=N` branches stay.
- i18next plural keys (`item_one`, `item_other`, …) are expanded or dropped the same way.
- ARB: `@key` metadata is kept (its description is the unit's context), `@@locale` becomes the target.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pyicumessageformat import Parser  # type: ignore[import-untyped]

from tolk.documents.base import Document, DocumentError, Format, Masks, Unit, decode
from tolk.text import placeholders

_PLURAL_KEY = re.compile(r"^(?P<base>.+)_(?P<cat>zero|one|two|few|many|other)$")
_ICU = re.compile(r"\{\s*[\w.]+\s*,\s*(plural|select|selectordinal)\s*,")
_WORD = re.compile(r"\w")


def plural_categories(lang: str, ordinal: bool = False) -> list[str]:
    return list(placeholders.plural_categories(lang, ordinal))


# --- ICU MessageFormat -----------------------------------------------------------------------------

Part = list[Any]  # strings and argument dicts, as pyicumessageformat parses them


def _quote(text: str) -> str:
    text = text.replace("'", "''") if re.search(r"'[{}#|']", text) else text
    return re.sub(r"([{}])", r"'\1'", text)


def icu_text(parts: Part) -> str:
    out = []
    for p in parts:
        if isinstance(p, str):
            out.append(_quote(p))
        elif p.get("hash"):
            out.append("#")
        elif "options" in p:
            offset = f" offset:{p['offset']}" if p.get("offset") else ""
            branches = " ".join(f"{k} {{{icu_text(v)}}}" for k, v in p["options"].items())
            out.append(f"{{{p['name']}, {p['type']},{offset} {branches}}}")
        elif "type" in p:
            fmt = f", {p['format']}" if p.get("format") else ""
            out.append(f"{{{p['name']}, {p['type']}{fmt}}}")
        else:
            out.append(f"{{{p['name']}}}")
    return "".join(out)


class _Message:
    """One ICU value: each text part a unit (`path#branch/…`), arguments masked."""

    def __init__(self, uid: str, ast: Part, context: dict[str, str]) -> None:
        self.uid, self.ast = uid, ast
        self.parts: dict[str, tuple[Masks, Part]] = {}
        self.units: list[Unit] = []
        self.problems: dict[str, str] = {}
        self._collect(ast, uid, context)

    def _collect(self, parts: Part, uid: str, context: dict[str, str]) -> None:
        masks, text = Masks(), []
        for p in parts:
            if isinstance(p, str):
                text.append(p)
            else:
                text.append(masks.add(p))
                for branch, sub in (p.get("options") or {}).items():
                    self._collect(sub, f"{uid}/{p['name']}:{branch}", context | {"plural form": branch})
        joined = "".join(text)
        if _WORD.search(re.sub(r"\{\{t\d+\}\}", "", joined)):
            self.parts[uid] = (masks, parts)
            self.units.append(Unit(uid, joined, dict(context)))

    def render(self, translated: dict[str, str], target: str) -> str:
        return icu_text(self._rebuild(self.ast, self.uid, translated, target))

    def _rebuild(self, parts: Part, uid: str, translated: dict[str, str], target: str) -> Part:
        if uid in self.parts and uid in translated:
            masks, _ = self.parts[uid]
            try:
                parts = masks.split(translated[uid])
            except ValueError as exc:
                self.problems[uid] = str(exc)
        out: Part = []
        for p in parts:
            if isinstance(p, dict) and "options" in p:
                arg = copy.deepcopy(p)
                options = {
                    k: self._rebuild(v, f"{uid}/{arg['name']}:{k}", translated, target)
                    for k, v in arg["options"].items()
                }
                if arg["type"] in ("plural", "selectordinal"):
                    options = _recut(options, plural_categories(target, arg["type"] == "selectordinal"))
                arg["options"] = options
                out.append(arg)
            else:
                out.append(p)
        return out


def _recut(options: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    """Exact `=N` branches stay; CLDR categories become the target's, new ones copied from `other`."""
    exact = {k: v for k, v in options.items() if k.startswith("=")}
    fallback = options.get("other") or next(iter(options.values()))
    return exact | {c: options.get(c, copy.deepcopy(fallback)) for c in wanted}


# --- the document -----------------------------------------------------------------------------------


class ResourceDocument(Document):
    def __init__(self, data: Any, kind: str, indent: int | None, newline: bool, arb: bool) -> None:
        self.data, self.kind, self.indent, self.newline, self.arb = data, kind, indent, newline, arb
        self.units: list[Unit] = []
        self.messages: dict[str, _Message] = {}
        self._walk(data, [])

    def _walk(self, node: Any, path: list[str]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if self.arb and str(key).startswith("@"):
                    continue
                context = {"key": ".".join([*path, str(key)])}
                note = node.get(f"@{key}") if self.arb else None
                if isinstance(note, dict) and isinstance(note.get("description"), str):
                    context["note"] = note["description"]
                self._leaf_or_walk(value, [*path, str(key)], context)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                self._leaf_or_walk(value, [*path, str(i)], {"key": ".".join([*path, str(i)])})

    def _leaf_or_walk(self, value: Any, path: list[str], context: dict[str, str]) -> None:
        if not isinstance(value, str):
            self._walk(value, path)
            return
        uid = "/".join(path)
        if _ICU.search(value):
            try:
                ast = Parser().parse(value)
            except Exception:  # not ICU after all: translate it as text
                ast = None
            if ast is not None:
                message = _Message(uid, ast, context)
                self.messages[uid] = message
                self.units += message.units
                return
        if _WORD.search(value):
            self.units.append(Unit(uid, value, context))

    def render(self, translated: dict[str, str], target: str) -> bytes:
        data = self._render(copy.deepcopy(self.data), [], translated, target)
        if self.arb and isinstance(data, dict) and "@@locale" in data:
            data["@@locale"] = target.replace("-", "_")
        if self.kind == "yaml":
            out = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)
        else:
            out = json.dumps(data, ensure_ascii=False, indent=self.indent) + ("\n" if self.newline else "")
        return out.encode("utf-8")

    def _render(self, node: Any, path: list[str], translated: dict[str, str], target: str) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                out[key] = (
                    value
                    if self.arb and str(key).startswith("@")
                    else self._render(value, [*path, str(key)], translated, target)
                )
            return _i18next_plurals(out, target)
        if isinstance(node, list):
            return [self._render(v, [*path, str(i)], translated, target) for i, v in enumerate(node)]
        if isinstance(node, str):
            uid = "/".join(path)
            if uid in self.messages:
                message = self.messages[uid]
                rendered = message.render(translated, target)
                for key, why in message.problems.items():
                    self.keep(key, why)
                return rendered
            return translated.get(uid, node)
        return node


def _i18next_plurals(node: dict[str, Any], target: str) -> dict[str, Any]:
    """`key_one`/`key_other` siblings re-cut for the target's plural categories."""
    groups: dict[str, dict[str, str]] = {}
    for key in node:
        found = _PLURAL_KEY.match(str(key))
        if found and isinstance(node[key], str):
            groups.setdefault(found["base"], {})[found["cat"]] = key
    if not any("other" in g for g in groups.values()):
        return node
    wanted = plural_categories(target)
    out: dict[str, Any] = {}
    for key, value in node.items():
        found = _PLURAL_KEY.match(str(key))
        group = groups.get(found["base"]) if found else None
        if not found or not group or "other" not in group:
            out[key] = value
        elif found["cat"] == "other":  # the group is written where its `other` was, in CLDR order
            base = found["base"]
            for cat in wanted:
                out[f"{base}_{cat}"] = node[group[cat]] if cat in group else value
    return out


def _indent(text: str) -> int | None:
    found = re.search(r"^\{\s*\n([ \t]+)\S", text)
    return len(found[1].expandtabs(4)) if found else None


def _tree(parsed: Any, path: Path) -> None:
    if not isinstance(parsed, dict | list):
        raise DocumentError(
            f"{path}: a resource file holds a mapping or a list, not a {type(parsed).__name__}"
        )


class Json(Format):
    name = "json"
    suffixes = (".json", ".arb")
    example = b'{\n  "title": "Your cart",\n  "cta": "Pay {amount} now",\n  "count": 3\n}\n'
    bad_example = b'{\n  "title": "Your cart",\n  "cta": \n}\n'

    def parse(self, data: bytes, path: Path, source: str) -> Document:
        text = decode(data, path)
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DocumentError(f"{path}:{exc.lineno}: not JSON ({exc.msg})") from None
        _tree(parsed, path)
        return ResourceDocument(parsed, "json", _indent(text), text.endswith("\n"), path.suffix == ".arb")


class Yaml(Format):
    name = "yaml"
    suffixes = (".yml", ".yaml")
    example = b"cart:\n  title: Your cart\n  empty: Nothing here yet\nitems: 3\n"
    bad_example = b"cart:\n  title: [Your cart\n"

    def parse(self, data: bytes, path: Path, source: str) -> Document:
        text = decode(data, path)
        try:
            parsed = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f":{mark.line + 1}" if mark is not None else ""
            raise DocumentError(f"{path}{where}: not YAML ({getattr(exc, 'problem', exc)})") from None
        _tree(parsed, path)
        return ResourceDocument(parsed, "yaml", None, True, False)


def strings(node: Any) -> Iterator[str]:
    """Every string value (tests compare structures with it)."""
    if isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)
    elif isinstance(node, str):
        yield node
