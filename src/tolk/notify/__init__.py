"""Where reports go: one module per channel (Telegram, Slack, a signed webhook), one protocol.

Adding a channel is a module with a `Notifier` and a line in `from_settings`; the contract test in
tests/test_notify.py runs every channel against a local server that speaks its API.
"""

from __future__ import annotations

import httpx2

from tolk.config import NotifySettings
from tolk.notify.base import Notice, Notifier, NotifyError
from tolk.notify.slack import Slack
from tolk.notify.telegram import Telegram
from tolk.notify.webhook import Webhook

__all__ = ["Notice", "Notifier", "NotifyError", "from_settings"]


def from_settings(s: NotifySettings, transport: httpx2.AsyncBaseTransport | None = None) -> list[Notifier]:
    found: list[Notifier] = []
    if s.telegram is not None and s.telegram.chat_ids:
        found.append(Telegram(s.telegram, s.timeout_s, transport))
    if s.slack_webhook is not None:
        found.append(Slack(s.slack_webhook.get_secret_value(), s.timeout_s, transport))
    found += [Webhook(w.url, w.secret.get_secret_value(), s.timeout_s, transport) for w in s.webhooks]
    return found
