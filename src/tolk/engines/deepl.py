"""DeepL's API (https://developers.deepl.com/docs), as its clients speak it.

`POST /v2/translate` with `text` repeated (up to 50), `Authorization: DeepL-Auth-Key …`; DeepL's codes
for languages (`EN-US`, `PT-BR`, `ZH-HANT` as targets); `tag_handling=xml` where a text holds tokens or
markup, so placeholders come back where they belong; `formality` as `prefer_more` / `prefer_less` (the
gate's register check holds what comes back in the wrong one, so a language without a register never
fails the request); glossary terms in a DeepL glossary made once per set of terms (`/v2/glossaries`).
Without `base_url` a key ending in `:fx` goes to the free API, others to the paid one.

Usage counts characters, as DeepL bills them: `tokens_in` holds the billed characters, so
`price_in_per_mtok` is the price of a million characters (25 USD on DeepL's list).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import httpx2

from tolk import formality, languages
from tolk.config import EngineSettings
from tolk.core import EngineDown, EngineError, Hints, Result, Segment, Term, Usage, digest
from tolk.engines import tags
from tolk.engines.base import share_usage
from tolk.engines.client import HttpStatusError
from tolk.engines.http import HttpEngine

log = logging.getLogger(__name__)

MAX_TEXTS = 50  # DeepL's limit per request
AUTH = "DeepL-Auth-Key"
# DeepL's languages (source and target) by their base code
LANGUAGES = frozenset({
    "ar", "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "he", "hu", "id", "it", "ja", "ko",
    "lt", "lv", "nb", "nl", "pl", "pt", "ro", "ru", "sk", "sl", "sv", "th", "tr", "uk", "vi", "zh",
})  # fmt: skip
_TARGET = {"en": "EN-US", "en-GB": "EN-GB", "pt": "PT-PT", "pt-BR": "PT-BR", "zh-TW": "ZH-HANT",
           "zh-HK": "ZH-HANT", "zh-Hant": "ZH-HANT", "zh": "ZH-HANS", "zh-CN": "ZH-HANS"}  # fmt: skip


class DeepLEngine(HttpEngine):
    kind = "deepl"
    native_terms = True  # terms travel in a DeepL glossary

    def __init__(
        self, name: str, settings: EngineSettings, transport: httpx2.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__(name, settings, transport)
        self.glossaries: dict[str, str | None] = {}  # (pair, terms) digest -> DeepL's glossary id
        self._making = asyncio.Lock()

    @property
    def model(self) -> str:
        return self.settings.model or "deepl"

    @property
    def batch_size(self) -> int:
        return min(self.settings.batch_size, MAX_TEXTS)

    @property
    def url(self) -> str:
        if self.settings.base_url:
            return self.settings.base_url.rstrip("/")
        keys = [k.get_secret_value() for k in self.settings.api_keys]
        free = bool(keys) and keys[0].endswith(":fx")
        return "https://api-free.deepl.com" if free else "https://api.deepl.com"

    def supports(self, source: str, target: str) -> bool:
        base_ok = source == languages.AUTO or _lang(source) in LANGUAGES
        return source != target and base_ok and _lang(target) in LANGUAGES

    def pair_hint(self) -> str:
        return "DeepL translates between " + ", ".join(sorted(LANGUAGES))

    async def status(self) -> tuple[bool, str]:
        if self.settings.external and not self.settings.api_keys:
            return False, "no API key (api_keys empty or its ${VAR} unset)"
        try:
            used = await self.client.get(f"{self.url}/v2/usage", auth=AUTH)
        except HttpStatusError as exc:
            return False, f"HTTP {exc.response.status_code}: {exc.message}"
        except httpx2.HTTPError as exc:
            return False, f"unreachable: {type(exc).__name__}"
        return (
            True,
            f"{used.get('character_count', 0):,} of {used.get('character_limit', 0):,} characters used",
        )

    def body(
        self, segments: Sequence[Segment], source: str, target: str, hints: Hints
    ) -> tuple[dict[str, Any], list[bool] | None]:
        """The request for `segments` (glossary aside), nothing that depends on the key; and which
        texts were escaped for the tag mode (None: sent as plain text)."""
        texts, escaped = tags.batch([s.text for s in segments])
        body: dict[str, Any] = {
            "text": texts,
            "target_lang": target_code(target),
            "show_billed_characters": True,
        }
        if source != languages.AUTO:
            body["source_lang"] = source_code(source)
        if escaped is not None:
            body["tag_handling"] = "xml"
        if (register := formality.wants(hints.formality)) is not None:
            body["formality"] = f"prefer_{register}"  # a language without a register is not an error
        return body, escaped

    def request_text(self, segments: Sequence[Segment], source: str, target: str, hints: Hints) -> str:
        return "\n".join(self.body(segments, source, target, hints)[0]["text"])

    async def _translate_batch(
        self, segments: list[Segment], source: str, target: str, hints: Hints
    ) -> list[Result]:
        body, escaped = self.body(segments, source, target, hints)
        glossary_id = await self.glossary(hints.terms, source, target) if hints.terms else None
        if glossary_id is not None:
            body["glossary_id"] = glossary_id
        answer = await self.client.post(f"{self.url}/v2/translate", lambda _: body, auth=AUTH)
        found = answer.get("translations") if isinstance(answer, dict) else None
        if not isinstance(found, list) or len(found) != len(segments):
            raise EngineError(
                f"{self.name}: DeepL answered {len(found or [])} translations for {len(segments)}"
            )
        billed = sum(int(t.get("billed_characters") or 0) for t in found) or sum(
            len(s.text) for s in segments
        )
        shares = share_usage(Usage(requests=1, tokens_in=billed), [s.text for s in segments])
        results = []
        for i, (seg, t, usage) in enumerate(zip(segments, found, shares, strict=True)):
            text = str(t.get("text", ""))
            results.append(Result(seg.id, tags.from_tags(text, escaped[i]) if escaped else text, usage=usage))
        return results

    async def glossary(self, terms: tuple[Term, ...], source: str, target: str) -> str | None:
        """The id of a DeepL glossary holding `terms` for this pair, made on first use; None where DeepL
        refused to make one (a pair its glossaries lack): the text goes without, and the gate's
        glossary check holds what misses a term. DeepL takes a glossary only with a source language."""
        if source == languages.AUTO:
            return None
        entries = {t.source: t.expected for t in terms if "\t" not in t.source + t.expected}
        src, tgt = _lang(source), _lang(target)
        key = digest(src, tgt, sorted(entries.items()))
        async with self._making:  # one glossary per set of terms, however many batches ask at once
            if key not in self.glossaries:
                try:
                    made = await self._make_glossary(key, src, tgt, entries)
                except EngineDown:
                    raise  # a passing outage: the fallback takes the batch, the glossary is made later
                except EngineError as exc:
                    log.warning(
                        "%s: no DeepL glossary for %s-%s (%s); translating without", self.name, src, tgt, exc
                    )
                    made = None
                self.glossaries[key] = made
        return self.glossaries[key]

    async def _make_glossary(self, key: str, src: str, tgt: str, entries: dict[str, str]) -> str:
        made = await self.client.post(
            f"{self.url}/v2/glossaries",
            lambda _: {
                "name": f"tolk {src}-{tgt} {key[:12]}",
                "source_lang": src,
                "target_lang": tgt,
                "entries": "".join(f"{s}\t{t}\n" for s, t in entries.items()),
                "entries_format": "tsv",
            },
            auth=AUTH,
        )
        return str(made["glossary_id"])


def source_code(tag: str) -> str:
    """A source language as DeepL names it: the language alone (EN, PT, ZH)."""
    return _lang(tag).upper()


def target_code(tag: str) -> str:
    """A target language as DeepL names it: a variant where DeepL wants one (EN-US, PT-BR, ZH-HANT)."""
    return _TARGET.get(tag) or _TARGET.get(_lang(tag)) or _lang(tag).upper()


def _lang(tag: str) -> str:
    return tag.split("-")[0]
