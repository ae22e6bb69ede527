"""The ops bot: Telegram commands answered from the store (long polling with getUpdates).

Only chats on the allow-list are answered; anything else is logged and ignored. Every command has the
same action on the CLI (see tolk.ops).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from tolk.agent.registry import AgentSpec
from tolk.config import HEARTBEAT_S
from tolk.notify.base import NotifyError
from tolk.notify.telegram import Telegram, pre
from tolk.ops import answers as ops
from tolk.store.repo import Store

log = logging.getLogger(__name__)

HELP = """tolk ops bot
/quality [24h]  translation report for the window
/cache  cache hits and misses, recent invalidations and failures
/agent status  agent workers
/agent restart NAME  restart an agent's workers
/review  translations waiting for a person"""


class OpsBot:
    def __init__(
        self,
        telegram: Telegram,
        store: Store,
        allowed: set[int],
        heartbeat_s: float = HEARTBEAT_S,
        order: Sequence[AgentSpec] = (),
    ) -> None:
        self.telegram, self.store, self.allowed, self.heartbeat_s = telegram, store, allowed, heartbeat_s
        self.order = order  # the registry's agents by priority: /agent status lists them so
        self.offset = 0

    def answer(self, text: str) -> str:
        """The reply to one command line (an unknown command gets the help)."""
        return ops.reply(self.store, text, self.heartbeat_s, self.order) or HELP

    async def handle(self, update: dict[str, Any]) -> None:
        message = update.get("message") or {}
        chat = (message.get("chat") or {}).get("id")
        text = message.get("text")
        if not isinstance(chat, int) or not isinstance(text, str):
            return
        if chat not in self.allowed:
            log.warning("ignored a command from chat %s (not on the allow-list)", chat)
            return
        reply = await asyncio.to_thread(self.answer, text)
        await self.telegram.send_text(chat, pre(reply.rstrip("\n")))

    async def poll(self, timeout_s: int = 30) -> int:
        """One getUpdates round; returns how many updates it handled."""
        body = {"offset": self.offset, "timeout": timeout_s, "allowed_updates": ["message"]}
        response = await self.telegram.post(self.telegram.method_url("getUpdates"), json=body)
        updates = self.telegram.check(response) or []
        for update in updates:
            self.offset = max(self.offset, int(update["update_id"]) + 1)
            await self.handle(update)
        return len(updates)

    async def run(self, stop: asyncio.Event, timeout_s: int = 30) -> None:
        while not stop.is_set():
            try:
                await self.poll(timeout_s)
            except NotifyError as exc:
                log.warning("ops bot: %s; retrying in 5 s", exc)
                await asyncio.sleep(5)
