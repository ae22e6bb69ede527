"""`tolk report`, `tolk cache stats`, `tolk bot run`: the operator's answers on the command line.

Each prints what the Telegram bot answers to /quality, /cache (and `tolk review count` to /review,
`tolk agent status|restart` to /agent …).
"""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import Annotated

import typer

from tolk.cli.common import ConfigOpt, DbOpt, console, err_console, open_store, settings, until_stopped
from tolk.core import ConfigError

SinceOpt = Annotated[str, typer.Option("--since", "-s", help="Window: 30m, 24h, 7d, 2w.")]


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


def report(
    since: SinceOpt = "24h",
    format: Annotated[Format, typer.Option("--format", "-f", help="text, markdown or json.")] = Format.text,
    send: Annotated[bool, typer.Option("--send", help="Also send it to every notifier: \\[notify].")] = False,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """The quality report: processed, average score and BLEU, rewrites, failures, skipped, cache miss,
    per language, with the spend."""
    from tolk import notify, reports
    from tolk.ops import schedule

    span = reports.parse_span(since)
    s = settings(config_path, db)
    store = open_store(s, reading=True)
    try:
        r = reports.build(store, span)
        out = {Format.text: reports.text, Format.markdown: reports.markdown}
        print(reports.as_json(r) if format is Format.json else out[format](r, since), end="")
        if send:
            notifiers = notify.from_settings(s.notify)
            if not notifiers:
                raise ConfigError(
                    "--send: no notifier configured ([notify] telegram, slack_webhook, webhooks)"
                )
            failed = asyncio.run(schedule.send(store, notifiers, since))
            for why in failed:
                err_console.print(f"[red]not sent:[/] {why}")
            if failed:
                raise typer.Exit(1)
            err_console.print(f"sent to {', '.join(n.name for n in notifiers)}")
    finally:
        store.close()


cache_app = typer.Typer(help="The translation cache, as the operator sees it.", no_args_is_help=True)


@cache_app.command("stats")
def cache_stats(since: SinceOpt = "24h", db: DbOpt = None, config_path: ConfigOpt = None) -> None:
    """Hits and misses over the window, recent cache invalidations and failures (the bot's /cache)."""
    from tolk.ops import answers as ops

    store = open_store(settings(config_path, db), reading=True)
    try:
        console.print(ops.cache(store, since), end="", highlight=False, markup=False)
    finally:
        store.close()


bot_app = typer.Typer(help="The Telegram ops bot.", no_args_is_help=True)


@bot_app.command("run")
def bot_run(db: DbOpt = None, config_path: ConfigOpt = None) -> None:
    """Answer /quality, /cache, /agent status, /agent restart NAME and /review from allow-listed chats
    (\\[notify.telegram] allowed_chat_ids, else chat_ids), until Ctrl-C."""
    from tolk.agent import registry
    from tolk.notify.telegram import Telegram
    from tolk.ops.bot import OpsBot

    s = settings(config_path, db)
    t = s.notify.telegram
    if t is None or not t.token.get_secret_value():
        raise ConfigError("[notify.telegram] token is not set")
    allowed = set(t.allowed_chat_ids or t.chat_ids)
    if not allowed:
        raise ConfigError(
            "[notify.telegram] allowed_chat_ids (or chat_ids) is empty: nobody could use the bot"
        )
    store = open_store(s)

    async def main(stop: asyncio.Event) -> None:
        order = registry.load(s.agent.registry, s.agent.name).ordered()
        bot = OpsBot(Telegram(t, s.notify.timeout_s, None), store, allowed, s.agent.heartbeat_s, order)
        err_console.print(f"ops bot: answering {len(allowed)} chat(s)")
        await bot.run(stop)

    try:
        until_stopped(main)
    finally:
        store.close()
