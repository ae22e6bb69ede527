"""One contract every notify channel passes, generated from the registry (tolk.plugins and the
`tolk.notifiers` entry points): a channel a plugin adds is in it the moment it is installed.

Each channel is driven through the one seam it has, an injected httpx transport (httpx's own test
double): it must send the report to the server its example settings name, turn a refusal into a
NotifyError that names the channel, and an unreachable server into one that names only the host (a
Telegram or Slack URL carries its secret). tests/test_reports.py runs tolk's own channels against local
servers that speak their real APIs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx2
import pytest

from tolk import reports
from tolk.notify import Notice, NotifyError, channels, from_settings

CHANNELS = channels()
URL = "http://notify.invalid"


def _notice() -> Notice:
    figures = reports.Figures(items=3, segments=6, translated=6, scored=6, score_sum=540.0)
    until = datetime(2026, 12, 1, 7, 0)
    report = reports.Report(until - timedelta(hours=24), until, figures, {"es": figures})
    return Notice(report, "24h")


def _send(name: str, answer: Callable[[httpx2.Request], httpx2.Response]) -> list[httpx2.Request]:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return answer(request)

    [notifier] = from_settings(CHANNELS[name].example(URL), transport=httpx2.MockTransport(handler))
    assert notifier.name == name
    asyncio.run(notifier.send(_notice()))
    return seen


def test_there_are_channels() -> None:
    assert {"telegram", "slack", "webhook"} <= set(CHANNELS)


@pytest.mark.parametrize("name", list(CHANNELS))
def test_a_channel_delivers_the_report_to_its_server(name: str) -> None:
    seen = _send(name, lambda _: httpx2.Response(200, json={"ok": True, "result": {}}))
    assert seen and all(r.url.host == "notify.invalid" and r.method == "POST" for r in seen)
    assert all(r.content for r in seen)  # the report travels in the body


@pytest.mark.parametrize("name", list(CHANNELS))
def test_a_refusal_is_a_notify_error_naming_the_channel(name: str) -> None:
    refused = httpx2.Response(403, json={"ok": False, "description": "Forbidden: bot was blocked"})
    with pytest.raises(NotifyError, match=f"^{name}"):
        _send(name, lambda _: refused)


@pytest.mark.parametrize("name", list(CHANNELS))
def test_an_unreachable_server_names_the_host_not_the_secret(name: str) -> None:
    def down(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    with pytest.raises(NotifyError, match=rf"^{name}: cannot reach notify\.invalid") as caught:
        _send(name, down)
    assert "secret" not in str(caught.value) and "123:abc" not in str(caught.value)


@pytest.mark.parametrize("name", list(CHANNELS))
def test_a_channel_left_unconfigured_makes_no_notifier(name: str) -> None:
    from tolk.config import NotifySettings

    assert CHANNELS[name].from_settings(NotifySettings()) == []
