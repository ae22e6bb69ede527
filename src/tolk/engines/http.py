"""What the HTTP engines share on top of the resilient client: its set-up and status, and the chat call
of the OpenAI-compatible ones (openai, qwen-mt; deepl and libretranslate speak their own formats)."""

from __future__ import annotations

from typing import Any

import httpx2
from openai.types.chat import ChatCompletion

from tolk.config import EngineSettings
from tolk.core import Finish, Usage
from tolk.engines.base import Engine
from tolk.engines.client import ResilientClient


class HttpEngine(Engine):
    """An engine that speaks an OpenAI-compatible chat endpoint through one ResilientClient."""

    def __init__(
        self, name: str, settings: EngineSettings, transport: httpx2.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__(name, settings)
        self.client = ResilientClient(name, settings, transport)

    async def status(self) -> tuple[bool, str]:
        s = self.settings
        if not s.base_url:
            return False, "no base_url configured"
        if s.external and not s.api_keys:
            return False, "no API key (api_keys empty or its ${VAR} unset)"
        state = self.client.breaker.state
        if state == "open":
            return False, "circuit open after repeated failures"
        reachable, why = await self.client.probe()
        if not reachable:
            return False, why
        return True, f"{len(s.api_keys) or 'no'} key(s), {s.rpm or 'no'} rpm limit, breaker {state}"

    def pushback(self) -> int:
        stats = self.client.stats
        return stats.rate_limited + stats.server_errors

    async def aclose(self) -> None:
        await self.client.aclose()
        await super().aclose()

    async def chat(self, body: dict[str, Any], tokens: int) -> tuple[str, Finish, Usage]:
        """One chat completion: the reply text, why it stopped, and its usage."""

        async def send(client: Any) -> ChatCompletion:
            reply: ChatCompletion = await client.chat.completions.create(**body)
            return reply

        reply = await self.client.call(send, tokens)
        usage = Usage(requests=1)
        if reply.usage is not None:
            usage.tokens_in, usage.tokens_out = reply.usage.prompt_tokens, reply.usage.completion_tokens
        if not reply.choices:
            return "", Finish.ERROR, usage
        choice = reply.choices[0]
        text = choice.message.content or ""
        finish = Finish.LENGTH if choice.finish_reason == "length" else Finish.STOP
        return text, finish, usage


def estimate_tokens(*texts: str) -> int:
    """A cheap upper-ish estimate for TPM pacing (≈ 1 token per 3 chars; CJK is denser per char)."""
    return sum(len(t) // 3 + 1 for t in texts) + 16
