"""A local stand-in for OpenAI-compatible chat endpoints (OpenAI, DeepSeek, DashScope's Qwen-MT).

A real HTTP server on 127.0.0.1 speaking the documented wire format: `POST /v1/chat/completions` in,
a `chat.completion` object out, errors as `{"error": {...}}` with the provider's status codes. Tests and
benchmarks point an engine's `base_url` at it; nothing inside tolk is patched.

It records every request (for wire-format assertions), can enforce RPM over a sliding minute and per
second (as DashScope does) answering 429 with `Retry-After`, add latency, and play scripted failures.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[dict[str, Any]], "Answer"]


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-request (a worker killed by a chaos test) is no server error."""
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@dataclass
class Answer:
    """What the stand-in sends back for one request."""

    content: str = ""
    status: int = 200
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)
    error: dict[str, Any] | None = None


def echo_translator(body: dict[str, Any]) -> Answer:
    """Default behaviour: a recognisable fake translation that keeps tokens and markup.

    Qwen-MT style (no system message): translate the one user message.
    OpenAI style (JSON segments): answer every id in the reply format tolk asks for.
    """
    messages = body.get("messages", [])
    target = _target(body)
    user = messages[-1]["content"] if messages else ""
    if any(m.get("role") == "system" for m in messages):
        segments = json.loads(user)["segments"]
        out = [{"id": s["id"], "text": f"<{target}>{s['text']}"} for s in segments]
        return Answer(json.dumps({"translations": out}, ensure_ascii=False))
    return Answer(f"<{target}>{user}")


def _target(body: dict[str, Any]) -> str:
    opts = body.get("translation_options") or {}
    if "target_lang" in opts:
        return str(opts["target_lang"])
    system = next((m["content"] for m in body.get("messages", []) if m.get("role") == "system"), "")
    for line in system.splitlines():
        if line.startswith("Translate from"):
            return line.rsplit(" to ", 1)[-1].rstrip(".")
    return "xx"


@dataclass
class Seen:
    at: float
    body: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    reply_headers: dict[str, str] = field(default_factory=dict)  # what the stand-in answered with


class StandIn:
    """Run with `with StandIn() as server:`; `server.base_url` goes into the engine's settings."""

    def __init__(
        self,
        reply: Reply = echo_translator,
        *,
        latency_s: float = 0.0,
        rpm: int | None = None,
        per_second: bool = True,
        api_keys: set[str] | None = None,
        port: int = 0,  # a fixed port: a server that comes back where one went away
    ) -> None:
        self.reply = reply
        self.latency_s = latency_s
        self.rpm = rpm
        self.per_second = per_second
        self.api_keys = api_keys
        self.requests: list[Seen] = []
        self.script: deque[Answer] = deque()  # answers played before `reply` is consulted
        self._window: deque[float] = deque()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    @property
    def rate_limited(self) -> int:
        return sum(1 for r in self.requests if r.status == 429)

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _admit(self, now: float) -> float | None:
        """None if the request is within the limits, else seconds until it would be."""
        if self.rpm is None:
            return None
        window = self._window
        while window and now - window[0] >= 60:
            window.popleft()
        if len(window) >= self.rpm:
            return 60 - (now - window[0])
        if self.per_second:
            per_s = math.ceil(self.rpm / 60)
            recent = sum(1 for t in window if now - t < 1)
            if recent >= per_s:
                return 1.0
        window.append(now)
        return None

    def _answer(self, body: dict[str, Any], headers: dict[str, str]) -> Answer:
        now = time.monotonic()
        with self._lock:
            if self.api_keys is not None:
                key = headers.get("authorization", "").removeprefix("Bearer ")
                if key not in self.api_keys:
                    return Answer(
                        status=401, error={"message": "Incorrect API key", "code": "invalid_api_key"}
                    )
            wait = self._admit(now)
            if wait is not None:
                return Answer(
                    status=429,
                    headers={"Retry-After": f"{max(wait, 0.05):.3f}"},
                    error={"message": "Requests rate limit exceeded", "code": "rate_limit_exceeded"},
                )
            scripted = self.script.popleft() if self.script else None
        if self.latency_s:
            time.sleep(self.latency_s)
        return scripted if scripted is not None else self.reply(body)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, {"object": "list", "data": [{"id": "standin", "object": "model"}]})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                seen = Seen(time.monotonic(), body, headers)
                answer = standin._answer(body, headers)
                seen.status, seen.reply_headers = answer.status, dict(answer.headers)
                with standin._lock:
                    standin.requests.append(seen)
                if answer.status != 200:
                    self._send(answer.status, {"error": answer.error or {"message": "error"}}, answer.headers)
                    return
                self._send(200, _completion(body, answer), answer.headers)

            def _send(
                self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _completion(body: dict[str, Any], answer: Answer) -> dict[str, Any]:
    prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 4 + 1
    completion = len(answer.content) // 4 + 1 if answer.content else 0
    return {
        "id": "chatcmpl-standin",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "standin"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.content},
                "finish_reason": answer.finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }
