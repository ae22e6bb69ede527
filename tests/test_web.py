"""The web UI through the ASGI test client: who may see and do what, CSRF, escaping, filters, headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tolk.api import auth
from tolk.api.app import create_app
from tolk.config import Settings
from tolk.store.repo import Store

from .test_browser import XSS, seed

PAGES = ["/ui/review", "/ui/translate", "/ui/dashboard", "/ui/t/sku-1/name/es/history"]
ACTIONS = ["/ui/t/sku-1/name/es/edit", "/ui/t/sku-1/name/es/approve", "/ui/t/sku-1/name/es/send-back"]


@pytest.fixture
def ui(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    db = f"sqlite:///{tmp_path / 'tolk.db'}"
    store = Store(db)
    tokens = {"reviewer": seed(store)}
    tokens["viewer"] = auth.create(store, "Vi", auth.Role.viewer, [])
    tokens["ko-reviewer"] = auth.create(store, "Ko", auth.Role.reviewer, ["ko"])
    store.close()
    s = Settings(default_engine="dummy", engines={"dummy": {"kind": "dummy", "external": False}}, store=db)
    with TestClient(create_app(s)) as client:
        yield client, tokens


def login(client: TestClient, token: str) -> str:
    """Log in through the form; the CSRF token of the session's pages."""
    client.cookies.clear()
    form = client.get("/ui/login").text
    nonce = re.search(r'name="csrf" value="([^"]+)"', form)
    assert nonce is not None
    done = client.post(
        "/ui/login", data={"token": token, "csrf": nonce[1], "next": "/ui/review"}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/ui/review"
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/review").text)
    assert found is not None
    return found[1]


def test_pages_need_a_session_and_actions_need_a_reviewer(ui: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = ui
    for page in PAGES:
        response = client.get(page, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/ui/login?next=")
    for action in ACTIONS:
        assert client.post(action, data={"version": 1}, follow_redirects=False).status_code == 303
    csrf = login(client, tokens["viewer"])
    for page in PAGES:
        assert client.get(page).status_code == 200
    for action in ACTIONS:
        denied = client.post(action, data={"csrf": csrf, "version": 1, "text": "x"}, follow_redirects=False)
        assert denied.status_code == 403, action
    csrf = login(client, tokens["ko-reviewer"])  # a reviewer, but not of Spanish
    denied = client.post(ACTIONS[1], data={"csrf": csrf, "version": 1}, follow_redirects=False)
    assert denied.status_code == 403 and "reviewer role for es" in denied.text
    csrf = login(client, tokens["reviewer"])
    ok = client.post(ACTIONS[1], data={"csrf": csrf, "version": 1}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/ui/review?msg=approved"


def test_every_form_needs_its_csrf_token(ui: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = ui
    login(client, tokens["reviewer"])
    for action in [*ACTIONS, "/ui/translate", "/ui/logout"]:
        for csrf in (None, "forged"):
            data = {"version": 1, "text": "Hola"} | ({"csrf": csrf} if csrf else {})
            response = client.post(action, data=data, follow_redirects=False)
            assert response.status_code == 403 and "CSRF" in response.text, action
    client.cookies.clear()
    forged_login = client.post(
        "/ui/login", data={"token": tokens["reviewer"], "csrf": "x"}, follow_redirects=False
    )
    assert forged_login.status_code == 403


def test_product_text_is_escaped_everywhere(ui: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = ui
    csrf = login(client, tokens["reviewer"])
    queue = client.get("/ui/review").text
    assert XSS not in queue and "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in queue
    assert "<b>missing</b>" not in queue and "&lt;b&gt;missing&lt;/b&gt;" in queue
    history = client.get("/ui/t/sku-x/name/es/history").text
    assert XSS not in history and "&lt;img src=x onerror=alert(2)&gt;" in history
    out = client.post("/ui/translate", data={"csrf": csrf, "text": XSS, "source": "en", "target": "es"}).text
    assert XSS not in out and "[es] &lt;script&gt;" in out


def test_review_filters_and_actions(ui: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = ui
    csrf = login(client, tokens["reviewer"])
    assert client.get("/ui/review?check=glossary").text.count('<section class="item"') == 3
    assert client.get("/ui/review?check=numbers").text.count('<section class="item"') == 0
    assert client.get("/ui/review?lang=ko").text.count('<section class="item"') == 0
    assert client.get("/ui/review?profile=ecommerce&grade=MACHINE").text.count('<section class="item"') == 3
    back = {"csrf": csrf, "version": 1, "back": "/ui/review?lang=es"}
    sent = client.post("/ui/t/sku-2/name/es/send-back", data=back, follow_redirects=False)
    assert sent.headers["location"] == "/ui/review?lang=es&msg=sent_back"
    stale = client.post(
        "/ui/t/sku-2/name/es/approve", data={"csrf": csrf, "version": 1}, follow_redirects=False
    )
    assert stale.headers["location"] == "/ui/review?msg=conflict"  # version 1 is gone
    elsewhere = client.post(
        "/ui/t/sku-1/name/es/approve",
        data={"csrf": csrf, "version": 1, "back": "https://evil.example/"},
        follow_redirects=False,
    )
    assert elsewhere.headers["location"] == "/ui/review?msg=approved"  # never off-site


def test_login_refuses_bad_tokens_and_foreign_next(ui: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = ui
    form = client.get("/ui/login?next=//evil.example/x").text
    assert 'value="/ui/review"' in form
    nonce = re.search(r'name="csrf" value="([^"]+)"', form)
    assert nonce is not None
    bad = client.post("/ui/login", data={"token": "tolk_nope", "csrf": nonce[1]}, follow_redirects=False)
    assert bad.status_code == 303 and "error=1" in bad.headers["location"]
    assert "not valid" in client.get(bad.headers["location"]).text


def test_ui_pages_carry_security_headers_and_a_strict_session_cookie(
    ui: tuple[TestClient, dict[str, str]],
) -> None:
    client, tokens = ui
    form = client.get("/ui/login")
    assert "frame-ancestors 'none'" in form.headers["content-security-policy"]
    nonce = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert nonce is not None
    done = client.post(
        "/ui/login", data={"token": tokens["viewer"], "csrf": nonce[1]}, follow_redirects=False
    )
    cookie = done.headers["set-cookie"].lower()
    assert "tolk_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    dashboard = client.get("/ui/dashboard")
    assert dashboard.text.count("<svg") == 6 and "Quality score per language" in dashboard.text


def test_approve_approves_what_the_box_shows(ui: tuple[TestClient, dict[str, str]]) -> None:
    """Edit the text, then press Approve: the edit is kept (the person's, HUMAN), never dropped for the
    old machine text; unchanged, Approve approves the machine text. A person's text loses the machine's
    score and findings (they described another text)."""
    client, tokens = ui
    csrf = login(client, tokens["reviewer"])
    page = client.get("/ui/review").text
    form = page[page.index('action="/ui/t/sku-1/name/es/edit"') :].split("</form>")[0]
    assert 'value="approve"' in form and 'name="text"' in form  # Approve sends the box's text
    press = {"csrf": csrf, "version": 1, "action": "approve"}
    edited = client.post(
        "/ui/t/sku-1/name/es/edit", data=press | {"text": "Zapato rojo vivo"}, follow_redirects=False
    )
    assert edited.headers["location"] == "/ui/review?msg=edited"
    as_is = client.post(
        "/ui/t/sku-2/name/es/edit", data=press | {"text": "Sombrero azul"}, follow_redirects=False
    )
    assert as_is.headers["location"] == "/ui/review?msg=approved"
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    with store.sessions() as session:
        one, two = (store.translation(session, f"sku-{n}", "name", "es") for n in (1, 2))
    assert one is not None and two is not None
    assert (one.text, one.grade, one.approved_by, one.score, one.checks) == (
        "Zapato rojo vivo",
        "HUMAN",
        "Kim",
        None,
        [],
    )
    assert (two.text, two.grade, two.approved_by, two.score) == ("Sombrero azul", "APPROVED", "Kim", 61.0)


def test_the_translate_page_says_whether_a_text_may_be_published(
    ui: tuple[TestClient, dict[str, str]],
) -> None:
    client, tokens = ui
    csrf = login(client, tokens["viewer"])
    ask = {"csrf": csrf, "source": "en", "target": "es"}
    checked = client.post("/ui/translate", data=ask | {"text": "Leather bag"}).text  # "[es] Leather bag"
    assert "Checked by the rules; nobody vouched for the meaning yet." in checked
    held = client.post("/ui/translate", data=ask | {"text": "Red running shoes"}).text  # English words stay
    assert "Not for publishing" in held and "NEEDS_REVIEW" in held


def test_the_session_cookie_is_not_the_token_and_dies_at_logout_expiry_and_revocation(
    ui: tuple[TestClient, dict[str, str]],
) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from tolk.store.models import WebSession, now

    client, tokens = ui
    csrf = login(client, tokens["reviewer"])
    secret = client.cookies.get("tolk_session")
    assert secret and secret != tokens["reviewer"] and tokens["reviewer"] not in secret
    assert client.get("/ui/review", follow_redirects=False).status_code == 200
    client.post("/ui/logout", data={"csrf": csrf}, follow_redirects=False)
    client.cookies.set("tolk_session", secret)  # the old cookie, replayed after log-out
    assert client.get("/ui/review", follow_redirects=False).status_code == 303
    client.cookies.set("tolk_session", tokens["reviewer"])  # the API token is no session either
    assert client.get("/ui/review", follow_redirects=False).status_code == 303
    login(client, tokens["reviewer"])
    store = client.app.state.store  # type: ignore[attr-defined]
    with store.transaction() as session:  # twelve hours later
        session.execute(update(WebSession).values(expires_at=now() - timedelta(seconds=1)))
    assert client.get("/ui/review", follow_redirects=False).status_code == 303
    login(client, tokens["viewer"])
    viewer = next(t for t in auth.tokens(store) if t.name == "Vi")
    auth.revoke(store, viewer.id)  # revoking the token ends its sessions
    assert client.get("/ui/review", follow_redirects=False).status_code == 303


def test_the_dashboard_tells_one_day_at_a_glance(tmp_path: Path) -> None:
    """With one day of data: headline numbers first, spend as money (not 8.8e-05), and charts by the
    hour that draw lines, not a lone dot per chart."""
    from datetime import timedelta

    from sqlalchemy import insert

    from tolk.core import now
    from tolk.store.models import Activity, EngineCall

    db = f"sqlite:///{tmp_path / 'tolk.db'}"
    store = Store(db)
    viewer = auth.create(store, "Vi", auth.Role.viewer, [])
    start = now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=5)
    with store.transaction() as session:
        for h in range(6):  # a morning's work, an hour at a time
            at = start + timedelta(hours=h)
            counts = {"translated": 10, "approved": 2, "approvals": 1, "failures": h % 2, "cache_hits": 5}
            row = {"origin": "translate", "lang": "es", "cache_misses": 5, "scored": 10, "score_sum": 900.0}
            session.execute(insert(Activity).values(at=at, **counts, **row))
            session.execute(
                insert(EngineCall).values(
                    at=at, engine="qwen", model="m", source="en", target="es", segments=10, ok=True,
                    seconds=0.4 + h / 10, tokens_in=100, tokens_out=100, cost=0.0000146,
                )
            )  # fmt: skip
    store.close()
    s = Settings(default_engine="dummy", engines={"dummy": {"kind": "dummy", "external": False}}, store=db)
    with TestClient(create_app(s)) as client:
        login(client, viewer)
        page = client.get("/ui/dashboard").text
        assert client.get("/ui/dashboard?window=30d").status_code == 200
        assert client.get("/ui/dashboard?days=7").status_code == 200  # the older spelling
    assert '<option value="24h" selected>' in page  # young data: hours say more than days
    assert "<h2>today</h2>" in page  # (the morning may have begun yesterday: the week's are counted)
    week = page[page.index("<h2>7 days</h2>") : page.index("<h2>Now</h2>")]
    assert "<dt>Translated</dt><dd>60</dd>" in week
    assert "12 by an assessor · 6 by people" in week
    assert "<dt>Spend</dt><dd>$0.000088</dd>" in week and "e-05" not in page
    assert "<dt>Cache hit ratio</dt><dd>50 %</dd>" in week
    assert page.count("<polyline") >= 5 and "Throughput (segments per hour)" in page


def test_a_young_store_shows_hours_by_default(tmp_path: Path) -> None:
    from datetime import timedelta

    from sqlalchemy import insert

    from tolk.api.web import _young
    from tolk.core import now
    from tolk.store.models import Activity

    store = Store(f"sqlite:///{tmp_path / 'tolk.db'}")
    assert _young(store)  # nothing yet
    with store.transaction() as session:
        session.execute(
            insert(Activity).values(at=now() - timedelta(hours=20), origin="translate", lang="es")
        )
    assert _young(store)
    with store.transaction() as session:
        session.execute(insert(Activity).values(at=now() - timedelta(days=3), origin="translate", lang="es"))
    assert not _young(store)
    store.close()


def test_the_queue_searches_and_sorts_and_keeps_both_in_its_links(
    ui: tuple[TestClient, dict[str, str]],
) -> None:
    client, tokens = ui
    login(client, tokens["viewer"])

    def keys(url: str) -> list[str]:
        return re.findall(r'data-key="([^"]+)"', client.get(url).text)

    assert keys("/ui/review?q=sombrero") == ["sku-2/name/es"]  # the translation, any case
    assert keys("/ui/review?q=RED") == ["sku-1/name/es"]  # the source
    assert keys("/ui/review?q=sku-1") == ["sku-1/name/es"]  # the product
    assert keys("/ui/review?q=%25") == []  # a wildcard is a character, not "everything"
    assert sorted(keys("/ui/review?sort=newest")) == sorted(keys("/ui/review"))
    page = client.get("/ui/review?q=zapato&sort=score").text
    assert 'value="zapato"' in page and '<option value="score" selected>' in page
    assert client.get("/ui/review?sort=random").status_code == 422


def test_bulk_actions_check_every_pick(ui: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = ui
    csrf = login(client, tokens["ko-reviewer"])  # a reviewer, not of Spanish
    pick = {"csrf": csrf, "action": "approve", "pick": ["sku-1/name/es@1"]}
    assert client.post("/ui/bulk", data=pick, follow_redirects=False).status_code == 403
    csrf = login(client, tokens["reviewer"])
    assert client.post("/ui/bulk", data={"action": "approve", "pick": ["sku-1/name/es@1"]}).status_code == 403
    bad = client.post("/ui/bulk", data={"csrf": csrf, "action": "approve", "pick": ["sku-1@x"]})
    assert bad.status_code == 422 and "ITEM/FIELD/LANG@VERSION" in bad.text
    picks = ["sku-1/name/es@1", "sku-2/name/es@7"]  # the second one's version is not the current one
    done = client.post(
        "/ui/bulk", data={"csrf": csrf, "action": "approve", "pick": picks, "back": "/ui/review?lang=es"}
    )
    assert "Approved 1; 1 changed meanwhile or gone (reload)." in done.text
    keys = re.findall(r'data-key="([^"]+)"', done.text)
    assert "sku-1/name/es" not in keys and "sku-2/name/es" in keys
    sent = client.post("/ui/bulk", data={"csrf": csrf, "action": "send_back", "pick": ["sku-2/name/es@1"]})
    assert "Sent back 1." in sent.text


def test_one_translation_with_everything_a_reviewer_weighs(
    ui: tuple[TestClient, dict[str, str]], tmp_path: Path
) -> None:
    from tolk import glossary
    from tolk.store import activity

    client, tokens = ui
    store = Store(f"sqlite:///{tmp_path / 'tolk.db'}")
    (tmp_path / "terms.csv").write_text("source,target_lang,target\nshoe,es,zapato\n")
    store.import_glossary(glossary.load(tmp_path / "terms.csv"))
    with store.transaction() as session:
        store.remember(session, "en", "es", "Red shoes", "Zapatos rojos", "person", creator="ana")
        key = ("sku-1", "name", "es")  # the machine's line, as a run writes it
        activity.remember_text(session, key, "dummy", "machine", "Zapato rojo", "MACHINE", 61.0)
    store.close()
    csrf = login(client, tokens["reviewer"])
    view = client.get("/ui/t/sku-x/name/es").text
    assert (
        '<span class="chip">&lt;script&gt;</span>' in view and "<script>alert" not in view
    )  # markup as chips
    assert '<mark title="glossary: term &lt;b&gt;missing&lt;/b&gt;">' in view  # the finding, on its span
    page = client.get("/ui/t/sku-1/name/es").text
    assert "shoe → zapato" in page  # the glossary panel
    assert "Zapatos rojos" in page and "ana" in page and "person" in page  # memory, its origin and who
    edited = client.post(
        "/ui/t/sku-1/name/es/edit",
        data={"csrf": csrf, "version": 1, "text": "Zapato rojo vivo", "back": "/ui/t/sku-1/name/es"},
    )
    assert "Saved as HUMAN." in edited.text
    assert "Zapato rojo<ins> vivo</ins>" in edited.text  # the diff against the version before
    assert client.get("/ui/t/nope/name/es").status_code == 404
