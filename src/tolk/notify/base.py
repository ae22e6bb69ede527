"""The notifier protocol: send one report; a failure is a NotifyError naming the channel and why.

A channel is a `Notifier` subclass named in tolk.plugins (or in another package's `tolk.notifiers`
entry points): `from_settings` builds it from `[notify]` when configured, `example` gives settings that
make one of it (the contract test in tests/contract/test_notifiers.py runs every registered channel).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import ClassVar

import httpx2

from tolk.config import NotifySettings
from tolk.core import TolkError
from tolk.reports import Report

Transport = httpx2.AsyncBaseTransport | None


class NotifyError(TolkError):
    pass


@dataclass(frozen=True)
class Notice:
    report: Report
    span: str  # the window as the operator wrote it: "24h"


class Notifier(abc.ABC):
    name: ClassVar[str]

    def __init__(self, timeout_s: float, transport: Transport) -> None:
        self.timeout_s, self.transport = timeout_s, transport

    @classmethod
    @abc.abstractmethod
    def from_settings(cls, s: NotifySettings, transport: Transport = None) -> list[Notifier]:
        """This channel's notifiers as `[notify]` configures them (none when it is not set up)."""

    @classmethod
    @abc.abstractmethod
    def example(cls, url: str) -> NotifySettings:
        """Settings that make exactly one of this channel, sending to the server at `url`."""

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
