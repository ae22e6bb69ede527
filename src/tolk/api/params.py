"""Request parameters the way DeepL's and LibreTranslate's clients send them: query, form or JSON."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request


class Refused(Exception):
    """A request refused with an HTTP status and a message: each API answers it in its own shape
    (DeepL's `{"message": …}`, LibreTranslate's `{"error": …}`)."""

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(max(1, round(self.retry_after)))} if self.retry_after is not None else {}


async def read(request: Request) -> tuple[dict[str, list[str]], set[str]]:
    """Every parameter as a list of strings (`text` repeats), and the names a JSON body gave as lists
    (LibreTranslate answers a list for `q` given as a list, a string for one string)."""
    out: dict[str, list[str]] = defaultdict(list)
    lists: set[str] = set()
    for key, value in request.query_params.multi_items():
        out[key].append(value)
    body = await request.body()
    if not body:
        return out, lists
    if "json" in request.headers.get("content-type", ""):
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise Refused(400, "the request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise Refused(400, "the request body must be a JSON object")
        for key, value in data.items():
            if isinstance(value, list):
                lists.add(key)
            for one in value if isinstance(value, list) else [value]:
                out[key].append(_plain(one))
        return out, lists
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise Refused(400, "the request body is not UTF-8") from None
    for key, value in pairs:
        out[key].append(value)
    return out, lists


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return value if isinstance(value, str) else json.dumps(value)


def one(params: dict[str, list[str]], name: str) -> str | None:
    """The parameter's value (the last, where it repeats), or None."""
    values = params.get(name)
    return values[-1] if values else None
