"""A generic webhook: the report as JSON, signed with HMAC-SHA256 over `timestamp.body`.

Headers: `X-Tolk-Timestamp` (Unix seconds) and `X-Tolk-Signature: sha256=<hex>`. The receiver recomputes
the HMAC with the shared secret and rejects old timestamps (replays). See docs/configuration.md.
"""

from __future__ import annotations

import json
import time

from tolk.config import NotifySettings
from tolk.core import sign
from tolk.notify.base import Notice, Notifier, NotifyError, Transport


class Webhook(Notifier):
    name = "webhook"

    def __init__(self, url: str, secret: str, timeout_s: float, transport: Transport) -> None:
        super().__init__(timeout_s, transport)
        self.url, self.secret = url, secret

    @classmethod
    def from_settings(cls, s: NotifySettings, transport: Transport = None) -> list[Notifier]:
        return [cls(w.url, w.secret.get_secret_value(), s.timeout_s, transport) for w in s.webhooks]

    @classmethod
    def example(cls, url: str) -> NotifySettings:
        return NotifySettings(webhooks=[{"url": f"{url}/hook", "secret": "k"}])

    async def send(self, notice: Notice) -> None:
        payload = {"type": "tolk.report", "span": notice.span, **notice.report.as_dict()}
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        stamp = str(int(time.time()))
        headers = {"content-type": "application/json", "x-tolk-timestamp": stamp}
        if self.secret:
            headers["x-tolk-signature"] = sign(self.secret, stamp, body)
        response = await self.post(self.url, content=body, headers=headers)
        if not 200 <= response.status_code < 300:
            raise NotifyError(f"webhook {self.url}: HTTP {response.status_code}")
