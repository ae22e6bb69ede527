"""The web UI in a real headless Chromium (Debian's, driven by Playwright; no browser download), against
the app served by uvicorn on a local port: log in, edit one item and press Approve (→ HUMAN: the edit
counts), approve another (→ APPROVED), check the store; an XSS product name renders as text; five
items reviewed with the keyboard alone, two more in bulk; the dashboard and the queue are saved as
PNGs in artifacts/ (the CI keeps them)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from tolk.api import auth
from tolk.api.app import create_app
from tolk.config import Settings
from tolk.store import activity
from tolk.store import conversations as talks
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
            activity.remember_text(
                session, (item_id, "name", "es"), "dummy", "machine", text, "MACHINE", 61.0
            )
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
    yield from _serve(db, store, seed(store))


def _serve(db: str, store: Store, token: str) -> Iterator[tuple[str, str, Store]]:
    """The app on a local port over `store`, for a fixture to yield; the store closed after."""
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
            assert xss.locator("img").count() == 0
            assert page.locator('script:not([src="/ui/static/tolk.js"])').count() == 0  # tolk's own only
            assert "term <b>missing</b>" in xss.locator(".checks li").inner_text()

            page.goto(f"{base}/ui/t/sku-1/name/es/history")
            assert "Zapato rojo vivo" in page.locator("table.history").inner_text()
            page.goto(f"{base}/ui/t/sku-1/name/es")  # the edit, as a diff against the machine's text
            assert page.locator(".diffs .diff ins").inner_text().strip() == "vivo"

            page.goto(f"{base}/ui/review")
            page.locator('section[data-key="sku-x/name/es"] a', has_text="open").click()
            page.wait_for_url("**/ui/t/sku-x/name/es")
            assert page.locator(".target .text .chip").count() >= 2  # <script>, <img …>: chips, not markup
            assert page.locator(".target .text mark").count() >= 1  # the finding, on its span
            for panel in ("Findings", "Glossary", "Memory", "The product's other fields", "History"):
                assert page.get_by_role("heading", name=panel).count() == 1
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "translation.png"), full_page=True)

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


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[tuple[str, str, Store]]:
    """55 translations waiting for review (more than a page), in product order q00…q54."""
    db = f"sqlite:///{tmp_path / 'tolk.db'}"
    store = Store(db)
    with store.transaction() as session:
        store.save_items(
            session,
            [ItemRecord(f"q{i:02d}", "en", None, {"name": f"Shoe {i:02d}"}, {}, f"h{i}") for i in range(55)],
        )
        for i in range(55):
            write = MachineWrite(
                f"q{i:02d}", "name", "es", f"Zapato {i:02d}", "dummy", "dummy", f"h{i}", f"k{i}",
                checks=[{"id": "glossary", "severity": "major", "message": "x"}], score=60.0,
                status="NEEDS_REVIEW",
            )  # fmt: skip
            store.write_machine(session, write, exists=False)
    yield from _serve(db, store, auth.create(store, "Kim", auth.Role.reviewer, []))


def test_five_items_reviewed_with_the_keyboard_alone_then_two_in_bulk(queue: tuple[str, str, Store]) -> None:
    from playwright.sync_api import sync_playwright

    base, token, store = queue
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{base}/ui/login")
            page.fill("#token", token)
            page.keyboard.press("Enter")  # the form submits from the keyboard too
            page.wait_for_url(f"{base}/ui/review")
            assert page.locator("kbd").count() > 5  # the shortcuts are on the page
            assert page.locator("section.item").count() == 50
            page.click("nav.pages a:has-text('next')")  # a page further, and back
            page.wait_for_url("**page=1")
            assert page.locator("section.item").count() == 5
            page.click("nav.pages a:has-text('previous')")
            page.fill('input[name="q"]', "shoe 07")  # search, from the box
            page.keyboard.press("Enter")
            page.wait_for_url("**q=shoe+07**")
            assert page.locator("section.item").count() == 1
            page.fill('input[name="q"]', "")
            page.select_option('select[name="grade"]', "HUMAN")  # filter: nobody's text waits yet
            page.click("form.filters button[type=submit]")
            page.wait_for_url("**grade=HUMAN**")
            assert page.locator("section.item").count() == 0 and "with these filters" in page.content()
            page.goto(f"{base}/ui/review")

            def first() -> str:
                return page.locator("section.item").first.get_attribute("data-key") or ""

            assert first() == "q00/name/es"

            def act(key: str, then: str) -> None:
                """`key` pressed, and the page that action leads to, loaded."""
                with page.expect_navigation(url=f"**msg={then}"):
                    page.keyboard.press(key)

            act("a", "approved")  # q00
            assert first() == "q01/name/es"
            page.keyboard.press("e")  # q01 edited: into the box, replace the text, save
            page.keyboard.press("Control+a")
            page.keyboard.type("Zapato uno, revisado")
            act("Control+Enter", "edited")
            page.keyboard.press("j")  # q02 stays; q03 is sent back
            act("b", "sent_back")
            page.keyboard.press("j")  # past q02 to q04: approved
            act("a", "approved")
            page.keyboard.press("k")  # k at the top stays on q02; approved
            act("a", "approved")
            keys = page.locator("section.item").evaluate_all("els => els.map(e => e.dataset.key)")
            assert keys[:3] == ["q05/name/es", "q06/name/es", "q07/name/es"] and len(keys) == 50
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "review.png"), full_page=True)
            page.keyboard.press("x")  # q05 selected
            page.keyboard.press("j")
            page.keyboard.press("x")  # q06 selected
            with page.expect_navigation(url="**msg=bulk_approve**"):
                page.click("#bulk button[value=approve]")
            assert page.locator("p.msg").inner_text() == "Approved 2."
            assert first() == "q07/name/es"
        finally:
            browser.close()
    with store.sessions() as session:
        found = {i: store.translation(session, f"q{i:02d}", "name", "es") for i in range(8)}
    grades = {i: (t.grade, t.status) for i, t in found.items() if t is not None}
    assert grades[0][0] == grades[2][0] == grades[4][0] == grades[5][0] == grades[6][0] == "APPROVED"
    assert found[1] is not None and (found[1].grade, found[1].text) == ("HUMAN", "Zapato uno, revisado")
    assert grades[3][1] == "SENT_BACK" and grades[7] == ("MACHINE", "NEEDS_REVIEW")


def test_no_serious_accessibility_violation_on_any_page(served: tuple[str, str, Store]) -> None:
    """axe-core (bundled in axe-playwright-python) on every page of the UI: nothing serious or critical —
    labels, names, contrast, structure. The moderate and minor ones are listed when this fails too."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    base, token, store = served
    talk = talks.open_one(store, "en", "test", customer_lang="ko", subject="T-1")
    for said in (
        talks.Message(
            0, "customer", "배송이 늦어요", "ko", "My delivery is late", "en", None, "CHECKED", 100.0
        ),
        talks.Message(
            0,
            "agent",
            "Stop the pills",
            "en",
            "약을 끊으세요",
            "ko",
            "Stop the drug",
            "NEEDS_REVIEW",
            40.0,
            ["sensitive"],
        ),
    ):
        talks.add_message(store, talk.id, said, "ko")
    axe = Axe()
    found: dict[str, list[str]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            pages = ["/ui/login", "/ui/review", "/ui/t/sku-1/name/es", "/ui/t/sku-1/name/es/history"]
            pages += ["/ui/translate", "/ui/dashboard", "/ui/support", f"/ui/support/{talk.id}"]
            ARTIFACTS.mkdir(exist_ok=True)
            for path in pages:
                page.goto(f"{base}{path}")
                name = path.strip("/").replace("/", "-").replace("ui-", "", 1).replace(talk.id, "thread")
                page.screenshot(path=str(ARTIFACTS / f"page-{name}.png"), full_page=True)  # for a person
                if path == "/ui/login":
                    found[path] = _violations(axe, page)
                    page.fill("#token", token)
                    page.click("form.login button[type=submit]")
                    page.wait_for_url(f"{base}/ui/review")
                    continue
                found[path] = _violations(axe, page)
            page.goto(f"{base}/ui/dashboard?window=24h")  # one day: the numbers first, charts not empty
            assert page.locator(".headline dd").count() >= 13
            assert page.locator("svg.chart").filter(has=page.locator("polyline, circle")).count() >= 5
            page.set_viewport_size({"width": 390, "height": 844})  # a phone
            for path in ("/ui/review", "/ui/t/sku-1/name/es", "/ui/dashboard", f"/ui/support/{talk.id}"):
                page.goto(f"{base}{path}")
                found[f"{path} (phone)"] = _violations(axe, page)
                assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), (
                    path
                )  # no sideways
                name = path.strip("/").replace("/", "-").replace("ui-", "", 1).replace(talk.id, "thread")
                page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
        finally:
            browser.close()
    serious = {path: v for path, v in found.items() if any(x.startswith(("serious", "critical")) for x in v)}
    assert serious == {}, serious


def _violations(axe: Any, page: Any) -> list[str]:
    result = axe.run(page)
    return [
        f"{v['impact']}: {v['id']} ({len(v['nodes'])}): {v['nodes'][0]['target']}"
        for v in result.response["violations"]
    ]
