"""A self-hosted LibreTranslate (https://docs.libretranslate.com), as its clients speak it.

`POST /translate` with `q` a list, `source` (a code or `auto`), `target`, `format` and `api_key` in the
JSON body; `{"translatedText": [...]}` back, errors as `{"error": …}` (400, 403 for a key, 429 when the
server asks to slow down). Texts with tokens or markup go as `format=html` with tokens as tags, so
placeholders come back where they belong. The server decides what it can translate: a pair it lacks
answers 400, which fails that request only. `options.codes` maps tolk's tags to a server's own codes
where they differ (`{"zh-TW" = "zt"}` on servers older than 1.7). Usage counts characters, as for DeepL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx2

from tolk import languages
from tolk.core import EngineError, Hints, Result, Segment, Usage
from tolk.engines import tags
from tolk.engines.base import share_usage
from tolk.engines.client import HttpStatusError
from tolk.engines.http import HttpEngine


class LibreTranslateEngine(HttpEngine):
    kind = "libretranslate"

    @property
    def model(self) -> str:
        return self.settings.model or "libretranslate"

    @property
    def url(self) -> str:
        return (self.settings.base_url or "http://127.0.0.1:5000").rstrip("/")

    def pair_hint(self) -> str:
        return "the LibreTranslate server's languages (GET /languages)"

    async def status(self) -> tuple[bool, str]:
        try:
            found = await self.client.get(f"{self.url}/languages")
        except HttpStatusError as exc:
            return False, f"HTTP {exc.response.status_code}: {exc.message}"
        except httpx2.HTTPError as exc:
            return False, f"unreachable: {type(exc).__name__}"
        return True, f"{len(found) if isinstance(found, list) else 0} languages"

    def code(self, tag: str) -> str:
        """tolk's tag as the server names it: `options.codes`, else LibreTranslate's own (zh-Hans …)."""
        if tag == languages.AUTO:
            return tag
        codes: dict[str, str] = {"zh-CN": "zh-Hans", "zh": "zh-Hans", "zh-TW": "zh-Hant", "zh-HK": "zh-Hant"}
        codes.update(self.settings.options.get("codes", {}))
        return codes.get(tag) or codes.get(tag.split("-")[0]) or tag.split("-")[0]

    def body(
        self, segments: Sequence[Segment], source: str, target: str
    ) -> tuple[dict[str, Any], list[bool] | None]:
        """The request, and which texts were escaped for the html format (None: sent as text)."""
        texts, escaped = tags.batch([s.text for s in segments])
        body = {
            "q": texts,
            "source": self.code(source),
            "target": self.code(target),
            "format": "text" if escaped is None else "html",
        }
        return body, escaped

    def request_text(self, segments: Sequence[Segment], source: str, target: str, hints: Hints) -> str:
        return "\n".join(self.body(segments, source, target)[0]["q"])

    async def _translate_batch(
        self, segments: list[Segment], source: str, target: str, hints: Hints
    ) -> list[Result]:
        body, escaped = self.body(segments, source, target)
        answer = await self.client.post(f"{self.url}/translate", lambda key: _with_key(body, key))
        found = answer.get("translatedText") if isinstance(answer, dict) else None
        if isinstance(found, str) and len(segments) == 1:
            found = [found]
        if not isinstance(found, list) or len(found) != len(segments):
            raise EngineError(f"{self.name}: the server answered another number of texts than asked")
        chars = sum(len(s.text) for s in segments)
        shares = share_usage(Usage(requests=1, tokens_in=chars), [s.text for s in segments])
        return [
            Result(seg.id, tags.from_tags(str(text), escaped[i]) if escaped else str(text), usage=usage)
            for i, (seg, text, usage) in enumerate(zip(segments, found, shares, strict=True))
        ]


def _with_key(body: dict[str, Any], key: str) -> dict[str, Any]:
    """LibreTranslate takes its key in the body; a server without keys gets none."""
    return {**body, "api_key": key} if key and key != "none" else body
