"""Local stand-ins for DeepL's and LibreTranslate's APIs, speaking their documented wire formats, for
the engine tests and the engine contract suite (nothing inside tolk is patched).

DeepL          POST /v2/translate (JSON or form; `text` repeated; `DeepL-Auth-Key`), /v2/glossaries,
               GET /v2/usage; errors `{"message": …}`: 403 for a key, 400 for a bad value (a target
               `EN` or `PT` is refused as DeepL refuses it), 404 for an unknown glossary, 456 once
               `quota_chars` are used. A translation is the text marked `[ES] `, a glossary's terms
               replaced, tags kept as they are.
LibreTranslate POST /translate (`q` a text or a list, `api_key` in the body), GET /languages; errors
               `{"error": …}`: 403 for a key, 400 for a language the server lacks.

Both record each request and can play scripted answers first (`script`: status and JSON body), for
rate limits and outages.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DEEPL_TARGETS = frozenset({
    "AR", "BG", "CS", "DA", "DE", "EL", "EN-GB", "EN-US", "ES", "ET", "FI", "FR", "HE", "HU", "ID", "IT",
    "JA", "KO", "LT", "LV", "NB", "NL", "PL", "PT-BR", "PT-PT", "RO", "RU", "SK", "SL", "SV", "TH", "TR",
    "UK", "VI", "ZH", "ZH-HANS", "ZH-HANT",
})  # fmt: skip
LIBRE_LANGUAGES = ("en", "es", "de", "fr", "ja", "ko", "zh-Hans", "zh-Hant", "pt", "it")


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class _Base:
    def __init__(self, api_keys: set[str] | None = None) -> None:
        self.api_keys = api_keys
        self.requests: list[Seen] = []
        self.script: deque[tuple[int, Any]] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Any:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, seen: Seen) -> tuple[int, Any]:
        raise NotImplementedError

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def _serve(self, method: str) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0)).decode("utf-8")
                url = urlsplit(self.path)
                body: dict[str, Any] = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(url.query).items()}
                if raw and "json" in (self.headers.get("content-type") or ""):
                    body.update(json.loads(raw))
                elif raw:
                    body.update({k: v if len(v) > 1 else v[0] for k, v in parse_qs(raw).items()})
                seen = Seen(method, url.path, dict(self.headers), body)
                with owner._lock:
                    owner.requests.append(seen)
                    scripted = owner.script.popleft() if owner.script else None
                status, reply = scripted if scripted is not None else owner.answer(seen)
                data = json.dumps(reply, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


class DeepLStandIn(_Base):
    def __init__(self, api_keys: set[str] | None = None, quota_chars: int | None = None) -> None:
        super().__init__(api_keys)
        self.quota_chars = quota_chars
        self.used = 0
        self.glossaries: dict[str, dict[str, Any]] = {}

    def answer(self, seen: Seen) -> tuple[int, Any]:
        scheme, _, key = seen.headers.get("Authorization", "").partition(" ")
        if scheme != "DeepL-Auth-Key" or (self.api_keys is not None and key not in self.api_keys):
            return 403, {"message": "Authorization failure, check auth_key"}
        if seen.path == "/v2/usage":
            return 200, {"character_count": self.used, "character_limit": self.quota_chars or 10**12}
        if seen.path == "/v2/glossaries" and seen.method == "POST":
            return self._glossary(seen.body)
        if seen.path == "/v2/translate" and seen.method == "POST":
            return self._translate(seen.body)
        return 404, {"message": "Not found"}

    def _glossary(self, body: dict[str, Any]) -> tuple[int, Any]:
        if body.get("entries_format") != "tsv" or not body.get("entries"):
            return 400, {"message": "Invalid glossary entries provided"}
        entries = dict(line.split("\t", 1) for line in str(body["entries"]).splitlines() if line)
        glossary_id = str(uuid.uuid4())
        self.glossaries[glossary_id] = {**body, "entries": entries}
        return 201, {"glossary_id": glossary_id, "ready": True, "entry_count": len(entries), **body}

    def _translate(self, body: dict[str, Any]) -> tuple[int, Any]:
        texts = body.get("text")
        texts = [texts] if isinstance(texts, str) else texts
        if not texts:
            return 400, {"message": "Parameter 'text' not specified."}
        if len(texts) > 50:
            return 413, {"message": "Request Entity Too Large"}
        target = str(body.get("target_lang", "")).upper()
        if target in {"EN", "PT"}:
            return 400, {"message": f"Value for 'target_lang' not supported: {target} is deprecated"}
        if target not in DEEPL_TARGETS:
            return 400, {"message": "Value for 'target_lang' not supported."}
        if body.get("formality", "default") not in {"default", "more", "less", "prefer_more", "prefer_less"}:
            return 400, {"message": "Value for 'formality' not supported."}
        terms: dict[str, str] = {}
        if glossary_id := body.get("glossary_id"):
            if glossary_id not in self.glossaries:
                return 404, {"message": "Glossary not found"}
            terms = self.glossaries[glossary_id]["entries"]
        chars = sum(len(t) for t in texts)
        if self.quota_chars is not None and self.used + chars > self.quota_chars:
            return 456, {"message": "Quota exceeded"}
        self.used += chars
        marker = target.split("-")[0]
        out = []
        for text in texts:
            for source, translated in terms.items():
                text = text.replace(source, translated)
            out.append(
                {
                    "detected_source_language": str(body.get("source_lang") or "EN").upper(),
                    "text": f"[{marker}] {text}",
                    "billed_characters": len(text),
                }
            )
        return 200, {"translations": out}


class LibreTranslateStandIn(_Base):
    def __init__(
        self, api_keys: set[str] | None = None, languages: tuple[str, ...] = LIBRE_LANGUAGES
    ) -> None:
        super().__init__(api_keys)
        self.languages = languages

    def answer(self, seen: Seen) -> tuple[int, Any]:
        if seen.path == "/languages":
            return 200, [{"code": c, "name": c, "targets": list(self.languages)} for c in self.languages]
        if seen.path != "/translate" or seen.method != "POST":
            return 404, {"error": "Not Found"}
        body = seen.body
        if self.api_keys is not None and body.get("api_key") not in self.api_keys:
            return 403, {"error": "Invalid API key"}
        q, source, target = body.get("q"), body.get("source"), body.get("target")
        if not q:
            return 400, {"error": "Invalid request: missing q parameter"}
        for code in (source, target):
            if code not in (*self.languages, "auto") or target == "auto":
                return 400, {"error": f"{code} is not supported"}
        if body.get("format", "text") not in {"text", "html"}:
            return 400, {"error": "Invalid request: format must be text or html"}
        texts = [q] if isinstance(q, str) else list(q)
        out = [f"[{target}] {t}" for t in texts]
        return 200, {"translatedText": out[0] if isinstance(q, str) else out}
