"""Protected tokens as XML tags, for engines with a tag mode (DeepL's `tag_handling=xml`, LibreTranslate's
`format=html`): a tag is kept where it belongs in the sentence, an unknown symbol such as ⟦1⟧ is not
promised to be. Text that is not a well-formed fragment on its own ("Tom & Jerry", `&nbsp;`, a lone
`<`) is escaped first, so the engine reads it as text, and unescaped after.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree
from xml.sax.saxutils import escape, unescape

from tolk.text.protect import TOKEN_RE, token

_TAG = re.compile(r'<x\s+id="(\d+)"\s*(?:/>|>\s*</x>)')
_MARKUP = re.compile(r"[<&]")


def needed(text: str) -> bool:
    """Whether `text` needs the tag mode: it holds tokens or markup."""
    return bool(TOKEN_RE.search(text) or _MARKUP.search(text))


def to_tags(text: str) -> tuple[str, bool]:
    """`text` with its tokens as `<x id="n"/>`, and whether the rest had to be escaped."""
    escaped = not _well_formed(TOKEN_RE.sub("", text))
    body = escape(text) if escaped else text
    return TOKEN_RE.sub(lambda m: f'<x id="{m.group(1)}"/>', body), escaped


def from_tags(text: str, escaped: bool) -> str:
    """An answer to `to_tags`' text, with tokens back (a tag the engine wrote as `<x id="n"></x>` too)."""
    out = _TAG.sub(lambda m: token(int(m.group(1))), text)
    return unescape(out) if escaped else out


def _well_formed(text: str) -> bool:
    try:
        ElementTree.fromstring(f"<r>{text}</r>")
    except ElementTree.ParseError:
        return False
    return True


def batch(texts: list[str]) -> tuple[list[str], list[bool] | None]:
    """A request's texts as sent: all in tag mode if any needs it, with which of them were escaped
    (None: sent as plain text, nothing to undo)."""
    if not any(needed(t) for t in texts):
        return texts, None
    sent = [to_tags(t) for t in texts]
    return [t for t, _ in sent], [e for _, e in sent]
