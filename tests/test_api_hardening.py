"""The HTTP API under hostile clients: oversized bodies refused unread, security headers, health that
answers while the largest request is worked on, adversarial rows named on every store."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tolk.api import auth
from tolk.api.app import MAX_BODY, create_app
from tolk.api.translate import MAX_TERMS, MAX_TEXT_CHARS, MAX_TEXTS
from tolk.config import Settings
from tolk.store.repo import Store

from .conftest import bearer, finished_job


def test_oversized_bodies_are_refused_unread(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    big = '{"text": "' + "a" * MAX_BODY + '", "target": "es"}'
    headers = {**bearer(tokens["viewer"]), "content-type": "application/json"}
    response = client.post("/v1/translate", content=big, headers=headers)
    assert response.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer encoding
        yield b'{"text": "'
        for _ in range(MAX_BODY // 50_000 + 1):
            yield b"a" * 50_000
        yield b'", "target": "es"}'

    chunked = client.post("/v1/translate", content=chunks(), headers=headers)
    assert chunked.status_code == 413 and "body over" in chunked.text
    small = client.post(
        "/v1/translate", content=iter([b'{"text": "Red shoe", ', b'"target": "es"}']), headers=headers
    )
    assert small.status_code == 200, small.text  # a chunked body under the limit is read as usual


def test_responses_carry_security_headers(api: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = api
    headers = client.get("/healthz").headers
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in headers["content-security-policy"]


def max_size_request() -> dict[str, Any]:
    """The largest request the API takes: 100 texts of 5,000 characters and a 1,000-term glossary."""
    words = [
        "soft",
        "leather",
        "running",
        "shoes",
        "with",
        "a",
        "cushioned",
        "sole",
        "for",
        "long",
        "days",
        "on",
        "your",
        "feet",
        "and",
    ]
    texts = []
    for i in range(MAX_TEXTS):
        sentence = " ".join(words[(i + j) % len(words)] for j in range(12)).capitalize() + f" {i}. "
        texts.append((sentence * (MAX_TEXT_CHARS // len(sentence)))[:MAX_TEXT_CHARS].strip())
    glossary = {f"term{i}": f"término{i}" for i in range(MAX_TERMS)}
    return {"text": texts, "target": "es", "glossary": glossary}


def test_health_answers_while_a_maximum_size_request_is_worked_on(tmp_path: Path) -> None:
    """The gate's CPU work runs off the event loop: /healthz answers during the largest request."""
    import threading

    import httpx

    from tests.conftest import serving

    s = Settings(
        default_engine="dummy",
        engines={"dummy": {"kind": "dummy", "external": False}},
        store=f"sqlite:///{tmp_path / 'tolk.db'}",
    )
    store = Store(s.store)
    token = auth.create(store, "v", auth.Role.viewer, [])
    store.close()
    body = max_size_request()
    assert len(json.dumps(body)) < MAX_BODY
    with serving(create_app(s)) as url:
        done = threading.Event()
        answer: list[httpx.Response] = []

        def big() -> None:
            answer.append(httpx.post(f"{url}/v1/translate", json=body, headers=bearer(token), timeout=120))
            done.set()

        thread = threading.Thread(target=big)
        thread.start()
        during = 0
        while not done.is_set():
            health = httpx.get(f"{url}/healthz", timeout=30)
            assert health.status_code == 200
            during += not done.is_set()  # answered while the big request was still being worked on
        thread.join()
    assert answer[0].status_code == 200, answer[0].text
    assert len(answer[0].json()["translations"]) == MAX_TEXTS
    assert during >= 3
    too_many = {**body, "glossary": {f"t{i}": "x" for i in range(MAX_TERMS + 1)}}
    with TestClient(create_app(s)) as client:
        refused = client.post("/v1/translate", json=too_many, headers=bearer(token))
    assert refused.status_code == 422 and f"at most {MAX_TERMS} terms" in refused.text


HOSTILE_TEXTS: list[tuple[bytes, int]] = [  # a /v1/translate body as sent; 200, or 400: any 4xx with a reason
    (b'{"text": "a \\u0000 b", "target": "es"}', 400),
    (b'{"text": "a \\ud800 b", "target": "es"}', 400),
    (b'{"text": "raw \x1b escape", "target": "es"}', 400),
    (b'{"text": "escaped \\u001b control", "target": "es"}', 200),
    (b'{"text": "\xff\xfe broken", "target": "es"}', 400),
    (b'{"text": ' + b"[" * 50_000 + b"]" * 50_000 + b', "target": "es"}', 400),
    (b'\xef\xbb\xbf{"text": "Red shoe", "target": "es"}', 200),  # a byte-order mark is read past
    (b'{"text": "Red shoe", "target": "es"}', 200),
]


