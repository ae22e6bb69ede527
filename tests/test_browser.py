"""The web UI in a real headless Chromium (Debian's, driven by Playwright; no browser download), against
the app served by uvicorn on a local port: log in, edit one item and press Approve (→ HUMAN: the edit
counts), approve another (→ APPROVED), check the store; an XSS product name renders as text; the
dashboard is saved as a PNG in artifacts/ (the CI keeps it)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from tolk.api import auth
from tolk.api.app import create_app
from tolk.config import Settings
from tolk.store.models import Activity, EngineCall, now
from tolk.store.repo import ItemRecord, MachineWrite, Store

from .conftest import need, serving

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
XSS = '<script>alert("xss")</script><img src=x onerror=alert(2)>'
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    need(found is not None, "Chromium (make chromium, or apt-get install chromium)")
    assert found is not None
    return found


def seed(store: Store) -> str:
    items = [
        ("sku-1", "Red shoe", "Zapato rojo"),
        ("sku-2", "Blue hat", "Sombrero azul"),
        ("sku-x", XSS, XSS),
    ]
    with store.transaction() as session:
        store.save_items(
            session, [ItemRecord(i, "en", None, {"name": src}, {}, "h" + i) for i, src, _ in items]
        )
        checks = [{"id": "glossary", "severity": "major", "message": "term <b>missing</b>"}]
        for item_id, _, text in items:
            write = MachineWrite(
                item_id,
                "name",
                "es",
                text,
                "dummy",
                "dummy",
                "s" + item_id,
                "k" + item_id,
                checks=checks,
                score=61.0,
                status="NEEDS_REVIEW",
                profile="ecommerce",
            )
            store.write_machine(session, write, exists=False)
        for day in range(7):  # a week of activity for the dashboard
            at = now() - timedelta(days=day)
            for lang, score in (("es", 80 + day), ("ko", 70 + 2 * day)):
                session.execute(
                    insert(Activity).values(
                        at=at,
                        origin="agent",
                        lang=lang,
                        items=50,
                        segments=100,
                        translated=90 - day,
                        cache_hits=30,
                        cache_misses=60,
                        failures=day % 3,
                        rewritten=5 + day,
                        needs_review=3,
                        edits=day,
                        approvals=2,
                        scored=90,
                        score_sum=90.0 * score,
                    )
                )
            for n in range(20):
                session.execute(
                    insert(EngineCall).values(
                        at=at,
                        engine="qwen-mt",
                        model="qwen-mt-turbo",
                        source="en",
                        target="es",
                        segments=8,
                        ok=True,
                        seconds=0.2 + n * 0.05,
                        tokens_in=400,
                        tokens_out=420,
                        cost=0.0004,
                    )
                )
    return auth.create(store, "Kim", auth.Role.reviewer, [])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, Store]]:
    db = f"sqlite:///{tmp_path / 'tolk.db'}"
    store = Store(db)
    token = seed(store)
    settings = Settings(
        default_engine="dummy", engines={"dummy": {"kind": "dummy", "external": False}}, store=db
    )
    with serving(create_app(settings)) as base:
        yield base, token, store
    store.close()


def test_review_in_a_real_browser(served: tuple[str, str, Store]) -> None:
    from playwright.sync_api import Dialog, sync_playwright

    base, token, store = served
    executable = _chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            dialogs: list[str] = []

            def dismiss(dialog: Dialog) -> None:
                dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", dismiss)

            page.goto(f"{base}/ui/review")
            assert "/ui/login" in page.url
            page.fill("#token", token)
            page.click("form.login button[type=submit]")
            page.wait_for_url("**/ui/review")
            assert page.locator("section.item").count() == 3

            one = page.locator('section[data-key="sku-1/name/es"]')
            one.locator("textarea").fill("Zapato rojo vivo")
            one.locator("button.approve").click()  # edit, then Approve: the edit is what counts
            page.wait_for_url("**msg=edited")
            page.locator('section[data-key="sku-2/name/es"] button.approve').click()
            page.wait_for_url("**msg=approved")
            assert page.locator("p.msg").inner_text() == "Approved."

            xss = page.locator('section[data-key="sku-x/name/es"]')
            assert XSS in xss.locator(".source p").inner_text()  # shown as text, not parsed as markup
            assert xss.locator("img").count() == 0 and page.locator("script").count() == 0
            assert "term <b>missing</b>" in xss.locator(".checks li").inner_text()

            page.goto(f"{base}/ui/t/sku-1/name/es/history")
            assert "Zapato rojo vivo" in page.locator("table.history").inner_text()

            page.goto(f"{base}/ui/dashboard?days=7")
            assert page.locator("svg.chart").count() == 6
            assert page.locator("svg.chart polyline").count() >= 6
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
            assert dialogs == []
        finally:
            browser.close()

    with store.sessions() as session:
        edited = store.translation(session, "sku-1", "name", "es")
        approved = store.translation(session, "sku-2", "name", "es")
        untouched = store.translation(session, "sku-x", "name", "es")
    assert edited is not None and (edited.grade, edited.text) == ("HUMAN", "Zapato rojo vivo")
    assert approved is not None and (approved.grade, approved.text) == ("APPROVED", "Sombrero azul")
    assert untouched is not None and untouched.grade == "MACHINE"
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000
