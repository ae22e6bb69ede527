"""Support conversations (#21 row 4): the customer's language found and kept, each side's message
translated for the other with the last turns as context, the agent's reply translated back, and a
reply the gate holds kept from going out until a person releases it — over the API and the Python API,
against a local OpenAI-compatible stand-in that answers from a phrase book."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import bearer, tokens_for
from tolk.api import auth
from tolk.api.app import create_app
from tolk.client import Client
from tolk.config import EngineSettings, Settings
from tolk.testing.standin import Answer, StandIn

BOOK = {  # each text's translation (either way), as a careful translator would give it
    "배송이 아직 안 왔어요. 주문 번호는 A-1234입니다.": (
        "My delivery has not arrived yet. The order number is A-1234."
    ),
    "Sorry for the wait. Your order A-1234 ships tomorrow.": (
        "기다리게 해서 죄송합니다. 주문 A-1234는 내일 발송됩니다."
    ),
    "기다리게 해서 죄송합니다. 주문 A-1234는 내일 발송됩니다.": (
        "Sorry to keep you waiting. Order A-1234 ships tomorrow."
    ),
    "👍": "👍",
    "Stop the medication immediately if you feel chest pain.": (
        "Deje de tomar el medicamento de inmediato si siente dolor en el pecho."
    ),
    "Deje de tomar el medicamento de inmediato si siente dolor en el pecho.": (
        "Stop taking the medication immediately if you feel chest pain."
    ),
    "Your refund was sent today.": "Su reembolso se envió hoy.",
    "Su reembolso se envió hoy.": "Your refund was sent today.",
}


def phrase_book(body: dict[str, Any]) -> Answer:
    segments = json.loads(body["messages"][-1]["content"])["segments"]
    out = [{"id": s["id"], "text": BOOK.get(s["text"], f"?{s['text']}")} for s in segments]
    return Answer(json.dumps({"translations": out}, ensure_ascii=False))


@pytest.fixture
def llm() -> Iterator[StandIn]:
    with StandIn(phrase_book) as server:
        yield server


def settings(folder: Path, llm: StandIn) -> Settings:
    engine = EngineSettings(kind="openai", model="m", base_url=llm.base_url, api_keys=["k"], external=False)
    return Settings(default_engine="llm", engines={"llm": engine}, store=f"sqlite:///{folder / 'tolk.db'}")


@pytest.fixture
def api(tmp_path: Path, llm: StandIn) -> Iterator[tuple[TestClient, dict[str, str]]]:
    s = settings(tmp_path, llm)
    tokens = tokens_for(s, agent=(auth.Role.viewer, []), lead=(auth.Role.reviewer, []))
    with TestClient(create_app(s)) as client:
        yield client, tokens


def segments_sent(llm: StandIn, text: str) -> dict[str, Any]:
    """The segment the engine was sent for `text` (with its context)."""
    for seen in llm.requests:
        for s in json.loads(seen.body["messages"][-1]["content"])["segments"]:
            if s["text"] == text:
                return dict(s)
    raise AssertionError(f"{text!r} was never sent")


def test_a_conversation_both_ways_with_back_translation(
    api: tuple[TestClient, dict[str, str]], llm: StandIn
) -> None:
    client, tokens = api
    agent = bearer(tokens["agent"])
    opened = client.post("/v1/conversations", json={"agent_lang": "en", "subject": "T-77"}, headers=agent)
    assert opened.status_code == 201, opened.text
    talk = opened.json()["id"]
    assert opened.json()["customer_lang"] is None

    early = client.post(
        f"/v1/conversations/{talk}/messages", json={"from": "agent", "text": "Hi"}, headers=agent
    )
    assert early.status_code == 409 and "customer's language is not known" in early.json()["detail"]

    said = "배송이 아직 안 왔어요. 주문 번호는 A-1234입니다."
    got = client.post(
        f"/v1/conversations/{talk}/messages", json={"from": "customer", "text": said}, headers=agent
    )
    assert got.status_code == 201, got.text
    customer = got.json()
    assert customer["detected_source"] == "ko" and customer["target"] == "en"
    assert customer["text"] == BOOK[said] and customer["original"] == said
    assert customer["from"] == "customer" and customer["back_translation"] is None and not customer["held"]

    reply = "Sorry for the wait. Your order A-1234 ships tomorrow."
    got = client.post(
        f"/v1/conversations/{talk}/messages", json={"from": "agent", "text": reply}, headers=agent
    )
    answer = got.json()
    assert got.status_code == 201 and answer["target"] == "ko", got.text
    assert answer["text"] == BOOK[reply]
    assert answer["back_translation"] == BOOK[BOOK[reply]]  # what the customer reads, in the agent's words
    assert answer["status"] == "CHECKED" and not answer["held"], answer
    # the engine saw the customer's message (in English: the reply's language) as context
    assert f"Customer: {BOOK[said]}" in segments_sent(llm, reply)["context"]

    # too short to tell its language: the conversation's is kept
    got = client.post(
        f"/v1/conversations/{talk}/messages", json={"from": "customer", "text": "👍"}, headers=agent
    )
    assert got.json()["detected_source"] == "ko", got.text

    thread = client.get(f"/v1/conversations/{talk}", headers=agent).json()
    assert thread["customer_lang"] == "ko" and thread["subject"] == "T-77"
    assert [m["from"] for m in thread["messages"]] == ["customer", "agent", "customer"]


def test_a_sensitive_reply_is_held_until_a_reviewer_releases_it(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, tokens = api
    agent, lead = bearer(tokens["agent"]), bearer(tokens["lead"])
    body = {"agent_lang": "en", "customer_lang": "es", "profile": "medical"}
    talk = client.post("/v1/conversations", json=body, headers=agent).json()["id"]
    url = f"/v1/conversations/{talk}/messages"

    warning = "Stop the medication immediately if you feel chest pain."
    held = client.post(url, json={"from": "agent", "text": warning}, headers=agent).json()
    assert held["held"] and held["status"] == "NEEDS_REVIEW" and "sensitive" in held["failed"], held
    assert held["back_translation"] == BOOK[BOOK[warning]]  # shown beside it, for whoever releases it

    plain = {"from": "agent", "text": "Your refund was sent today.", "sensitivity": "urgent"}
    marked = client.post(url, json=plain, headers=agent).json()
    assert marked["held"] and marked["failed"] == ["sensitive"], marked

    release = f"{url}/{held['id']}/release"
    assert client.post(release, headers=agent).status_code == 403  # a support agent's token may not
    released = client.post(release, headers=lead)
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "APPROVED" and not released.json()["held"]
    assert released.json()["released_by"] == "token:lead"
    again = client.post(release, headers=lead)
    assert again.status_code == 409 and "not a held reply" in again.json()["detail"]


def test_what_a_conversation_refuses(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    agent = bearer(tokens["agent"])
    assert client.post("/v1/conversations", json={"agent_lang": "xx-nope"}, headers=agent).status_code == 422
    unknown = client.post("/v1/conversations", json={"agent_lang": "en", "engine": "nope"}, headers=agent)
    assert unknown.status_code == 400 and "nope" in unknown.json()["detail"]
    missing = client.post(
        "/v1/conversations/none/messages", json={"from": "customer", "text": "hola"}, headers=agent
    )
    assert missing.status_code == 404
    talk = client.post("/v1/conversations", json={"agent_lang": "en"}, headers=agent).json()["id"]
    url = f"/v1/conversations/{talk}/messages"
    assert client.post(url, json={"from": "bot", "text": "hi"}, headers=agent).status_code == 422
    assert client.post(url, json={"from": "customer", "text": "  "}, headers=agent).status_code == 422
    short = client.post(url, json={"from": "customer", "text": "ok"}, headers=agent)
    assert short.status_code == 400 and "customer_lang" in short.json()["detail"]
    assert client.post("/v1/conversations", json={"agent_lang": "en"}).status_code == 401


def test_the_python_api_holds_the_same_conversation(tmp_path: Path, llm: StandIn) -> None:
    with Client(settings(tmp_path, llm)) as client:
        talk = client.conversation("en")
        heard = talk.customer("배송이 아직 안 왔어요. 주문 번호는 A-1234입니다.")
        assert heard.text.startswith("My delivery") and talk.customer_lang == "ko"
        reply = talk.agent("Sorry for the wait. Your order A-1234 ships tomorrow.")
        assert reply.target_lang == "ko" and reply.back_translation and not reply.held
        urgent = talk.agent("Sorry for the wait. Your order A-1234 ships tomorrow.", sensitivity="urgent")
        assert urgent.held
        assert talk.release(urgent.id, by="lead").status == "APPROVED"
        again = client.conversation(id=talk.id)
        assert [m.sender for m in again.messages] == ["customer", "agent", "agent"]


def test_the_support_page_a_reply_its_back_translation_and_a_release(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    from tests.test_web import login

    client, tokens = api
    csrf = login(client, tokens["lead"])
    opened = client.post(
        "/ui/support",
        data={
            "csrf": csrf,
            "agent_lang": "en",
            "customer_lang": "es",
            "profile": "medical",
            "subject": "T-9",
        },
        follow_redirects=False,
    )
    assert opened.status_code == 303, opened.text
    page = opened.headers["location"]
    warning = "Stop the medication immediately if you feel chest pain."
    sent = client.post(f"{page}/messages", data={"csrf": csrf, "text": warning, "sender": "agent"})
    assert sent.status_code == 200
    shown = sent.text
    assert "Back-translation: Stop taking the medication immediately" in shown
    assert "Held, not sent" in shown and "Release reply" in shown
    message_id = json.loads(
        client.get(f"/v1/conversations/{page.rsplit('/', 1)[1]}", headers=bearer(tokens["lead"])).text
    )["messages"][0]["id"]
    released = client.post(f"{page}/messages/{message_id}/release", data={"csrf": csrf})
    assert "released by token:lead" in released.text and "Held, not sent" not in released.text
    assert "T-9" in client.get("/ui/support").text
    forged = client.post(f"{page}/messages", data={"csrf": "forged", "text": "x"}, follow_redirects=False)
    assert forged.status_code == 403
    empty = client.post(f"{page}/messages", data={"csrf": csrf, "text": " ", "sender": "customer"})
    assert "the message is empty" in empty.text
