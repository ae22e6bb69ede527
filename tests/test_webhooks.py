"""`[[webhooks]]`: events to HTTP subscribers without a broker — signed, retried with doubling waits
from their own delivery rows, given up after their attempts, each subscriber on its own."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from tests.chat_standins import Request, WebhookReceiver
from tests.conftest import run_tolk
from tolk import events
from tolk.bus.webhooks import Webhooks
from tolk.config import HookSettings, Settings
from tolk.store import webhooks as deliveries
from tolk.store.repo import Store

SECRET = "s3cret-s3cret-s3cret"


class Flaky(WebhookReceiver):
    """Answers 503 to the first `failures` requests, then 204."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def answer(self, req: Request) -> tuple[int, str, bytes]:
        if self.failures:
            self.failures -= 1
            return 503, "text/plain", b"busy"
        return super().answer(req)


def signed(req: Request) -> bool:
    stamp = req.headers["x-tolk-timestamp"]
    mac = hmac.new(SECRET.encode(), stamp.encode() + b"." + req.body, hashlib.sha256).hexdigest()
    return req.headers["x-tolk-signature"] == f"sha256={mac}"


def hook(url: str, **extra: Any) -> HookSettings:
    return HookSettings(url=url, secret=SecretStr(SECRET), **extra)


def updated(item: str) -> events.Envelope:
    return events.new(
        "i18n.updated", {"product_id": item, "lang": "es", "fields": {"name": {"grade": "MACHINE"}}}
    )


def queue(store: Store, *envelopes: events.Envelope) -> None:
    with store.transaction() as session:
        store.outbox_add_many(session, [(e, 0.0) for e in envelopes])


def deliver_until_idle(hooks: Webhooks, store: Store, seconds: float = 10.0) -> None:
    """Run the delivery loop's passes until nothing is pending (or `seconds` pass), then close it."""

    async def go() -> None:
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                await hooks.once(store)
                if all(s.pending == 0 for s in deliveries.standings(store)):
                    return
                await asyncio.sleep(0.02)
        finally:
            await hooks.aclose()

    asyncio.run(go())


