"""Qwen-MT through DashScope's OpenAI-compatible endpoint, exactly as documented.

One user message holding only the text, no system message; languages, terms, translation memory and the
domain go in `translation_options`, sent through the SDK's `extra_body`. One segment per request: the
model translates whatever the message holds, so batching would merge segments.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tolk import formality, languages
from tolk.core import Hints, Result, Segment
from tolk.engines.http import HttpEngine, estimate_tokens


class QwenMtEngine(HttpEngine):
    kind = "qwen-mt"
    native_terms = True

    @property
    def batch_size(self) -> int:
        return 1

    @property
    def model(self) -> str:
        return self.settings.model or "qwen-mt-turbo"

    def supports(self, source: str, target: str) -> bool:
        known = languages.QWEN_MT_TAGS
        base_ok = source == languages.AUTO or _qwen_tag(source) in known
        return source != target and base_ok and _qwen_tag(target) in known

    def pair_hint(self) -> str:
        return "Qwen-MT covers the 92 languages of its documentation"

    def options(self, source: str, target: str, hints: Hints) -> dict[str, Any]:
        opts: dict[str, Any] = {
            "source_lang": "auto" if source == languages.AUTO else languages.get(_qwen_tag(source)).name,
            "target_lang": languages.get(_qwen_tag(target)).name,
        }
        if hints.terms:
            opts["terms"] = [{"source": t.source, "target": t.expected} for t in hints.terms]
        if hints.tm:
            opts["tm_list"] = [{"source": p.source, "target": p.target} for p in hints.tm]
        register = formality.instruction(hints.formality, target)
        if hints.domain or register:  # Qwen-MT takes style as part of its domain prompt
            opts["domains"] = " ".join(filter(None, (hints.domain, register)))
        return opts

    def request(self, seg: Segment, source: str, target: str, hints: Hints) -> dict[str, Any]:
        return {
            "model": self.model,
            "messages": [{"role": "user", "content": seg.text}],
            "extra_body": {"translation_options": self.options(source, target, hints)},
        }

    def request_text(self, segments: Sequence[Segment], source: str, target: str, hints: Hints) -> str:
        bodies = [self.request(s, source, target, hints) for s in segments]
        return "\n".join(json.dumps([b["messages"], b["extra_body"]], ensure_ascii=False) for b in bodies)

    async def _translate_batch(
        self, segments: list[Segment], source: str, target: str, hints: Hints
    ) -> list[Result]:
        results = []
        for seg in segments:  # batch_size is 1; the loop keeps the contract for any caller
            body = self.request(seg, source, target, hints)
            text, finish, usage = await self.chat(body, estimate_tokens(seg.text) * 2)
            results.append(Result(seg.id, text, finish, usage=usage))
        return results


def _qwen_tag(tag: str) -> str:
    """Regional variants map onto the language Qwen-MT names (pt-BR -> pt, zh-HK -> zh-TW)."""
    if tag in languages.QWEN_MT_TAGS:
        return tag
    if tag == "zh-HK":
        return "zh-TW"
    return tag.split("-")[0]
