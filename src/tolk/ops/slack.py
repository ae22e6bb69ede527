"""The Slack app: teammates read each other in their own languages, operators ask tolk how it is doing.

`tolk serve` answers Slack at three URLs (set them in the app's configuration at api.slack.com):

- **/slack/commands**, the `/tolk` slash command: `/tolk translate [LANG] TEXT` (into LANG, else the
  user's language), `/tolk lang ko` (the language this user reads; `off` forgets it), and for the
  users in `[slack] admins` the ops commands the Telegram bot has: `/tolk quality [24h]`,
  `/tolk cache`, `/tolk review`, `/tolk agent status`, `/tolk agent restart NAME`.
- **/slack/interactive**, the "Translate" message shortcut: that message, into the user's language.
- **/slack/events**, the Events API: in the channels of `[slack] channels`, each new message is
  translated for every member who reads another language, and shown to them alone (an ephemeral
  message under it).

Every request is verified with the app's signing secret (HMAC-SHA256 over `v0:timestamp:body`, at
most five minutes old) before anything is read from it; Slack's retries of an event are acknowledged
and dropped (the first delivery is being handled). Slack wants an answer within three seconds, so
translations are acknowledged at once and sent afterwards (`response_url`, chat.postEphemeral).

A user's language is theirs to set (`/tolk lang`), else their Slack locale (users.info). Translations
go through the same core as everything else — masking, glossary, memory, the gate — and one the gate
holds is not shown as a translation: the user is told it waits for review, and why.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Coroutine, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import httpx2
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from tolk import languages
from tolk.config import SlackAppSettings
from tolk.core import TolkError
from tolk.ops import answers
from tolk.store import preferences
from tolk.text.identify import identify

if TYPE_CHECKING:
    from tolk.assemble import Kits
    from tolk.store.repo import Store

log = logging.getLogger(__name__)
router = APIRouter(prefix="/slack", include_in_schema=False)
PLATFORM = "slack"
MAX_AGE_S = 300  # Slack's advice: a request older than five minutes may be a replay
MAX_TEXT = 5_000
LOCALE_TTL_S = 3600.0
MAX_MEMBERS = 500  # a channel's members a message is translated for; a larger channel gets the first
OPS = ("quality", "cache", "review", "agent")
HELP = """*tolk* — translations in Slack
`/tolk translate [LANG] TEXT` translate TEXT into LANG (default: your language)
`/tolk lang [LANG|off]` the language you read (now: {lang})
Message menu → *Translate*: that message, into your language
Operators: `/tolk quality [24h]` · `/tolk cache` · `/tolk review` · `/tolk agent status` ·
`/tolk agent restart NAME`"""


class Refused(Exception):
    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: float) -> None:
    """Slack's request signature, or Refused(401): `v0=` HMAC-SHA256 of `v0:TIMESTAMP:BODY`."""
    stamp = headers.get("x-slack-request-timestamp", "")
    if not stamp.isdigit() or abs(now - int(stamp)) > MAX_AGE_S:
        raise Refused(401, "missing or stale X-Slack-Request-Timestamp")
    expected = (
        "v0=" + hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    )
    if not hmac.compare_digest(expected, headers.get("x-slack-signature", "")):
        raise Refused(401, "bad X-Slack-Signature")


class SlackApi:
    """Slack's Web API as the bot calls it: form-encoded POSTs with the bot token (every method takes
    them); an answer with `ok: false` is an error naming Slack's reason."""

    def __init__(self, s: SlackAppSettings, transport: httpx2.AsyncBaseTransport | None = None) -> None:
        self.base = s.base_url.rstrip("/")
        self.client = httpx2.AsyncClient(
            timeout=s.timeout_s,
            transport=transport,
            headers={"Authorization": f"Bearer {s.bot_token.get_secret_value()}"},
        )

    async def call(self, method: str, **params: str) -> dict[str, Any]:
        response = await self.client.post(f"{self.base}/{method}", data=params)
        body = (
            response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        )
        if response.status_code != 200 or not body.get("ok"):
            raise TolkError(f"slack {method}: {body.get('error') or f'HTTP {response.status_code}'}")
        return dict(body)

    async def members(self, channel: str) -> list[str]:
        found: list[str] = []
        cursor = ""
        while len(found) < MAX_MEMBERS:
            page = await self.call("conversations.members", channel=channel, limit="200", cursor=cursor)
            found += [str(m) for m in page.get("members", [])]
            cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        return found[:MAX_MEMBERS]

    async def locale(self, user: str) -> str | None:
        """The user's Slack locale as a tolk language (ko-KR → ko), if Slack says and tolk knows it."""
        try:
            info = await self.call("users.info", user=user, include_locale="true")
            return languages.normalize(str(info["user"]["locale"]))
        except (TolkError, KeyError, TypeError):
            return None

    async def ephemeral(self, channel: str, user: str, text: str, thread: str | None = None) -> None:
        params = {"channel": channel, "user": user, "text": text} | ({"thread_ts": thread} if thread else {})
        await self.call("chat.postEphemeral", **params)

    async def respond(self, response_url: str, text: str) -> None:
        """An answer to a slash command or shortcut, shown to that user only."""
        body = {"response_type": "ephemeral", "replace_original": False, "text": text}
        response = await self.client.post(response_url, json=body)
        if response.status_code != 200:
            raise TolkError(f"slack response_url: HTTP {response.status_code}: {response.text[:200]}")

    async def aclose(self) -> None:
        await self.client.aclose()


