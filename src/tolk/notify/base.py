"""The notifier protocol: send one report; a failure is a NotifyError naming the channel and why."""

from __future__ import annotations

import abc
from dataclasses import dataclass

import httpx2

from tolk.core import TolkError
from tolk.reports import Report


class NotifyError(TolkError):
    pass


@dataclass(frozen=True)
class Notice:
    report: Report
    span: str  # the window as the operator wrote it: "24h"


class Notifier(abc.ABC):
    name: str

    def __init__(self, timeout_s: float, transport: httpx2.AsyncBaseTransport | None) -> None:
        self.timeout_s, self.transport = timeout_s, transport

    def client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(timeout=self.timeout_s, transport=self.transport)

    @abc.abstractmethod
    async def send(self, notice: Notice) -> None:
        """Deliver the report; raise NotifyError when the channel refuses it or cannot be reached."""

    async def post(self, url: str, **kw: object) -> httpx2.Response:
        try:
            async with self.client() as http:
                return await http.post(url, **kw)  # type: ignore[arg-type]
        except httpx2.HTTPError as exc:
            raise NotifyError(f"{self.name}: cannot reach {_host(url)}: {exc.__class__.__name__}") from None


def _host(url: str) -> str:
    """The host only: a Telegram or Slack URL carries its secret in the path."""
    return httpx2.URL(url).host or "?"