def test_adversarial_input_through_the_api(db_url: str, tmp_path: Path) -> None:
    """The hostile catalog as a job, and hostile texts, on every store: no 5xx, each bad row named."""
    from tests.hostile import GOOD_IDS, HOSTILE_ROWS, hostile_catalog

    s = Settings(
        default_engine="dummy", engines={"dummy": {"kind": "dummy", "external": False}}, store=db_url
    )
    store = Store(db_url)
    headers = bearer(auth.create(store, "ops", auth.Role.admin, []))
    store.close()
    body = hostile_catalog(big_line=5_000_000)  # still over the row limit; the file under the upload's
    bad = {n: reason for n, (_, reason) in enumerate(HOSTILE_ROWS, 1) if reason is not None}
    with TestClient(create_app(s)) as client:
        whole = client.post("/v1/jobs?to=es", content=hostile_catalog(), headers=headers)
        assert whole.status_code == 413 and "catalog over 50000000 bytes" in whole.text
        refused = client.post("/v1/jobs?to=es", content=body, headers=headers)
        assert refused.status_code == 422 and f"{len(bad)} bad rows, nothing was accepted" in refused.text
        detail = refused.json()["detail"]
        for n, reason in bad.items():  # "body:LINE: ...reason..." before the next line's entry
            assert re.search(rf"body:{n}: (?:(?!body:\d).)*{re.escape(reason)}", detail), (n, detail)
        assert client.get("/v1/translations?lang=es", headers=headers).json() == []
        job = finished_job(client, "/v1/jobs?to=es&skip_bad=true", body, headers)
        assert job["state"] == "done", job
        listed = {b["line"]: b["reason"] for b in job["summary"]["bad_row_list"]}
        assert set(listed) == set(bad) and all(bad[n] in listed[n] for n in bad), listed
        written = client.get("/v1/translations?lang=es", headers=headers).json()
        assert sorted(t["item_id"] for t in written) == GOOD_IDS
        for raw, status in HOSTILE_TEXTS:
            answer = client.post(
                "/v1/translate", content=raw, headers={**headers, "content-type": "application/json"}
            )
            got = 400 if 400 <= answer.status_code < 500 and answer.json()["detail"] else answer.status_code
            assert got == status, (raw[:40], answer.status_code, answer.text[:300])


def test_a_token_over_its_requests_a_minute_waits(tmp_path: Path) -> None:
    """`[api] token_rpm`: one client's loop cannot take the server from the others; each API answers
    429 in its own shape, with Retry-After (the DeepL SDK and LibreTranslate clients wait on it)."""
    s = Settings(
        default_engine="dummy",
        engines={"dummy": {"kind": "dummy", "external": False}},
        store=f"sqlite:///{tmp_path / 'tolk.db'}",
        api={"token_rpm": 2},
    )
    store = Store(s.store)
    busy, calm = (auth.create(store, name, auth.Role.viewer, []) for name in ("busy", "calm"))
    store.close()
    body = {"text": "Red shoes", "target": "es"}
    with TestClient(create_app(s)) as client:
        for _ in range(2):
            assert client.post("/v1/translate", json=body, headers=bearer(busy)).status_code == 200
        over = client.post("/v1/translate", json=body, headers=bearer(busy))
        assert over.status_code == 429 and 1 <= int(over.headers["retry-after"]) <= 60
        assert "2 requests a minute" in over.json()["detail"]
        deepl = client.post("/v2/translate", json={"text": ["Red shoes"], "target_lang": "ES"},
                            headers={"Authorization": f"DeepL-Auth-Key {busy}"})  # fmt: skip
        assert deepl.status_code == 429 and "Too many requests" in deepl.json()["message"]
        libre = client.post(
            "/translate", json={"q": "Red shoes", "source": "en", "target": "es", "api_key": busy}
        )
        assert libre.status_code == 429 and libre.json()["error"] == "Slowdown: 2 per 1 minute"
        assert "retry-after" in deepl.headers and "retry-after" in libre.headers
        assert client.post("/v1/translate", json=body, headers=bearer(calm)).status_code == 200  # its own