class SlackBot:
    """What the three routes do, given the server's store and kits."""

    def __init__(
        self,
        s: SlackAppSettings,
        store: Store,
        kits: Kits,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.s, self.store, self.kits, self.transport = s, store, kits, transport
        # users' Slack locales, asked once an hour at most: a busy channel must not cost a users.info
        # call per member per message (Slack rate-limits it)
        self.locales: dict[str, tuple[float, str | None]] = {}

    def api(self) -> SlackApi:
        return SlackApi(self.s, self.transport)

    # --- translating -------------------------------------------------------------------------------

    async def language_of(self, api: SlackApi, user: str) -> str | None:
        return preferences.language_of(self.store, PLATFORM, user) or await self.locale(api, user)

    async def locale(self, api: SlackApi, user: str) -> str | None:
        at, known = self.locales.get(user, (0.0, None))
        if time.monotonic() - at < LOCALE_TTL_S:
            return known
        if len(self.locales) > 10_000:
            self.locales.clear()
        found = await api.locale(user)
        self.locales[user] = (time.monotonic(), found)
        return found

    async def translate(self, text: str, target: str, user: str, source: str = languages.AUTO) -> str:
        """`text` in `target`, or why it is not shown (the gate held it, the engine failed)."""
        done = (
            await self.kits.translate(
                [text[:MAX_TEXT]],
                source,
                target,
                actor=f"slack:{user}",
                origin="slack",
                engine=self.s.engine,
                profile=self.s.profile,
            )
        )[0]
        if not done.publishable:
            why = ", ".join(done.failed) or str(done.status)
            return f"_tolk held the {target} translation for review ({why}); it is not shown._"
        return done.text

    async def command(self, form: Mapping[str, str]) -> tuple[str | None, Coroutine[Any, Any, None] | None]:
        """A /tolk command: what to answer at once, and the work to do after answering."""
        user, text = form.get("user_id", ""), form.get("text", "").strip()
        words = text.split()
        sub = words[0].lower() if words else "help"
        if sub == "lang":
            return self._lang(user, words[1:]), None
        if sub in OPS:
            if user not in self.s.admins:
                return "Only the operators in tolk's `[slack] admins` may ask that.", None
            line = "/" + " ".join(words)
            said = await asyncio.to_thread(answers.reply, self.store, line)
            return f"```{said or 'unknown command'}```", None
        if sub == "translate" and len(words) > 1:
            return None, self._translate_command(user, words[1:], form.get("response_url", ""))
        mine = preferences.language_of(self.store, PLATFORM, user) or "your Slack locale"
        return HELP.format(lang=mine), None

    def _lang(self, user: str, args: list[str]) -> str:
        if not args:
            mine = preferences.language_of(self.store, PLATFORM, user)
            return (
                f"You read {mine}."
                if mine
                else "No language set: your Slack locale is used. `/tolk lang ko` sets one."
            )
        if args[0].lower() == "off":
            preferences.set_language(self.store, PLATFORM, user, None)
            return "Forgotten: your Slack locale is used."
        try:
            lang = languages.normalize(args[0])
        except TolkError as exc:
            return f"{exc}"
        preferences.set_language(self.store, PLATFORM, user, lang)
        return f"From now on you read {lang} ({languages.display_name(lang)})."

    async def _translate_command(self, user: str, words: list[str], response_url: str) -> None:
        target: str | None = None
        if len(words) > 1:
            try:
                target, words = languages.normalize(words[0]), words[1:]
            except TolkError:
                target = None
        async with contextlib.aclosing(self.api()) as api:
            target = target or await self.language_of(api, user)
            if target is None:
                await api.respond(
                    response_url, "Which language? `/tolk translate ko TEXT`, or set yours: `/tolk lang ko`."
                )
                return
            await api.respond(response_url, await self._safely(" ".join(words), target, user))

    async def shortcut(self, payload: Mapping[str, Any]) -> None:
        """The "Translate" message shortcut: that message into the user's language."""
        user = str((payload.get("user") or {}).get("id", ""))
        text = str((payload.get("message") or {}).get("text", ""))
        async with contextlib.aclosing(self.api()) as api:
            target = await self.language_of(api, user)
            url = str(payload.get("response_url", ""))
            if target is None:
                await api.respond(url, "Set the language you read first: `/tolk lang ko`.")
            elif text.strip():
                await api.respond(url, await self._safely(text, target, user))

    async def message(self, event: Mapping[str, Any]) -> None:
        """A channel message: translated for each member who reads another language, once per language."""
        channel, author, text = (
            str(event.get("channel", "")),
            str(event.get("user", "")),
            str(event.get("text", "")),
        )
        found = await asyncio.to_thread(identify, text)
        if found is None:
            return  # "ok", an emoji: nothing to translate
        async with contextlib.aclosing(self.api()) as api:
            members = [m for m in await api.members(channel) if m != author]
            chosen = preferences.languages_of(self.store, PLATFORM, members)
            readers: dict[str, list[str]] = {}
            for member in members:
                lang = chosen.get(member) or await self.locale(api, member)
                if lang is not None and lang.split("-")[0] != found.tag.split("-")[0]:
                    readers.setdefault(lang, []).append(member)
            thread = str(event.get("thread_ts") or event.get("ts") or "") or None
            for lang, users in readers.items():
                shown = await self._safely(text, lang, author, found.tag)
                for member in users:
                    await api.ephemeral(
                        channel, member, f"{shown}\n_({found.tag} → {lang}, by tolk)_", thread
                    )

    async def _safely(self, text: str, target: str, user: str, source: str = languages.AUTO) -> str:
        try:
            return await self.translate(text, target, user, source)
        except TolkError as exc:
            return f"_tolk could not translate this: {exc}_"

    def wants(self, event: Mapping[str, Any]) -> bool:
        """A person's new message in a channel the bot translates (not an edit, a join, a bot's)."""
        if event.get("type") != "message" or event.get("subtype") or event.get("bot_id"):
            return False
        channels = self.s.channels
        return "*" in channels or str(event.get("channel", "")) in channels


# --- the routes ----------------------------------------------------------------------------------------


def _bot(request: Request) -> SlackBot:
    state = request.app.state
    if getattr(state, "slack", None) is None:
        settings = state.settings.slack
        if settings is None:
            raise Refused(404, "no [slack] app configured")
        state.slack = SlackBot(settings, state.store, state.kits, getattr(state, "slack_transport", None))
    bot: SlackBot = state.slack
    return bot


async def _verified(request: Request) -> tuple[SlackBot, bytes]:
    bot = _bot(request)
    body = await request.body()
    verify(bot.s.signing_secret.get_secret_value(), request.headers, body, time.time())
    return bot, body


def _later(request: Request, work: Coroutine[Any, Any, None]) -> None:
    """Work after the answer (Slack waits three seconds at most), cancelled with the server."""

    async def logged() -> None:
        try:
            await work
        except Exception:
            log.exception("slack: a translation after the answer failed")

    task = asyncio.create_task(logged())
    request.app.state.jobs.add(task)
    task.add_done_callback(request.app.state.jobs.discard)


def _form(body: bytes) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}


