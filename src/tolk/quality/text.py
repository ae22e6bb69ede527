"""Text helpers the checks share."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^<>]+>|<[A-Za-z/][^<>]*$")  # a tag, or one cut off at the end of a text


def strip_markup(text: str) -> str:
    return html.unescape(_TAG.sub(" ", text))


def normalized(text: str) -> str:
    return " ".join(strip_markup(text).casefold().split())
