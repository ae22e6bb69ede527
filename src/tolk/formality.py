"""Formality (register): how formally a translation addresses its reader, per target language.

The values are DeepL's, so its API and tolk's mean the same: `default`, `more` and `less`, and
`prefer_more` / `prefer_less`, which ask for the register where a language has one and are quietly
ignored where it does not. tolk sends it natively where an engine takes it (DeepL's `formality`), as an
instruction where the engine is an LLM, and the gate's `register` check reads the result in the
languages whose register it can tell apart (Korean, German, Japanese).

Configured in tolk.toml as one value for every language or per language (`default` = the rest):

    formality = "prefer_more"
    # or
    [formality]
    default = "prefer_less"
    de = "more"
    ko = "more"

A profile may set its own the same way; a request (`--formality`, the API's `formality`) sets one for all
its texts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tolk import languages

DEFAULT = "default"
VALUES = ("default", "more", "less", "prefer_more", "prefer_less")
_ALL = "default"  # the key of a table that stands for every other language

# what an LLM is told, by the register asked for and the language's own words for it
_REGISTERS = {
    "ko": ("formal polite speech (합니다체 or 해요체)", "casual speech (반말)"),
    "ja": ("polite form (です/ます)", "plain form (だ/である), not です/ます"),
    "de": ("the formal 'Sie'", "the informal 'du'"),
    "fr": ("the formal 'vous'", "the informal 'tu'"),
    "es": ("the formal 'usted'", "the informal 'tú'"),
    "it": ("the formal 'Lei'", "the informal 'tu'"),
    "pt": ("the formal 'o senhor / a senhora' or 'você' without slang", "the informal 'tu' or 'você'"),
    "nl": ("the formal 'u'", "the informal 'je'"),
    "pl": ("the formal 'Pan / Pani'", "the informal 'ty'"),
    "ru": ("the formal 'вы'", "the informal 'ты'"),
}


def check(value: str) -> str:
    """`value` as tolk spells it (`More` -> `more`, `prefer-less` -> `prefer_less`), or ValueError."""
    spelled = value.strip().lower().replace("-", "_")
    if spelled not in VALUES:
        raise ValueError(f"formality {value!r} is not one of {', '.join(VALUES)}")
    return spelled


def wants(value: str) -> str | None:
    """ "more", "less", or None: the register asked for, whether strictly or where possible."""
    return {"more": "more", "prefer_more": "more", "less": "less", "prefer_less": "less"}.get(value)


def named(target: str) -> bool:
    """Whether tolk knows the target language's register by name (what DeepL's `supports_formality`
    says): an LLM is told it in the language's own words, and `more`/`less` are accepted for it."""
    return target.split("-")[0] in _REGISTERS


def instruction(value: str, target: str) -> str | None:
    """One line for an LLM's instructions, or None when nothing is asked."""
    register = wants(value)
    if register is None:
        return None
    named = _REGISTERS.get(target.split("-")[0])
    if named is None:
        tone = "a formal, polite register" if register == "more" else "an informal, friendly register"
        return f"Address the reader in {tone}."
    return f"Address the reader in {named[0] if register == 'more' else named[1]}."


@dataclass(frozen=True)
class Formality:
    """The formality asked for each target language: its own, else the table's `default`."""

    by_lang: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, value: str | Mapping[str, str] | None) -> Formality:
        """From configuration: one value for every language, or a table by language."""
        if value is None:
            return cls()
        if isinstance(value, str):
            return cls({_ALL: check(value)})
        return cls({k if k == _ALL else languages.normalize(k): check(v) for k, v in value.items()})

    def over(self, base: Formality) -> Formality:
        """These choices, falling back to `base` for languages this does not name."""
        return Formality({**base.by_lang, **self.by_lang})

    def target(self, lang: str) -> str:
        table = self.by_lang
        return table.get(lang) or table.get(lang.split("-")[0]) or table.get(_ALL) or DEFAULT

    def __bool__(self) -> bool:
        return any(v != DEFAULT for v in self.by_lang.values())
