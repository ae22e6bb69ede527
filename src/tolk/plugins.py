"""Extension points by name: what tolk ships, and what installed packages add through entry points.

Each extension point is an entry-point group. tolk's own kinds are listed here (one line each, as
"module:attribute" strings, so nothing is imported until a kind is used); another package adds a kind
by declaring an entry point in the same group, without editing tolk (as simonw/llm's plugins do):

    [project.entry-points."tolk.engines"]
    echo = "tolk_echo:EchoEngine"

This module sits at the bottom of the house: the configuration checks a kind's name against it, the
registries above import what it names.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from pydantic_core import PydanticCustomError

from tolk.core import ConfigError

ENGINES = "tolk.engines"
CHECKS = "tolk.checks"
NOTIFIERS = "tolk.notifiers"
CATALOG_FORMATS = "tolk.catalog_formats"
DOCUMENT_FORMATS = "tolk.document_formats"

_CHECKS = "tolk.quality.checks"

BUILTIN: dict[str, dict[str, str]] = {
    ENGINES: {
        "apertium": "tolk.engines.apertium:ApertiumEngine",
        "openai": "tolk.engines.openai:OpenAIEngine",
        "qwen-mt": "tolk.engines.qwen_mt:QwenMtEngine",
        "deepl": "tolk.engines.deepl:DeepLEngine",
        "libretranslate": "tolk.engines.libretranslate:LibreTranslateEngine",
        "dummy": "tolk.engines.dummy:DummyEngine",
    },
    # the order is the order the gate runs them in (and lists their findings)
    CHECKS: {
        "empty": f"{_CHECKS}.fidelity:Empty",
        "numbers": f"{_CHECKS}.numbers:Numbers",
        "placeholders": f"{_CHECKS}.markup:Placeholders",
        "tokens": f"{_CHECKS}.markup:LeftoverTokens",
        "tags": f"{_CHECKS}.markup:Tags",
        "glossary": f"{_CHECKS}.terms:GlossaryTerms",
        "language": f"{_CHECKS}.language:TargetLanguage",
        "untranslated": f"{_CHECKS}.fidelity:NotACopy",
        "commentary": f"{_CHECKS}.answers:Commentary",
        "truncation": f"{_CHECKS}.fidelity:Truncation",
        "unknown_words": f"{_CHECKS}.fidelity:UnknownWords",
        "links": f"{_CHECKS}.fidelity:Links",
        "injection": f"{_CHECKS}.answers:InjectionObeyed",
        "answer": f"{_CHECKS}.answers:Answered",
        "omission": f"{_CHECKS}.omission:Omission",
        "addition": f"{_CHECKS}.omission:Addition",
        "register": f"{_CHECKS}.register:Register",
        "required_terms": f"{_CHECKS}.terms:RequiredTerms",
        "forbidden_terms": f"{_CHECKS}.terms:ForbiddenTerms",
        "sensitive": f"{_CHECKS}.terms:SensitiveContent",
        "pii": f"{_CHECKS}.privacy:PersonalData",
        "punctuation": f"{_CHECKS}.punctuation:Punctuation",
    },
    NOTIFIERS: {
        "telegram": "tolk.notify.telegram:Telegram",
        "slack": "tolk.notify.slack:Slack",
        "webhook": "tolk.notify.webhook:Webhook",
    },
    DOCUMENT_FORMATS: {
        "markdown": "tolk.documents.markdown:Markdown",
        "html": "tolk.documents.html:Html",
        "json": "tolk.documents.resources:Json",
        "yaml": "tolk.documents.resources:Yaml",
        "po": "tolk.documents.bilingual:Gettext",
        "xliff": "tolk.documents.bilingual:Xliff",
        "text": "tolk.documents.text:PlainText",
    },
    CATALOG_FORMATS: {
        "jsonl": "tolk.formats.catalog:JsonLines",
        "csv": "tolk.formats.catalog:CommaSeparated",
        "tsv": "tolk.formats.catalog:TabSeparated",
    },
}


@cache
def available(group: str) -> dict[str, str]:
    """Every kind of `group` by name: tolk's own first, then installed plugins' (a plugin may not take
    a built-in name: a typo there would silently replace an engine people rely on)."""
    kinds = dict(BUILTIN.get(group, {}))
    for entry in entry_points(group=group):
        if entry.name in kinds and kinds[entry.name] != entry.value:
            raise ConfigError(
                f"plugin {entry.dist.name if entry.dist else entry.value!r} registers {group} kind "
                f"{entry.name!r}, which tolk already has: give it another name"
            )
        kinds[entry.name] = entry.value
    return kinds


def registered(group: str, base: type, name_of: Callable[[Any], str]) -> dict[str, Any]:
    """Every kind of `group`, imported, by name: each must be a subclass of `base` (an abstract one
    too, hence no narrower type here) whose own name (`name_of(cls)`: a check's id, a format's name)
    is the one it is registered under."""
    found: dict[str, Any] = {}
    for name in available(group):
        cls = load(group, name)
        if not (isinstance(cls, type) and issubclass(cls, base)) or name_of(cls) != name:
            raise ConfigError(f"{group} {name!r}: not a {base.__name__} subclass named {name!r}")
        found[name] = cls
    return found


def known(group: str, value: str, message: str) -> str:
    """`value` if it names a kind of `group` (checked by name, nothing imported); else a validation
    error — `message` with {value} and {known} filled in — that the configuration reports with the
    field's place."""
    kinds = available(group)
    if value not in kinds:
        raise PydanticCustomError("unknown_kind", message, {"value": value, "known": ", ".join(kinds)})
    return value


def load(group: str, name: str) -> Any:
    """The class (or function) registered as `name` in `group`, imported now."""
    kinds = available(group)
    if name not in kinds:
        raise ConfigError(
            f"unknown {group.rsplit('.', 1)[-1][:-1]} kind {name!r} (known: {', '.join(kinds)})"
        )
    module, _, attribute = kinds[name].partition(":")
    return getattr(importlib.import_module(module), attribute)