def test_a_run_s_events_reach_a_subscriber_signed(apertium: None, tmp_path: Path) -> None:
    with WebhookReceiver() as receiver:
        (tmp_path / "tolk.toml").write_text(
            f'[[webhooks]]\nurl = "{receiver.url}/hooks/tolk"\nsecret = "{SECRET}"\nevents = ["i18n.*"]\n'
        )
        (tmp_path / "cat.jsonl").write_text(
            '{"id": "a", "name": "Red shoes"}\n{"id": "b", "name": "Blue hat"}\n'
        )
        done = run_tolk("translate", "cat.jsonl", "--to", "es", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        sent = run_tolk("events", "deliver", cwd=tmp_path)
        assert sent.returncode == 0 and "2 deliveries attempted" in sent.stdout, sent.stderr
        assert {r.path for r in receiver.requests} == {"/hooks/tolk"}
        bodies = [json.loads(r.body) for r in receiver.requests]
        assert sorted(b["payload"]["product_id"] for b in bodies) == [
            "a",
            "b",
        ]  # no cache.invalidate: not asked
        for req, body in zip(receiver.requests, bodies, strict=True):
            assert signed(req)
            assert req.headers["x-tolk-event"] == body["type"] == "i18n.updated"
            assert req.headers["x-tolk-delivery"] == body["id"] and req.headers["x-tolk-attempt"] == "1"
        again = run_tolk("events", "deliver", cwd=tmp_path)
        assert "0 deliveries attempted" in again.stdout and len(receiver.requests) == 2  # each event once
        listed = run_tolk("events", "webhooks", "--json", cwd=tmp_path)
        [row] = [json.loads(line) for line in listed.stdout.splitlines()]
        assert (row["delivered"], row["pending"], row["failed"]) == (2, 0, 0)


def test_a_failing_subscriber_is_retried_then_given_up_alone(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'tolk.db'}")
    with Flaky(failures=2) as flaky, Flaky(failures=100) as dead, WebhookReceiver() as picky:
        hooks = Webhooks(
            [
                hook(flaky.url, name="flaky", retry_s=0.05),
                hook(dead.url, name="dead", retry_s=0.05, attempts=3),
                hook(picky.url, name="picky", events=["i18n.failed"]),
            ]
        )
        queue(store, updated("a"))
        deliver_until_idle(hooks, store)
    assert [r.headers["x-tolk-attempt"] for r in flaky.requests] == ["1", "2", "3"]
    assert len(dead.requests) == 3 and picky.requests == []  # not its event type
    standing = {s.subscriber: s for s in deliveries.standings(store)}
    assert (standing["flaky"].delivered, standing["flaky"].failed) == (1, 0)
    assert (standing["dead"].delivered, standing["dead"].failed) == (0, 1)
    assert standing["dead"].last_error == "HTTP 503: busy"
    store.close()


def test_waits_double_up_to_an_hour() -> None:
    hooks = Webhooks([hook("http://127.0.0.1:9/x", name="h", retry_s=10, attempts=20)])
    start = datetime.now(UTC).replace(tzinfo=None)
    waits = [(hooks.retry_at("h", n) or start) - start for n in (1, 2, 3, 12)]
    assert [round(w.total_seconds()) for w in waits] == [10, 20, 40, 3600]
    assert hooks.retry_at("h", 20) is None and hooks.retry_at("gone", 1) is None


def test_two_deliverers_send_each_event_once(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'tolk.db'}")
    with WebhookReceiver() as receiver:
        queue(store, *(updated(str(i)) for i in range(20)))
        one, two = Webhooks([hook(receiver.url)]), Webhooks([hook(receiver.url)])

        async def both() -> None:
            await asyncio.gather(one.once(store), two.once(store))
            await one.aclose()
            await two.aclose()

        asyncio.run(both())
    ids = [r.headers["x-tolk-delivery"] for r in receiver.requests]
    assert len(ids) == 20 and len(set(ids)) == 20
    store.close()


def test_history_is_not_sent_to_a_new_subscriber(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'tolk.db'}")
    old = events.Envelope(**{**updated("old").model_dump(), "id": "old-1"})
    queue(store, old, updated("new"))
    with store.transaction() as session:  # written two days ago, before anyone subscribed
        from sqlalchemy import update

        from tolk.store.models import OutboxEvent

        past = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=2)
        session.execute(update(OutboxEvent).where(OutboxEvent.id == "old-1").values(created_at=past))
    with WebhookReceiver() as receiver:
        hooks = Webhooks([hook(receiver.url)])
        deliver_until_idle(hooks, store)
    assert [json.loads(r.body)["payload"]["product_id"] for r in receiver.requests] == ["new"]
    store.close()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"url": "ftp://x", "secret": SECRET}, "must start with http:// or https://"),
        ({"url": "http://x", "secret": "short"}, "at least 16 characters"),
    ],
)
def test_a_bad_subscription_is_named(entry: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        Settings(webhooks=[entry])
    assert "webhooks.0." in str(caught.value)


def test_tolk_serve_delivers_its_jobs_events(tmp_path: Path) -> None:
    """A laptop with only `tolk serve`: a catalog job's events reach the subscriber, no broker anywhere."""
    from fastapi.testclient import TestClient

    from tests.conftest import one_engine, tokens_for
    from tolk.api import auth
    from tolk.api.app import create_app

    with WebhookReceiver() as receiver:
        s = one_engine(tmp_path).model_copy(
            update={"webhooks": [hook(receiver.url, events=["i18n.updated"])]}
        )
        token = tokens_for(s, ops=(auth.Role.reviewer, []))["ops"]
        with TestClient(create_app(s)) as client:
            rows = '{"id": "p1", "name": "Red shoes"}\n'
            created = client.post(
                "/v1/jobs?to=es", content=rows, headers={"Authorization": f"Bearer {token}"}
            )
            assert created.status_code == 202, created.text
            for _ in range(200):
                if receiver.requests:
                    break
                time.sleep(0.05)
        [req] = receiver.requests
        body = json.loads(req.body)
        assert signed(req) and body["type"] == "i18n.updated" and body["payload"]["product_id"] == "p1"
