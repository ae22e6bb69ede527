"""`tolk report`, the notifiers against local servers speaking their APIs, the ops bot, the schedule."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tolk import reports, review
from tolk.config import NotifySettings, TelegramSettings
from tolk.notify import NotifyError, from_settings
from tolk.notify.base import Notice
from tolk.notify.telegram import Telegram, escape
from tolk.ops import answers as ops
from tolk.ops import schedule as schedule_mod
from tolk.ops.bot import OpsBot
from tolk.store.repo import Store

from .chat_standins import SlackStandIn, TelegramStandIn, WebhookReceiver, markdown_v2_error
from .conftest import run_tolk

SEED_FIELDS = ["Processed", "Average score", "Average BLEU", "Rewrites", "Failures", "Skipped", "Cache Miss"]
TOKEN = "123456:ABC-standin"


@pytest.fixture
def worked(tmp_path: Path) -> str:
    """A store after two runs over the same catalog (the second skips everything) and two reviews."""
    catalog = tmp_path / "catalog.jsonl"
    rows = [
        {"id": f"p{i}", "name": f"Shoe {i}. Size 4-5!", "description": "Soft (and) warm."} for i in range(5)
    ]
    catalog.write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = tmp_path / "tolk.toml"
    config.write_text('default_engine = "dummy"\n[engines.dummy]\nkind = "dummy"\nexternal = false\n')
    db = f"sqlite:///{tmp_path / 'tolk.db'}"
    for _ in range(2):
        done = run_tolk(
            "translate", str(catalog), "--to", "es,ko", "--db", db, "--config", str(config), cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr
    store = Store(db)
    review.edit(store, ("p0", "name", "es"), "Zapato 0. Talla 4-5!", 1, "kim")
    review.approve(store, ("p1", "name", "es"), 1, "kim")
    store.close()
    return db


def test_report_has_the_seeds_fields_and_counts_what_happened(worked: str, tmp_path: Path) -> None:
    out = run_tolk("report", "--since", "24h", "--db", worked, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    labels = [line.split(":", 1)[0] for line in out.stdout.splitlines()[1:8]]
    assert out.stdout.startswith("Translator-Agent Report\n") and labels == SEED_FIELDS
    lines = dict(line.split(": ", 1) for line in out.stdout.splitlines() if ": " in line)
    assert lines["Processed"] == "20 items (40 segments)"  # 5 items × 2 languages × 2 runs
    assert lines["Skipped"] == "20"  # the second run: every segment unchanged
    assert lines["Failures"] == "0" and lines["Rewrites"] == "0"
    assert lines["Cache Miss"] == "100.0%"  # the first run's 20 segments all went to the engine
    assert lines["Average BLEU"].endswith("(machine text vs the reviewer's version, 2 reviewed)")
    assert lines["Review"] == "5 sent, 1 edited, 1 approved"
    assert "es " in out.stdout and "ko " in out.stdout  # the per-language table
    as_json = json.loads(run_tolk("report", "--format", "json", "--db", worked, cwd=tmp_path).stdout)
    assert as_json["total"]["segments"] == 40 and set(as_json["languages"]) == {"es", "ko"}
    assert as_json["total"]["requests"] >= 2 and as_json["total"]["tokens"] > 0
    md = run_tolk("report", "--format", "markdown", "--db", worked, cwd=tmp_path).stdout
    assert "| lang | items |" in md and "- **Cache Miss:** 100.0%" in md
    bad = run_tolk("report", "--since", "yesterday", "--db", worked, cwd=tmp_path)
    assert bad.returncode != 0 and "--since: 'yesterday' is not a span" in bad.stderr


def test_a_window_without_activity_reports_zeros(worked: str) -> None:
    store = Store(worked)
    old = reports.build(store, timedelta(hours=1), until=datetime(2000, 1, 1))
    store.close()
    assert old.total.items == 0 and old.total.average_score is None and old.total.bleu is None


def _notice(db: str) -> Notice:
    store = Store(db)
    try:
        return Notice(reports.build(store, timedelta(hours=24)), "24h")
    finally:
        store.close()


def test_telegram_sends_markdown_v2_that_telegram_parses(worked: str) -> None:
    assert markdown_v2_error("Processed: 1.5") is not None  # the stand-in does refuse unescaped text
    assert markdown_v2_error(escape("Processed: 1.5 (x) [y] #1 - ok!")) is None
    with TelegramStandIn(TOKEN) as server:
        settings = TelegramSettings(token=TOKEN, chat_ids=[42, -1001], base_url=server.url)
        asyncio.run(Telegram(settings, 5.0, None).send(_notice(worked)))
        assert [m["chat_id"] for m in server.sent] == [42, -1001]
        text = server.sent[0]["text"]
        assert server.sent[0]["parse_mode"] == "MarkdownV2" and text.startswith(
            "📊 *Translator\\-Agent Report*"
        )
        assert "Cache Miss: 100\\.0%" in text and "```" in text
        wrong = TelegramSettings(token="000:wrong", chat_ids=[42], base_url=server.url)
        with pytest.raises(NotifyError, match="telegram: Unauthorized"):
            asyncio.run(Telegram(wrong, 5.0, None).send(_notice(worked)))


def test_slack_and_signed_webhook(worked: str) -> None:
    with SlackStandIn() as slack, WebhookReceiver() as hook:
        settings = NotifySettings(
            slack_webhook=slack.url + SlackStandIn.path,
            webhooks=[{"url": hook.url + "/tolk", "secret": "s3cret"}],
        )
        notifiers = from_settings(settings)
        assert [n.name for n in notifiers] == ["slack", "webhook"]
        for n in notifiers:
            asyncio.run(n.send(_notice(worked)))
        body = slack.requests[0].json()
        assert body["text"].startswith("Translator-Agent Report") and body["blocks"][0]["type"] == "header"
        got = hook.requests[0]
        stamp = got.headers["x-tolk-timestamp"]
        expected = hmac.new(b"s3cret", stamp.encode() + b"." + got.body, hashlib.sha256).hexdigest()
        assert got.headers["x-tolk-signature"] == f"sha256={expected}"
        assert got.json()["type"] == "tolk.report" and got.json()["total"]["segments"] == 40
        wrong = from_settings(NotifySettings(slack_webhook=slack.url + "/services/nope"))[0]
        with pytest.raises(NotifyError, match="slack: HTTP 404: no_service"):
            asyncio.run(wrong.send(_notice(worked)))


def test_report_send_reaches_every_configured_channel(worked: str, tmp_path: Path) -> None:
    with TelegramStandIn(TOKEN) as tg, SlackStandIn() as slack:
        config = tmp_path / "notify.toml"
        config.write_text(
            f'[notify]\nslack_webhook = "{slack.url}{SlackStandIn.path}"\n'
            f'[notify.telegram]\ntoken = "{TOKEN}"\nchat_ids = [7]\nbase_url = "{tg.url}"\n'
        )
        sent = run_tolk("report", "--send", "--db", worked, "--config", str(config), cwd=tmp_path)
        assert sent.returncode == 0, sent.stderr
        assert "sent to telegram, slack" in sent.stderr and len(tg.sent) == 1 and len(slack.requests) == 1
    nothing = run_tolk("report", "--send", "--db", worked, cwd=tmp_path)
    assert nothing.returncode != 0 and "no notifier configured" in nothing.stderr


def test_ops_bot_answers_allowed_chats_only(worked: str) -> None:
    store = Store(worked)
    with TelegramStandIn(TOKEN) as server:
        bot = OpsBot(Telegram(TelegramSettings(token=TOKEN, base_url=server.url), 5.0, None), store, {42})
        for text in (
            "/quality 24h",
            "/review",
            "/cache",
            "/agent status",
            "/agent restart translator",
            "/help",
        ):
            server.say(42, text)
        server.say(666, "/agent restart translator")  # not on the allow-list
        assert asyncio.run(bot.poll(timeout_s=0)) == 7
        assert asyncio.run(bot.poll(timeout_s=0)) == 0  # the offset confirmed them
    store.close()
    replies = [m["text"] for m in server.sent]
    assert len(replies) == 6 and all(m["chat_id"] == 42 for m in server.sent)
    assert "Processed: 20 items" in replies[0] and "Cache Miss: 100\\.0%" not in replies[0]  # a pre block
    assert "5 translations waiting for review (ko 5)" in replies[1]
    assert "hits: 0 cache + 0 memory; misses: 20" in replies[2]
    assert "no agent workers have registered" in replies[3]
    assert "error: no live worker of agent 'translator'" in replies[4]
    assert "/quality [24h]" in replies[5]


def test_cli_has_the_bots_actions(worked: str, tmp_path: Path) -> None:
    count = run_tolk("review", "count", "--db", worked, cwd=tmp_path)
    assert count.returncode == 0 and count.stdout == "5 translations waiting for review (ko 5)\n"
    cache = run_tolk("cache", "stats", "--since", "7d", "--db", worked, cwd=tmp_path)
    assert cache.returncode == 0 and "misses: 20 (100.0%)" in cache.stdout
    store = Store(worked)
    assert ops.review_count(store) == count.stdout
    store.close()


def test_one_worker_sends_each_scheduled_report(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'tolk.db'}")
    slot = schedule_mod.next_slot("0 7 * * *", datetime(2026, 11, 21, 7, 0, 1))
    assert slot == datetime(2026, 11, 22, 7, 0)
    assert [schedule_mod.claim(store, slot) for _ in range(3)] == [True, False, False]
    assert schedule_mod.claim(store, slot + timedelta(days=1))
    store.close()


def test_schedule_config_is_checked(tmp_path: Path) -> None:
    config = tmp_path / "tolk.toml"
    config.write_text('[report]\nschedule = "every morning"\n')
    out = run_tolk("report", "--config", str(config), "--db", f"sqlite:///{tmp_path / 'x.db'}", cwd=tmp_path)
    assert out.returncode != 0 and "report.schedule" in out.stderr and "not a cron expression" in out.stderr


def test_the_schedule_sends_the_report_at_each_slot(worked: str) -> None:
    """The loop the agent runs: a seconds-resolution cron (croniter's sixth field) fires within the test."""
    from tolk.config import Settings

    store = Store(worked)
    with TelegramStandIn(TOKEN) as server:
        s = Settings(
            notify={"telegram": {"token": TOKEN, "chat_ids": [5], "base_url": server.url}},
            report={"schedule": "* * * * * *", "since": "1h"},
        )

        async def run_until_sent() -> None:
            stop = asyncio.Event()
            task = asyncio.create_task(schedule_mod.run(s, store, from_settings(s.notify), stop))
            for _ in range(100):
                if server.sent:
                    break
                await asyncio.sleep(0.05)
            stop.set()
            await asyncio.wait_for(task, 5)

        asyncio.run(run_until_sent())
    store.close()
    assert server.sent and "Window: last 1h" in server.sent[0]["text"]


# The notifier contract: each channel, against a local server speaking its API, delivers a report and
# turns the server's refusal into a NotifyError that names the channel.
CHANNELS = ["telegram", "slack", "webhook"]


def _channel(name: str, good: bool) -> tuple[Any, Any]:
    if name == "telegram":
        server: Any = TelegramStandIn(TOKEN)
        token = TOKEN if good else "000:wrong"
        return server, lambda url: NotifySettings(telegram={"token": token, "chat_ids": [1], "base_url": url})
    if name == "slack":
        server = SlackStandIn()
        path = SlackStandIn.path if good else "/services/gone"
        return server, lambda url: NotifySettings(slack_webhook=url + path)
    server = WebhookReceiver()
    server.status = 204 if good else 410
    return server, lambda url: NotifySettings(webhooks=[{"url": url + "/hook", "secret": "k"}])


@pytest.mark.parametrize("name", CHANNELS)
def test_notifier_contract(worked: str, name: str) -> None:
    for good in (True, False):
        server, settings_for = _channel(name, good)
        with server:
            [notifier] = from_settings(settings_for(server.url))
            assert notifier.name == name
            if good:
                asyncio.run(notifier.send(_notice(worked)))
                assert len(server.requests) == 1
            else:
                with pytest.raises(NotifyError, match=f"^{name}"):
                    asyncio.run(notifier.send(_notice(worked)))
    unreachable = NotifySettings(webhooks=[{"url": "http://127.0.0.1:9/hook"}], timeout_s=2)
    with pytest.raises(NotifyError, match=r"webhook: cannot reach 127\.0\.0\.1"):
        asyncio.run(from_settings(unreachable)[0].send(_notice(worked)))


def test_the_bot_needs_its_token_and_says_which_setting(tmp_path: Path) -> None:
    done = run_tolk("bot", "run", "--db", f"sqlite:///{tmp_path / 't.db'}", cwd=tmp_path)
    assert done.returncode == 2 and "error: [notify.telegram] token is not set" in done.stderr


def test_an_injected_transport_carries_every_channels_request(worked: str) -> None:
    """`transport=` reaches every notifier the settings build: one seam for a proxy or a recorder."""
    import httpx2

    seen: list[httpx2.Request] = []

    def receiver(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json={"ok": True, "result": {}})

    settings = NotifySettings(
        slack_webhook="http://hooks.invalid/services/T/B/x",
        webhooks=[{"url": "http://ops.invalid/hook", "secret": "k"}],
    )
    notice = _notice(worked)
    for notifier in from_settings(settings, transport=httpx2.MockTransport(receiver)):
        asyncio.run(notifier.send(notice))
    assert [r.url.host for r in seen] == ["hooks.invalid", "ops.invalid"]
    assert "x-tolk-signature" in seen[1].headers


def test_bleu_without_reviews_says_what_it_would_measure(tmp_path: Path) -> None:
    from tolk.core import now

    figures = reports.Figures(scored=10, score_sum=870.0)
    lines = dict(reports.block(reports.Report(now(), now(), figures, {}), "24h"))
    assert lines["Average BLEU"] == (
        "n/a — it compares machine text with a reviewer's version, and nobody reviewed any; "
        "the gate's score 87.0/100 meanwhile"
    )
    assert lines["Average score"] == "87.0 (the gate's, 0–100, over the texts it judged)"