@router.post("/commands")
async def slash_command(request: Request) -> Response:
    try:
        bot, body = await _verified(request)
    except Refused as exc:
        return Response(str(exc), status_code=exc.status)
    now, later = await bot.command(_form(body))
    if later is not None:
        _later(request, later)
        return JSONResponse({"response_type": "ephemeral", "text": "Translating…"})
    return JSONResponse({"response_type": "ephemeral", "text": now or ""})


@router.post("/interactive")
async def interactive(request: Request) -> Response:
    try:
        bot, body = await _verified(request)
        payload = json.loads(_form(body).get("payload", "{}"))
    except Refused as exc:
        return Response(str(exc), status_code=exc.status)
    except json.JSONDecodeError:
        return Response("payload: not JSON", status_code=400)
    if payload.get("type") in ("message_action", "shortcut"):
        _later(request, bot.shortcut(payload))
    return Response(status_code=200)


@router.post("/events")
async def events(request: Request) -> Response:
    try:
        bot, body = await _verified(request)
        envelope = json.loads(body)
    except Refused as exc:
        return Response(str(exc), status_code=exc.status)
    except json.JSONDecodeError:
        return Response("body: not JSON", status_code=400)
    if envelope.get("type") == "url_verification":
        return JSONResponse({"challenge": envelope.get("challenge", "")})
    if request.headers.get("x-slack-retry-num"):  # the first delivery is being handled
        return Response(status_code=200, headers={"X-Slack-No-Retry": "1"})
    event = envelope.get("event") or {}
    if envelope.get("type") == "event_callback" and bot.wants(event):
        _later(request, bot.message(event))
    return Response(status_code=200)
