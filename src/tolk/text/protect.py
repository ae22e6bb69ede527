"""Placeholder and term protection: spans engines must not touch become numbered tokens, then come back.

A protected span is one of: an interpolation placeholder as tolk.text.placeholders reads it (`{name}`,
`{{name}}`, `%s`, `%1$s`, `%(name)s`, `${name}`, `{0:C2}`, `%%`…), or a glossary term the engine cannot
be trusted with (do-not-translate brands, forced terms for engines without native term support). Each
becomes `⟦n⟧`; after translation every token must come back exactly once, or the segment fails instead
of publishing broken text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from tolk.core import Term
from tolk.glossary import find_terms
from tolk.text.placeholders import spans as placeholder_spans

TOKEN_RE = re.compile(r"⟦\s*(\d+)\s*⟧")


def token(n: int) -> str:
    return f"⟦{n}⟧"


@dataclass(slots=True)
class Protected:
    """Text with tokens, and what each token stands for in the output."""

    text: str
    restore_map: dict[str, str] = field(default_factory=dict)

    def restore(self, translated: str) -> str:
        """Put every token back; a token lost, invented or duplicated by the engine is an error."""
        seen: dict[str, int] = {}

        def put_back(match: re.Match[str]) -> str:
            key = token(int(match.group(1)))
            seen[key] = seen.get(key, 0) + 1
            if key not in self.restore_map:
                raise ValueError(f"engine invented placeholder {key}")
            return self.restore_map[key]

        out = TOKEN_RE.sub(put_back, translated)
        lost = [k for k in self.restore_map if seen.get(k, 0) == 0]
        doubled = [k for k, n in seen.items() if n > 1]
        if lost or doubled:
            what = [f"{self.restore_map[k]!r} lost" for k in lost] + [
                f"{self.restore_map[k]!r} repeated" for k in doubled
            ]
            raise ValueError("protected text mangled: " + ", ".join(what))
        return out


def protect(text: str, terms: Iterable[Term] = (), *, placeholders: bool = True) -> Protected:
    """Replace placeholders (and the given terms) with tokens.

    Terms are replaced by their *expected output* on restore: a brand by itself, a forced term by its
    target — which is how engines without term support still honour the glossary.
    """
    spans: list[tuple[int, int, str]] = []
    if placeholders:
        spans.extend((start, end, text[start:end]) for start, end in placeholder_spans(text))
    for term, start, end in find_terms(text, terms):
        if not any(s < end and start < e for s, e, _ in spans):
            spans.append((start, end, term.expected))
    if not spans:
        return Protected(text)
    spans.sort()
    parts: list[str] = []
    restore_map: dict[str, str] = {}
    pos = 0
    for n, (start, end, replacement) in enumerate(spans, 1):
        parts.append(text[pos:start])
        parts.append(token(n))
        restore_map[token(n)] = replacement
        pos = end
    parts.append(text[pos:])
    return Protected("".join(parts), restore_map)
