"""Telegram Bot API `sendMessage` with parse_mode MarkdownV2 (every reserved character escaped)."""

from __future__ import annotations

import re
from typing import Any

import httpx2

from tolk import reports
from tolk.config import NotifySettings, TelegramSettings
from tolk.notify.base import Notice, Notifier, NotifyError, Transport

# https://core.telegram.org/bots/api#markdownv2-style
_RESERVED = re.compile(r"([_*\[\]()~`>#+\-=|{}.!\\])")
_IN_PRE = re.compile(r"([`\\])")
MAX_CHARS = 4096


def escape(text: str) -> str:
    return _RESERVED.sub(r"\\\1", text)


def pre(text: str) -> str:
    return "```\n" + _IN_PRE.sub(r"\\\1", text) + "\n```"


def render(notice: Notice) -> str:
    r = notice.report
    lines = ["📊 *" + escape("Translator-Agent Report") + "*"]
    lines += [escape(f"{k}: {v}") for k, v in reports.block(r, notice.span)]
    rows = [reports.LANG_COLUMNS, *reports.lang_rows(r)]
    if len(rows) > 1:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        table = "\n".join(
            " ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
        )
        lines.append(pre(table))
    return "\n".join(lines)[:MAX_CHARS]


class Telegram(Notifier):
    name = "telegram"

    def __init__(self, s: TelegramSettings, timeout_s: float, transport: Transport) -> None:
        super().__init__(timeout_s, transport)
        self.settings = s

    @classmethod
    def from_settings(cls, s: NotifySettings, transport: Transport = None) -> list[Notifier]:
        if s.telegram is None or not s.telegram.chat_ids:
            return []
        return [cls(s.telegram, s.timeout_s, transport)]

    @classmethod
    def example(cls, url: str) -> NotifySettings:
        return NotifySettings(telegram=TelegramSettings(token="123:abc", chat_ids=[1], base_url=url))

    def method_url(self, method: str) -> str:
        return f"{self.settings.base_url.rstrip('/')}/bot{self.settings.token.get_secret_value()}/{method}"

    async def send(self, notice: Notice) -> None:
        text = render(notice)
        for chat_id in self.settings.chat_ids:
            await self.send_text(chat_id, text)

    async def send_text(self, chat_id: int, text: str, markdown: bool = True) -> None:
        body: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if markdown:
            body["parse_mode"] = "MarkdownV2"
        self.check(await self.post(self.method_url("sendMessage"), json=body))

    def check(self, response: httpx2.Response) -> Any:
        try:
            data = response.json()
        except ValueError:
            raise NotifyError(f"telegram: HTTP {response.status_code}, not a Bot API answer") from None
        if not data.get("ok"):
            raise NotifyError(f"telegram: {data.get('description') or f'HTTP {response.status_code}'}")
        return data.get("result")
