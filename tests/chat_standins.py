"""Local servers that speak the notifiers' APIs as documented, for the notifier and bot tests.

Telegram Bot API  POST /bot<token>/sendMessage and /bot<token>/getUpdates; a wrong token is 401
                  {"ok": false, "error_code": 401, "description": "Unauthorized"}; MarkdownV2 text is
                  parsed like Telegram does: an unescaped reserved character outside an entity is
                  400 "Bad Request: can't parse entities: Character 'X' is reserved …".
Slack webhook     POST /services/<path>: 200 "ok"; a body without text or blocks is 400 "invalid_payload";
                  another path is 404 "no_service".
Webhook receiver  records every request with its headers.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

RESERVED = set("_*[]()~`>#+-=|{}.!")


def markdown_v2_error(text: str) -> str | None:
    """Telegram's complaint about `text` in parse_mode MarkdownV2, or None (bold and pre supported)."""
    i, bold, in_pre = 0, False, False
    while i < len(text):
        if text.startswith("```", i):
            in_pre, i = not in_pre, i + 3
            continue
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if not in_pre:
            if ch == "*":
                bold = not bold
            elif ch in RESERVED:
                return f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
        elif ch == "`":
            return "Character '`' is reserved and must be escaped with the preceding '\\'"
        i += 1
    if bold or in_pre:
        return "Can't find end of the entity starting at byte offset 0"
    return None


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _Server:
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Any:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def answer(self, req: Request) -> tuple[int, str, bytes]:
        raise NotImplementedError

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                req = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with server._lock:
                    server.requests.append(req)
                status, ctype, data = server.answer(req)
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


class TelegramStandIn(_Server):
    def __init__(self, token: str) -> None:
        self.token = token
        self.updates: deque[dict[str, Any]] = deque()
        self.sent: list[dict[str, Any]] = []
        super().__init__()

    def say(self, chat_id: int, text: str) -> None:
        """A user types `text` in chat `chat_id` (delivered by the next getUpdates)."""
        n = len(self.requests) + len(self.updates) + 1000
        self.updates.append(
            {"update_id": n, "message": {"message_id": n, "chat": {"id": chat_id}, "text": text}}
        )

    def answer(self, req: Request) -> tuple[int, str, bytes]:
        prefix = f"/bot{self.token}/"
        if not req.path.startswith(prefix):
            return _json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method, body = req.path.removeprefix(prefix), req.json()
        if method == "sendMessage":
            return self._send_message(body)
        if method == "getUpdates":
            offset = int(body.get("offset", 0))
            while self.updates and self.updates[0]["update_id"] < offset:
                self.updates.popleft()  # confirmed by the offset
            return _json(200, {"ok": True, "result": list(self.updates)})
        return _json(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    def _send_message(self, body: dict[str, Any]) -> tuple[int, str, bytes]:
        text = body.get("text")
        if not isinstance(body.get("chat_id"), int | str) or not isinstance(text, str) or not text:
            return _json(
                400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
            )
        if len(text) > 4096:
            return _json(
                400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
            )
        if body.get("parse_mode") == "MarkdownV2" and (why := markdown_v2_error(text)):
            return _json(
                400,
                {"ok": False, "error_code": 400, "description": f"Bad Request: can't parse entities: {why}"},
            )
        self.sent.append(body)
        return _json(
            200, {"ok": True, "result": {"message_id": len(self.sent), "chat": {"id": body["chat_id"]}}}
        )


class SlackStandIn(_Server):
    path = "/services/T000/B000/XXXX"

    def answer(self, req: Request) -> tuple[int, str, bytes]:
        if req.path != self.path:
            return 404, "text/plain", b"no_service"
        try:
            body = req.json()
        except ValueError:
            return 400, "text/plain", b"invalid_payload"
        if not isinstance(body, dict) or not (body.get("text") or body.get("blocks")):
            return 400, "text/plain", b"invalid_payload"
        return 200, "text/plain", b"ok"


class SlackApiStandIn(_Server):
    """Slack's Web API as documented (form-encoded POSTs, `Authorization: Bearer xoxb-…`, answers
    `{"ok": …}`): conversations.members (paged by cursor), users.info (with include_locale),
    chat.postEphemeral; and a response_url at /respond/N. It records what was posted."""

    def __init__(self, token: str, members: dict[str, list[str]], locales: dict[str, str]) -> None:
        self.token, self.members, self.locales = token, members, locales
        self.ephemeral: list[dict[str, str]] = []
        self.responses: list[dict[str, Any]] = []
        super().__init__()

    def answer(self, req: Request) -> tuple[int, str, bytes]:
        if req.path.startswith("/respond/"):
            self.responses.append(req.json())
            return 200, "text/plain", b"ok"
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return _json(200, {"ok": False, "error": "invalid_auth"})
        if not req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return _json(200, {"ok": False, "error": "invalid_form_data"})
        form = {k: v[0] for k, v in parse_qs(req.body.decode()).items()}
        method = req.path.removeprefix("/api/")
        if method == "conversations.members":
            everyone = self.members.get(form.get("channel", ""))
            if everyone is None:
                return _json(200, {"ok": False, "error": "channel_not_found"})
            start, size = int(form.get("cursor") or 0), 2  # small pages: the caller must follow cursors
            page = everyone[start : start + size]
            cursor = str(start + size) if start + size < len(everyone) else ""
            return _json(200, {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}})
        if method == "users.info":
            user = form.get("user", "")
            profile: dict[str, Any] = {"id": user}
            if form.get("include_locale") == "true" and user in self.locales:
                profile["locale"] = self.locales[user]
            return _json(200, {"ok": True, "user": profile})
        if method == "chat.postEphemeral":
            if not form.get("channel") or not form.get("user") or not form.get("text"):
                return _json(200, {"ok": False, "error": "invalid_arguments"})
            self.ephemeral.append(form)
            return _json(200, {"ok": True, "message_ts": "1700000000.000100"})
        return _json(200, {"ok": False, "error": "unknown_method"})


class WebhookReceiver(_Server):
    status = 204

    def answer(self, req: Request) -> tuple[int, str, bytes]:
        return self.status, "text/plain", b""


def _json(status: int, payload: dict[str, Any]) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(payload).encode()
