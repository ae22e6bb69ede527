"""A Slack incoming webhook: `text` for notifications plus mrkdwn blocks (&, <, > escaped)."""

from __future__ import annotations

from tolk import reports
from tolk.config import NotifySettings
from tolk.notify.base import Notice, Notifier, NotifyError, Transport


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(notice: Notice) -> dict[str, object]:
    r = notice.report
    lines = [f"*{escape(k)}:* {escape(v)}" for k, v in reports.block(r, notice.span)]
    blocks: list[dict[str, object]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "📊 Translator-Agent Report"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}},
    ]
    rows = [reports.LANG_COLUMNS, *reports.lang_rows(r)]
    if len(rows) > 1:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        table = "\n".join(
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
        )
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"```{escape(table)}```"}})
    fallback = " · ".join(f"{k}: {v}" for k, v in reports.block(r, notice.span)[:7])
    return {"text": f"Translator-Agent Report — {escape(fallback)}", "blocks": blocks}


class Slack(Notifier):
    name = "slack"

    def __init__(self, url: str, timeout_s: float, transport: Transport) -> None:
        super().__init__(timeout_s, transport)
        self.url = url

    @classmethod
    def from_settings(cls, s: NotifySettings, transport: Transport = None) -> list[Notifier]:
        if s.slack_webhook is None:
            return []
        return [cls(s.slack_webhook.get_secret_value(), s.timeout_s, transport)]

    @classmethod
    def example(cls, url: str) -> NotifySettings:
        return NotifySettings(slack_webhook=f"{url}/services/T000/B000/secret")

    async def send(self, notice: Notice) -> None:
        response = await self.post(self.url, json=render(notice))
        if response.status_code != 200:  # Slack answers a plain-text reason: invalid_payload, no_service…
            raise NotifyError(f"slack: HTTP {response.status_code}: {response.text[:200]}")
