"""The HTTP API through FastAPI's test client (a real ASGI round trip), the dummy engine, SQLite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tolk.api import auth
from tolk.api.app import create_app
from tolk.config import Settings
from tolk.store.repo import Store

from .conftest import bearer, free_port, run_tolk


def test_translate_scores_caches_and_keeps_glossary_terms(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    body = {"text": ["Red Nike shoes", "Soft socks"], "target": "es", "glossary": {"Nike": "Nike"}}
    first = client.post("/v1/translate", json=body, headers=bearer(tokens["viewer"]))
    assert first.status_code == 200, first.text
    out = first.json()["translations"]
    assert [t["text"] for t in out] == ["[es] Red Nike shoes", "[es] Soft socks"]
    assert all(isinstance(t["score"], float) and isinstance(t["failed"], list) for t in out)
    assert first.json()["gate"].startswith("gate:1|checks:")  # what the scores were measured with
    again = client.post("/v1/translate", json={**body, "text": "Soft socks"}, headers=bearer(tokens["admin"]))
    assert again.json()["translations"][0]["text"] == "[es] Soft socks"  # from the cache
    metrics = client.get("/metrics").text
    assert 'tolk_http_requests_total{route="/v1/translate",status="200"} 2.0' in metrics
    # one request per glossary group (Nike applies to one text); the second translate came from the cache
    assert 'tolk_engine_calls_total{engine="dummy",model="dummy"} 2.0' in metrics
    assert 'tolk_engine_tokens_total{direction="in",engine="dummy",model="dummy"} 5.0' in metrics
    assert "tolk_engine_request_seconds_bucket" in metrics and "tolk_outbox_lag_seconds 0.0" in metrics
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    with store.engine.connect() as conn:
        calls = conn.exec_driver_sql("SELECT engine, target, segments, ok FROM engine_calls").all()
    assert [tuple(c) for c in calls] == [("dummy", "es", 1, 1), ("dummy", "es", 1, 1)]


@pytest.mark.parametrize(
    ("token", "target", "status"),
    [(None, "es", 401), ("wrong", "es", 401), ("revoked", "es", 401), ("ko-only", "es", 403),
     ("ko-only", "ko", 200), ("viewer", "es", 200)],
)  # fmt: skip
def test_who_may_translate(
    api: tuple[TestClient, dict[str, str]], token: str | None, target: str, status: int
) -> None:
    client, tokens = api
    headers = bearer(tokens.get(token, "tolk_nope")) if token else {}
    response = client.post("/v1/translate", json={"text": "Hello", "target": target}, headers=headers)
    assert response.status_code == status, response.text
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [({"text": "Hi"}, 422, "target"), ({"text": "Hi", "target": "klingon"}, 422, "unknown language"),
     ({"text": [], "target": "es"}, 422, "1 to 100 texts"),
     ({"text": "x" * 5001, "target": "es"}, 422, "5000"),
     ({"text": "Hi", "target": "es", "engine": "nope"}, 400, "no engine named 'nope'"),
     ({"text": "Hi", "target": "en"}, 422, "same language"),
     ({"text": "Hi", "target": "es", "x": 1}, 422, "x")],
)  # fmt: skip
def test_bad_requests_are_4xx_with_a_message(
    api: tuple[TestClient, dict[str, str]], body: dict[str, object], status: int, message: str
) -> None:
    client, tokens = api
    response = client.post("/v1/translate", json=body, headers=bearer(tokens["viewer"]))
    assert response.status_code == status and message in response.text


def test_health_and_readiness(api: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = api
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"db": "ok", "bus": "ok", "engine": "ok"}
    assert client.get("/openapi.json").json()["paths"]["/v1/translate"]["post"]


def test_readiness_checks_the_bus_and_the_engine(tmp_path: Path, redis_url: str) -> None:
    """A reachable Redis bus is ok; an engine whose server does not answer makes the app not ready."""
    dead = f"http://127.0.0.1:{free_port()}/v1"
    s = Settings(
        default_engine="remote",
        store=f"sqlite:///{tmp_path / 'tolk.db'}",
        engines={"remote": {"kind": "openai", "base_url": dead, "model": "m", "external": False}},
        agent={"bus": redis_url},
    )
    with TestClient(create_app(s)) as client:
        ready = client.get("/readyz")
    checks = ready.json()["checks"]
    assert ready.status_code == 503 and checks["db"] == "ok" and checks["bus"] == "ok"
    assert checks["engine"].startswith("error:") and "remote" in checks["engine"]


def test_token_commands(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'tolk.db'}"
    created = run_tolk(
        "token", "create", "--role", "reviewer", "--langs", "ko,ja", "--name", "kim", "--db", db, cwd=tmp_path
    )
    token = created.stdout.strip()
    assert created.returncode == 0 and token.startswith("tolk_") and len(token) > 40
    listed = run_tolk("token", "list", "--db", db, cwd=tmp_path)
    assert "kim" in listed.stdout and "reviewer" in listed.stdout and "ko,ja" in listed.stdout
    assert token not in listed.stdout  # shown once, at creation
    store = Store(db)
    assert auth.verify(store, token) == auth.Caller("kim", auth.Role.reviewer, ("ko", "ja"))
    assert run_tolk("token", "revoke", "1", "--db", db, cwd=tmp_path).returncode == 0
    assert auth.verify(store, token) is None
    store.close()
    again = run_tolk("token", "revoke", "1", "--db", db, cwd=tmp_path)
    assert again.returncode == 1 and "no live token with id 1" in again.stderr
    bad = run_tolk("token", "create", "--role", "boss", "--db", db, cwd=tmp_path)
    assert bad.returncode == 2 and "'boss' is not a role" in bad.stderr


def seed(store: Store) -> None:
    from tolk.store.repo import ItemRecord, MachineWrite

    with store.transaction() as session:
        store.save_items(session, [ItemRecord("sku-1", "en", None, {"name": "Red shoe"}, {}, "h1")])
        for lang, text in (("es", "Zapato rojo"), ("ko", "빨간 신발")):
            write = MachineWrite(
                "sku-1",
                "name",
                lang,
                text,
                "dummy",
                "dummy",
                "s1",
                "k-" + lang,
                checks=[{"id": "glossary", "severity": "major", "message": "x"}],
                score=60.0,
                status="NEEDS_REVIEW",
            )
            store.write_machine(session, write, exists=False)


@pytest.fixture
def seeded(api: tuple[TestClient, dict[str, str]]) -> tuple[TestClient, dict[str, str]]:
    client, tokens = api
    seed(client.app.state.store)  # type: ignore[attr-defined]
    return client, tokens


def test_review_edit_and_approve(seeded: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = seeded
    assert len(client.get("/v1/review?check=glossary", headers=bearer(tokens["viewer"])).json()) == 2
    assert client.get("/v1/review?check=numbers", headers=bearer(tokens["viewer"])).json() == []
    queue = client.get("/v1/review", headers=bearer(tokens["viewer"])).json()
    rows = [(t["lang"], t["failed"], t["source"]) for t in queue]
    assert rows == [("es", ["glossary"], "Red shoe"), ("ko", ["glossary"], "Red shoe")]
    only_ko = client.get("/v1/review", headers=bearer(tokens["ko-only"])).json()
    assert [t["lang"] for t in only_ko] == ["ko"]
    es = client.get("/v1/translations/sku-1/name/es", headers=bearer(tokens["viewer"])).json()
    edit = {"text": "Zapato rojo vivo", "version": es["version"]}
    edited = client.put("/v1/translations/sku-1/name/es", json=edit, headers=bearer(tokens["reviewer"]))
    assert edited.status_code == 200 and edited.json()["grade"] == "HUMAN"
    assert edited.json()["text"] == "Zapato rojo vivo" and edited.json()["version"] == es["version"] + 1
    stale = client.put(
        "/v1/translations/sku-1/name/es",
        json={"text": "Otra", "version": es["version"]},
        headers=bearer(tokens["reviewer"]),
    )
    assert stale.status_code == 409 and "reload" in stale.text
    ko = client.get("/v1/translations/sku-1/name/ko", headers=bearer(tokens["ko-only"])).json()
    approved = client.post(
        "/v1/translations/sku-1/name/ko/approve",
        json={"version": ko["version"]},
        headers=bearer(tokens["ko-only"]),
    )
    assert approved.status_code == 200 and approved.json()["grade"] == "APPROVED"
    assert approved.json()["text"] == "빨간 신발"
    foreign = client.put(
        "/v1/translations/sku-1/name/es", json={"text": "x", "version": 2}, headers=bearer(tokens["ko-only"])
    )
    assert foreign.status_code == 403
    missing = client.get("/v1/translations/sku-9/name/es", headers=bearer(tokens["viewer"]))
    assert missing.status_code == 404 and "no translation of sku-9/name into es" in missing.text
    assert client.get("/v1/review", headers=bearer(tokens["viewer"])).json() == []
    assert client.get("/v1/review?check=glossary", headers=bearer(tokens["viewer"])).json() == []
    listed = client.get(
        "/v1/translations", params={"grade": "HUMAN"}, headers=bearer(tokens["viewer"])
    ).json()
    assert [(t["lang"], t["grade"]) for t in listed] == [("es", "HUMAN")]


# The least role each route needs (None: public). Every route of the app must be listed here.
MATRIX: dict[tuple[str, str], auth.Role | None] = {
    ("GET", "/healthz"): None,
    ("GET", "/readyz"): None,
    ("GET", "/metrics"): None,
    ("POST", "/v1/translate"): auth.Role.viewer,
    ("POST", "/v1/conversations"): auth.Role.viewer,
    ("GET", "/v1/conversations/{conversation_id}"): auth.Role.viewer,
    ("POST", "/v1/conversations/{conversation_id}/messages"): auth.Role.viewer,
    ("POST", "/v1/conversations/{conversation_id}/messages/{message_id}/release"): auth.Role.reviewer,
    ("GET", "/v1/translations"): auth.Role.viewer,
    ("GET", "/v1/review"): auth.Role.viewer,
    ("GET", "/v1/translations/{item_id}/{field}/{lang}"): auth.Role.viewer,
    ("PUT", "/v1/translations/{item_id}/{field}/{lang}"): auth.Role.reviewer,
    ("POST", "/v1/translations/{item_id}/{field}/{lang}/approve"): auth.Role.reviewer,
    ("GET", "/v1/glossary"): auth.Role.viewer,
    ("PUT", "/v1/glossary/{lang}/{source}"): auth.Role.admin,
    ("DELETE", "/v1/glossary/{lang}/{source}"): auth.Role.admin,
    ("POST", "/v1/translations/{item_id}/{field}/{lang}/send-back"): auth.Role.reviewer,
    ("GET", "/v1/translations/{item_id}/{field}/{lang}/history"): auth.Role.viewer,
    ("POST", "/v1/jobs"): auth.Role.reviewer,
    ("GET", "/v1/jobs/{job_id}"): auth.Role.viewer,
    ("GET", "/v1/tm"): auth.Role.viewer,
    ("POST", "/v1/tm"): auth.Role.admin,
    # DeepL's API (a missing key is 403 there, as DeepL answers it)
    ("POST", "/v2/translate"): auth.Role.viewer,
    ("GET", "/v2/languages"): auth.Role.viewer,
    ("POST", "/v2/languages"): auth.Role.viewer,
    ("GET", "/v2/usage"): auth.Role.viewer,
    ("POST", "/v2/usage"): auth.Role.viewer,
    ("GET", "/v2/glossary-language-pairs"): auth.Role.viewer,
    ("POST", "/v2/glossaries"): auth.Role.admin,
    ("GET", "/v2/glossaries"): auth.Role.viewer,
    ("GET", "/v2/glossaries/{glossary_id}"): auth.Role.viewer,
    ("GET", "/v2/glossaries/{glossary_id}/entries"): auth.Role.viewer,
    ("DELETE", "/v2/glossaries/{glossary_id}"): auth.Role.admin,
    # LibreTranslate's (a missing key is 403 there too; its language list and settings are public)
    ("POST", "/translate"): auth.Role.viewer,
    ("POST", "/detect"): auth.Role.viewer,
    ("GET", "/languages"): None,
    ("GET", "/frontend/settings"): None,
}
KEY_IS_403 = {path for _, path in MATRIX if path.startswith("/v2/") or path in ("/translate", "/detect")}
BODIES: dict[str, dict[str, Any]] = {"/v1/translate": {"text": "Hi", "target": "es"},
          "/v1/conversations": {"agent_lang": "es"},
          "/v1/conversations/{conversation_id}/messages": {"from": "customer", "text": "Hola, buenos días"},
          "/v1/translations/{item_id}/{field}/{lang}": {"text": "Hola", "version": 1},
          "/v1/translations/{item_id}/{field}/{lang}/approve": {"version": 1},
          "/v1/glossary/{lang}/{source}": {"target": "Nike", "do_not_translate": True},
          "/v1/translations/{item_id}/{field}/{lang}/send-back": {"version": 1},
          "/v2/translate": {"text": ["Hi"], "target_lang": "ES"},
          "/v2/glossaries": {"name": "g", "source_lang": "EN", "target_lang": "ES", "entries": "a\tb"},
          "/translate": {"q": "Hi", "source": "en", "target": "es"},
          "/detect": {"q": "Hi"}}  # fmt: skip


def test_authorization_matrix(seeded: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = seeded
    paths = client.get("/openapi.json").json()["paths"]
    routes = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    assert routes == set(MATRIX), "a route is missing from the authorization matrix"
    for (method, path), least in MATRIX.items():
        url = path.format(
            item_id="sku-1", field="name", lang="es", source="Nike", job_id="nope", glossary_id="nope",
            conversation_id="nope", message_id=1,
        )  # fmt: skip
        url += "?to=es" if path == "/v1/jobs" else ""
        for who in (None, *auth.Role):
            headers = bearer(tokens[who.name]) if who else {}
            status = client.request(method, url, json=BODIES.get(path), headers=headers).status_code
            if least is None or (who is not None and who >= least):
                assert status not in (401, 403), (method, path, who, status)
            else:
                unknown = 403 if path in KEY_IS_403 else 401
                assert status == (unknown if who is None else 403), (method, path, who, status)


# routes that name a language: a token limited to other languages is refused (403) on them
LANG_SCOPED = {
    ("POST", "/v1/translate"), ("POST", "/v1/jobs"), ("GET", "/v1/tm"), ("POST", "/v1/conversations"),
    ("GET", "/v1/translations/{item_id}/{field}/{lang}"),
    ("PUT", "/v1/translations/{item_id}/{field}/{lang}"),
    ("POST", "/v1/translations/{item_id}/{field}/{lang}/approve"),
    ("POST", "/v1/translations/{item_id}/{field}/{lang}/send-back"),
    ("GET", "/v1/translations/{item_id}/{field}/{lang}/history"),
    ("PUT", "/v1/glossary/{lang}/{source}"), ("DELETE", "/v1/glossary/{lang}/{source}"),
    ("POST", "/v2/translate"), ("POST", "/v2/glossaries"), ("POST", "/translate"),
}  # fmt: skip


def test_authorization_matrix_with_language_limits(seeded: tuple[TestClient, dict[str, str]]) -> None:
    """Every route (from the OpenAPI spec) × every role × a token limited to ko: a route's role comes
    first; then where the route names a language, es is refused (403) and ko allowed."""
    client, _ = seeded
    store = client.app.state.store  # type: ignore[attr-defined]
    paths = client.get("/openapi.json").json()["paths"]
    routes = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    assert routes >= LANG_SCOPED and routes == set(MATRIX)
    for role in auth.Role:
        limited = bearer(auth.create(store, f"ko-{role.name}", role, ["ko"]))
        for method, path in sorted(routes):
            least = MATRIX[(method, path)]
            for lang in ("es", "ko"):
                url = path.format(
                    item_id="sku-1", field="name", lang=lang, source="Nike", job_id="nope",
                    glossary_id="nope", conversation_id="nope", message_id=1,
                )  # fmt: skip
                url += f"?to={lang}" if path in ("/v1/jobs", "/v1/tm") else ""
                body = BODIES.get(path)
                if path == "/v1/translate":
                    body = {"text": "Hi", "target": lang}
                elif path == "/v1/conversations":
                    body = {"agent_lang": lang}
                elif path in ("/v2/translate", "/v2/glossaries"):
                    body = {**(body or {}), "target_lang": lang}
                elif path == "/translate":
                    body = {**(body or {}), "target": lang}
                content = '{"id": "x", "name": "Hat"}\n' if path == "/v1/jobs" else None
                status = client.request(
                    method, url, json=None if content else body, content=content, headers=limited
                ).status_code
                refused = (least is not None and role < least) or (
                    lang == "es" and (method, path) in LANG_SCOPED
                )
                assert (status == 403) == refused, (role.name, method, path, lang, status)


def test_glossary_routes(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    admin, viewer = bearer(tokens["admin"]), bearer(tokens["viewer"])
    put = client.put("/v1/glossary/es/sneakers", json={"target": "zapatillas"}, headers=admin)
    assert put.status_code == 200 and put.json()["lang"] == "es"
    keep = client.put("/v1/glossary/*/Nike", json={"target": "Nike", "do_not_translate": True}, headers=admin)
    assert keep.status_code == 200
    terms = client.get("/v1/glossary", headers=viewer).json()
    assert sorted((t["lang"], t["source"], t["target"]) for t in terms) == [
        ("*", "Nike", "Nike"),
        ("es", "sneakers", "zapatillas"),
    ]
    assert [t["source"] for t in client.get("/v1/glossary?lang=es", headers=viewer).json()] == ["sneakers"]
    assert client.put("/v1/glossary/klingon/x", json={"target": "y"}, headers=admin).status_code == 422
    assert client.delete("/v1/glossary/es/sneakers", headers=admin).status_code == 204
    gone = client.delete("/v1/glossary/es/sneakers", headers=admin)
    assert gone.status_code == 404 and "no term 'sneakers' for es" in gone.text


def test_send_back_and_history(seeded: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = seeded
    reviewer = bearer(tokens["reviewer"])
    es = client.get("/v1/translations/sku-1/name/es", headers=reviewer).json()
    client.put(
        "/v1/translations/sku-1/name/es",
        json={"text": "Zapato rojo vivo", "version": es["version"]},
        headers=reviewer,
    )
    back = client.post(
        "/v1/translations/sku-1/name/es/send-back", json={"version": es["version"] + 1}, headers=reviewer
    )
    assert back.status_code == 200 and back.json()["grade"] == "MACHINE"
    history = client.get("/v1/translations/sku-1/name/es/history", headers=bearer(tokens["viewer"])).json()
    assert [(h["action"], h["actor"]) for h in history] == [("send_back", "reviewer"), ("edit", "reviewer")]
    store = client.app.state.store  # type: ignore[attr-defined]
    missing = [e for e in store.outbox() if e.type == "i18n.missing"]
    assert len(missing) == 1 and '"languages":["es"]' in missing[0].body.replace(" ", "")
    assert client.get("/v1/review", headers=reviewer).json()[0]["lang"] == "ko"  # waits for a machine now


def test_catalog_job_runs_in_the_background(api: tuple[TestClient, dict[str, str]]) -> None:
    import time

    client, tokens = api
    rows = "".join(
        json.dumps({"id": f"p{i}", "name": f"Shoe {i}", "description": "Soft."}) + "\n" for i in range(30)
    )
    created = client.post("/v1/jobs?to=es,ko", content=rows, headers=bearer(tokens["reviewer"]))
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    for _ in range(200):
        job = client.get(f"/v1/jobs/{job_id}", headers=bearer(tokens["reviewer"])).json()
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job["state"] == "done" and job["total"] == 30 and job["done"] == 30
    assert job["summary"]["translated"] == 120 and job["summary"]["failures"] == 0
    bad = client.post(
        "/v1/jobs?to=es",
        content='{"id": "a", "name": "x"}\n{"name": "no id"}\n',
        headers=bearer(tokens["reviewer"]),
    )
    assert bad.status_code == 422 and "body:2" in bad.text
    denied = client.post("/v1/jobs?to=es", content=rows, headers=bearer(tokens["ko-only"]))
    assert denied.status_code == 403 and "es" in denied.text
    assert client.get("/v1/jobs/nope", headers=bearer(tokens["viewer"])).status_code == 404
    # a job is its creator's and the admins': another token cannot even tell it exists
    assert client.get(f"/v1/jobs/{job_id}", headers=bearer(tokens["viewer"])).status_code == 404
    assert client.get(f"/v1/jobs/{job_id}", headers=bearer(tokens["admin"])).json()["state"] == "done"


def test_translation_memory_import_and_export(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    tmx = (
        '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header srclang="en" segtype="sentence" '
        'datatype="plaintext" adminlang="en" creationtool="t" creationtoolversion="1" o-tmf="t"/><body>'
        '<tu><tuv xml:lang="en"><seg>Red shoe</seg></tuv><tuv xml:lang="es"><seg>Zapato rojo</seg></tuv></tu>'
        "</body></tmx>"
    )
    imported = client.post("/v1/tm", content=tmx, headers=bearer(tokens["admin"]))
    assert imported.status_code == 200 and imported.json() == {"imported": 1}
    exported = client.get("/v1/tm?from=en&to=es", headers=bearer(tokens["viewer"]))
    assert exported.status_code == 200 and "Zapato rojo" in exported.text
    assert exported.headers["content-type"].startswith("application/x-tmx+xml")
    broken = client.post("/v1/tm", content="<tmx><body>", headers=bearer(tokens["admin"]))
    assert broken.status_code == 422 and "body:1" in broken.text
    assert client.post("/v1/tm", content=tmx, headers=bearer(tokens["reviewer"])).status_code == 403
    for query in ("?from=en&to=es", ""):  # a token limited to ko reads no other language's memory
        limited = client.get(f"/v1/tm{query}", headers=bearer(tokens["ko-only"]))
        assert limited.status_code == 403 and "pass to=ko" in limited.text
    assert client.get("/v1/tm?to=ko", headers=bearer(tokens["ko-only"])).status_code == 200
