"""API tokens with roles: viewer < reviewer < admin, optionally limited to languages.

A token is 32 random bytes (urlsafe); the store keeps only its sha256 — a fast hash is right for a
high-entropy secret (nothing to brute-force), and it lets a request find its token with one lookup.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from tolk.core import InputError, now
from tolk.store import tokens as rows
from tolk.store.repo import Store

PREFIX = "tolk_"


class Role(enum.IntEnum):
    viewer = 1
    reviewer = 2
    admin = 3

    @classmethod
    def parse(cls, name: str) -> Role:
        try:
            return cls[name.strip().lower()]
        except KeyError:
            raise InputError(f"--role: {name!r} is not a role (viewer, reviewer, admin)") from None


@dataclass(frozen=True)
class Caller:
    name: str
    role: Role
    langs: tuple[str, ...]  # empty: every language

    def may(self, role: Role, lang: str | None = None) -> bool:
        return self.role >= role and (lang is None or not self.langs or lang in self.langs)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(store: Store, name: str, role: Role, langs: list[str]) -> str:
    """A new token; returned once, never stored in clear."""
    token = PREFIX + secrets.token_urlsafe(32)
    rows.add(store, name, role.name, langs, token[:12], _hash(token))
    return token


def tokens(store: Store) -> list[rows.ApiToken]:
    return rows.every(store)


def revoke(store: Store, token_id: int) -> bool:
    return rows.revoke(store, token_id)


SESSION_PREFIX = "tolk_s_"
SESSION_TTL = timedelta(hours=12)  # a working day: a log-in does not outlive it


def open_session(store: Store, token: str) -> str | None:
    """A web session for a live API token: the secret for the cookie (never the token itself), or None
    when the token is not live."""
    if not token.startswith(PREFIX):
        return None
    secret = SESSION_PREFIX + secrets.token_urlsafe(32)
    return secret if rows.open_session(store, _hash(token), _hash(secret), now() + SESSION_TTL) else None


def session_caller(store: Store, secret: str) -> Caller | None:
    """Who a web session belongs to, while it and its token live."""
    if not secret.startswith(SESSION_PREFIX):
        return None
    return _caller(rows.session_owner(store, _hash(secret)))


def close_session(store: Store, secret: str) -> None:
    rows.close_session(store, _hash(secret))


def verify(store: Store, token: str) -> Caller | None:
    """The caller a live token belongs to, or None."""
    if not token.startswith(PREFIX):
        return None
    return _caller(rows.live(store, _hash(token)))


def _caller(owner: tuple[str, str, tuple[str, ...]] | None) -> Caller | None:
    return Caller(owner[0], Role[owner[1]], owner[2]) if owner else None


class Pace:
    """At most `rpm` requests a minute per token (a sliding minute, in this process): one client's
    loop cannot take a shared server's engines and budget from everyone else."""

    def __init__(self, rpm: float) -> None:
        self.rpm = rpm
        self.seen: dict[str, deque[float]] = defaultdict(deque)

    def wait(self, who: str) -> float | None:
        """None when `who` may go now (the request is counted), else the seconds until it may."""
        times, at = self.seen[who], time.monotonic()
        while times and at - times[0] >= 60.0:
            times.popleft()
        if len(times) >= self.rpm:
            return 60.0 - (at - times[0])
        times.append(at)
        return None


def paced(request: Request, who: Caller) -> float | None:
    """`[api] token_rpm`: None when the caller may go on, else how long it should wait."""
    pace: Pace | None = getattr(request.app.state, "pace", None)
    return pace.wait(who.name) if pace is not None else None


# --- FastAPI dependencies: `who: Reviewer` in a route's signature --------------------------------


def caller(role: Role) -> Callable[[Request], Caller]:
    def check(request: Request) -> Caller:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        found = verify(request.app.state.store, token.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            raise HTTPException(
                401,
                "a valid API token is required (Authorization: Bearer …)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not found.may(role):
            raise HTTPException(403, f"this needs the {role.name} role (the token is {found.role.name})")
        if (wait := paced(request, found)) is not None:
            raise HTTPException(
                429,
                f"this token's {request.app.state.settings.api.token_rpm:g} requests a minute are used up",
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        return found

    return check


Viewer = Annotated[Caller, Depends(caller(Role.viewer))]
Reviewer = Annotated[Caller, Depends(caller(Role.reviewer))]
Admin = Annotated[Caller, Depends(caller(Role.admin))]
