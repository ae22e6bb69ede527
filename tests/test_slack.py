"""The Slack app (#21 row 5) as Slack drives it: requests signed with Slack's own SDK
(slack_sdk.signature), answers through a local server speaking Slack's Web API wire format, the
offline Apertium engine translating for real."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from slack_sdk.signature import SignatureVerifier

from tests.chat_standins import SlackApiStandIn
from tolk.api.app import create_app
from tolk.config import Settings, SlackAppSettings
from tolk.ops import slack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # the shape of a Slack signing secret
TOKEN = "xoxb-test-token"
SHOES = ("The red shoes are cheap.", "Los zapatos rojos son baratos.")


@pytest.fixture
def workspace() -> Iterator[SlackApiStandIn]:
    members = {"C1": ["U1", "U2", "U3", "U4"]}  # U1 writes; U2 chose Spanish; U3's Slack is Spanish
    with SlackApiStandIn(TOKEN, members, {"U3": "es-ES", "U4": "en-US", "U1": "en-US"}) as api:
        yield api


def settings(folder: Path, api: SlackApiStandIn, **slack_app: Any) -> Settings:
    app = SlackAppSettings(
        signing_secret=SECRET, bot_token=TOKEN, base_url=f"{api.url}/api", admins=["U9"], channels=["C1"]
    ).model_copy(update=slack_app)
    return Settings(
        default_engine="apertium",
        engines={"apertium": {"kind": "apertium"}},
        store=f"sqlite:///{folder / 'tolk.db'}",
        slack=app,
    )


@pytest.fixture
def app(apertium: None, tmp_path: Path, workspace: SlackApiStandIn) -> Iterator[TestClient]:
    with TestClient(create_app(settings(tmp_path, workspace), routers=[slack.router])) as client:
        yield client


def signed(body: bytes, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    """The headers Slack sends, made by Slack's SDK."""
    stamp = str(at if at is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def command(client: TestClient, text: str, user: str, response_url: str = "") -> Any:
    body = urlencode(
        {"command": "/tolk", "text": text, "user_id": user, "channel_id": "C1", "response_url": response_url}
    ).encode()
    headers = signed(body) | {"Content-Type": "application/x-www-form-urlencoded"}
    answer = client.post("/slack/commands", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def eventually(check: Callable[[], bool], seen: Callable[[], object], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out; the workspace saw {seen()!r}"
        time.sleep(0.05)


def test_only_requests_signed_by_slack_and_fresh_are_read(app: TestClient) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV"}).encode()
    good = app.post("/slack/events", content=body, headers=signed(body))
    assert good.status_code == 200 and good.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV"}
    forged = app.post("/slack/events", content=body, headers=signed(body, secret="not-the-secret"))
    assert forged.status_code == 401 and "Signature" in forged.text
    replayed = app.post("/slack/events", content=body, headers=signed(body, at=int(time.time()) - 600))
    assert replayed.status_code == 401 and "stale" in replayed.text
    assert app.post("/slack/events", content=body).status_code == 401
    tampered = app.post("/slack/events", content=body.replace(b"3eZ", b"XXX"), headers=signed(body))
    assert tampered.status_code == 401


def test_the_slash_command_sets_a_language_and_translates(
    app: TestClient, workspace: SlackApiStandIn
) -> None:
    assert "From now on you read es" in command(app, "lang es", "U2")["text"]
    assert command(app, "lang", "U2")["text"] == "You read es."
    ack = command(app, f"translate {SHOES[0]}", "U2", f"{workspace.url}/respond/1")
    assert ack["text"] == "Translating…"  # within Slack's three seconds; the translation follows
    eventually(lambda: len(workspace.responses) == 1, lambda: workspace.requests)
    assert workspace.responses[0]["text"] == SHOES[1]
    assert workspace.responses[0]["response_type"] == "ephemeral"
    command(app, f"translate en {SHOES[1]}", "U2", f"{workspace.url}/respond/2")  # a language named
    eventually(lambda: len(workspace.responses) == 2, lambda: workspace.requests)
    assert workspace.responses[1]["text"] == SHOES[0]
    assert "`/tolk translate" in command(app, "", "U2")["text"]  # help
    assert "unknown" in command(app, "lang xx-nope", "U2")["text"].lower()


def test_a_channel_message_reaches_each_reader_in_their_language(
    app: TestClient, workspace: SlackApiStandIn
) -> None:
    command(app, "lang es", "U2")
    event = {"type": "message", "channel": "C1", "user": "U1", "text": SHOES[0], "ts": "1700000000.000200"}
    body = json.dumps({"type": "event_callback", "event_id": "Ev1", "event": event}).encode()
    assert app.post("/slack/events", content=body, headers=signed(body)).status_code == 200
    eventually(lambda: len(workspace.ephemeral) == 2, lambda: workspace.requests)
    shown = {e["user"]: e for e in workspace.ephemeral}
    assert set(shown) == {"U2", "U3"}  # the author and the English reader get nothing
    assert all(e["text"].startswith(SHOES[1]) and e["thread_ts"] == event["ts"] for e in shown.values())
    retry = app.post("/slack/events", content=body, headers=signed(body) | {"X-Slack-Retry-Num": "1"})
    bot = json.dumps({"type": "event_callback", "event": event | {"bot_id": "B1"}}).encode()
    other = json.dumps({"type": "event_callback", "event": event | {"channel": "C2"}}).encode()
    for extra in (bot, other):
        assert app.post("/slack/events", content=extra, headers=signed(extra)).status_code == 200
    assert retry.status_code == 200
    time.sleep(1.0)
    assert len(workspace.ephemeral) == 2, (
        workspace.requests
    )  # a retry, a bot's message, an unserved channel: nothing more


def test_the_translate_shortcut_on_a_message(app: TestClient, workspace: SlackApiStandIn) -> None:
    payload = {
        "type": "message_action",
        "callback_id": "translate",
        "user": {"id": "U4"},  # reads English (Slack locale)
        "message": {"text": SHOES[1], "ts": "1"},
        "response_url": f"{workspace.url}/respond/9",
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = signed(body) | {"Content-Type": "application/x-www-form-urlencoded"}
    assert app.post("/slack/interactive", content=body, headers=headers).status_code == 200
    eventually(lambda: len(workspace.responses) == 1, lambda: workspace.requests)
    assert workspace.responses[0]["text"] == SHOES[0]


def test_the_ops_commands_are_the_telegram_bots_for_admins_only(app: TestClient) -> None:
    assert "Only the operators" in command(app, "quality", "U1")["text"]
    report = command(app, "quality 24h", "U9")["text"]
    assert report.startswith("```") and "Translator-Agent Report" in report
    assert "Cache, last 24h" in command(app, "cache", "U9")["text"]
    restart = command(app, "agent restart translator", "U9")["text"]
    assert "no live worker of agent 'translator'" in restart
    assert "waiting for review" in command(app, "review", "U9")["text"]


def test_without_a_slack_table_the_routes_are_not_there(tmp_path: Path, workspace: SlackApiStandIn) -> None:
    s = settings(tmp_path, workspace).model_copy(update={"slack": None})
    with TestClient(create_app(s, routers=[slack.router])) as client:
        body = b"{}"
        assert client.post("/slack/events", content=body, headers=signed(body)).status_code == 404
