"""One resilient client for every HTTP engine: pacing, key rotation, retries, deadline, breaker.

The openai SDK does the wire format of chat engines (`call`); its own retries are off so that this is
the only retry layer. Engines with a provider's own format (DeepL, LibreTranslate) send plain requests
(`post`), whose status codes are read the same way: 429 paces, 401/403 rests the key, 456 (DeepL's
quota) moves to another key, 5xx and timeouts are retried, any other answer is the engine's error.
Requests are paced evenly per key (providers also enforce their limits over short windows, DashScope per
second), `Retry-After` is honoured on 429, 5xx and timeouts back off exponentially with jitter, and every
call has a total deadline. A circuit breaker per endpoint turns a dead provider into `EngineUnavailable`
quickly, so the caller can switch to a fallback engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import itertools
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn, TypeVar

import httpx2
import openai
import stamina
from aiolimiter import AsyncLimiter

from tolk.config import EngineSettings
from tolk.core import EngineDown, EngineError, EngineUnavailable

T = TypeVar("T")

# Pace a little under the provider's bound: client-side timing jitter must not turn into 429s (each costs
# a Retry-After pause, about a second: 5 % headroom is cheaper than the pauses 3 % left at 1,200/min).
PACE_HEADROOM = 0.95
KEY_REJECTED_PAUSE_S = 600.0
LEARN_AFTER = 3  # 429s within a minute before the key's pace is lowered to what got through


class _RateLimited(Exception):
    """A 429: the key is paused until its Retry-After (every request on it waits); not an attempt."""


class HttpStatusError(Exception):
    """A plain request's answer that is not a success (`ResilientClient.post`)."""

    def __init__(self, response: httpx2.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response

    @property
    def message(self) -> str:
        """What the provider said: DeepL's `message`, LibreTranslate's `error`, else the body."""
        try:
            body = self.response.json()
        except ValueError:
            return self.response.text[:200]
        if isinstance(body, dict):
            for key in ("message", "error", "detail"):
                if isinstance(body.get(key), str):
                    return str(body[key])[:200]
        return self.response.text[:200]


class _Retry(Exception):
    """A failure worth another attempt; `after` is the server's Retry-After, if it gave one."""

    def __init__(self, why: str, after: float | None = None) -> None:
        super().__init__(why)
        self.after = after


def _backoff(exc: Exception) -> bool | float:
    if isinstance(exc, _Retry):
        return exc.after if exc.after is not None else True
    return False


class CircuitBreaker:
    """Opens after `failures` consecutive failed calls; lets one trial call through after `reset_s`."""

    def __init__(self, failures: int, reset_s: float) -> None:
        self.failures, self.reset_s = failures, reset_s
        self._count = 0
        self._opened_at: float | None = None

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half-open" if time.monotonic() - self._opened_at >= self.reset_s else "open"

    def check(self, name: str) -> None:
        if self.state == "open":
            raise EngineUnavailable(f"{name}: circuit open after {self._count} failed calls")

    def success(self) -> None:
        self._count, self._opened_at = 0, None

    def failure(self) -> None:
        self._count += 1
        if self._count >= self.failures or self._opened_at is not None:
            self._opened_at = time.monotonic()


class Pacer:
    """At most `rpm` requests a minute, one `60 / rpm` after another, callers in turn.

    Each departure is scheduled one interval after the previous one's *scheduled* time, so the timer's
    late wake-ups do not add up (aiolimiter's leaky bucket sleeps relative to its wake-up: measured 2 %
    under the pace at 1,200/min). A departure that is late anyway (the event loop was busy) starts the
    schedule afresh from now instead of catching up: catching up would send a burst, and providers
    that count per second answer a burst with 429."""

    def __init__(self, rpm: float) -> None:
        self.interval = 60.0 / rpm
        self.last = -self.interval
        self.turn = asyncio.Lock()

    async def acquire(self) -> None:
        async with self.turn:
            target, now = self.last + self.interval, time.monotonic()
            if target > now:
                await asyncio.sleep(target - now)
                now = time.monotonic()
            # on time (the timer's usual jitter): keep the schedule; late: start it afresh from now
            self.last = target if now - target < self.interval / 2 else now


@dataclass
class KeySlot:
    """One API key with its own pacing; a rejected key rests instead of failing every call.

    A 429 pauses the key for every request on it (`blocked_until`), not only the call that got it, and
    teaches it a pace: a little under the limit the provider announces (`x-ratelimit-limit-requests`)
    or, without one, under the rate that got through over the last minute. The learned pace creeps up
    again after a quiet minute, so a one-off 429 does not slow a key for good.
    """

    client: openai.AsyncOpenAI
    key: str
    rpm: Pacer | None
    tpm: AsyncLimiter | None
    resting_until: float = 0.0
    blocked_until: float = 0.0
    learned_rpm: float | None = None
    learned: Pacer | None = None
    limited_at: float = 0.0
    streak: int = 0
    accepted: deque[float] = field(default_factory=lambda: deque(maxlen=100_000))  # answered requests
    first_accepted: float | None = None
    spacing: float = 0.0  # after a 429, requests leave one at a time, this far apart
    next_turn: float = 0.0

    async def acquire(self, tokens: int) -> None:
        while True:
            await self._until(lambda: self.blocked_until)
            if self.rpm is not None:
                await self.rpm.acquire()
            self._relax()
            if self.learned is not None:
                await self.learned.acquire()
            if self.tpm is not None:
                await self.tpm.acquire(min(float(tokens), self.tpm.max_rate))
            # another request met a 429 while this one waited for its pace: wait that out and take a
            # fresh turn of the pacer, or every waiter would leave at once the moment the pause ends
            if self.blocked_until <= time.monotonic():
                break
        # unpaced (no rpm stated or learned yet): after a 429 the waiters leave one at a time
        await self._until(lambda: max(self.blocked_until, self.next_turn))
        unpaced = self.rpm is None and self.learned is None  # a pacer spaces them already
        if self.spacing and unpaced and time.monotonic() - self.limited_at < 60:
            self.next_turn = time.monotonic() + self.spacing

    @staticmethod
    async def _until(moment: Callable[[], float]) -> None:
        while (wait := moment() - time.monotonic()) > 0:
            await asyncio.sleep(wait)

    def answered(self) -> None:
        now = time.monotonic()
        self.accepted.append(now)
        self.first_accepted = self.first_accepted or now

    def limited(self, after: float | None, announced_rpm: float | None) -> None:
        """The provider said 429: wait as long as it asks (else back off), and pace under its limit."""
        now = time.monotonic()
        self.streak = self.streak + 1 if now - self.limited_at < 60 else 1
        self.limited_at = now
        pause = after if after is not None else min(60.0, 2.0 ** (self.streak - 1))
        self.blocked_until = max(self.blocked_until, now + pause)
        self.spacing = min(max(pause, 0.05), 1.0)
        # a stray 429 (jitter at a stated pace) only pauses; 429s that keep coming without a stated
        # `rpm` mean a limit nobody told us: learn it (a stated one is trusted, its 429s only pause)
        rate = announced_rpm * PACE_HEADROOM if announced_rpm else None
        if rate is None and self.rpm is None and self.streak >= LEARN_AFTER:
            rate = self._accepted_rate(now)
        if rate is not None and rate >= 1 and (self.learned_rpm is None or rate < self.learned_rpm):
            self._pace(rate)

    def _accepted_rate(self, now: float) -> float | None:
        """A tenth under the requests per minute the provider answered lately (None: too early to say)."""
        while self.accepted and now - self.accepted[0] > 60:
            self.accepted.popleft()
        if self.first_accepted is None or now - self.first_accepted < 10:
            return None
        return 0.9 * len(self.accepted) * 60.0 / min(60.0, now - self.first_accepted)

    def _relax(self) -> None:
        """A quiet minute since the last 429: allow a tenth more."""
        if self.learned_rpm is not None and time.monotonic() - self.limited_at > 60:
            self.limited_at = time.monotonic()
            self._pace(self.learned_rpm * 1.1)

    def _pace(self, rpm: float) -> None:
        self.learned_rpm = rpm
        self.learned = Pacer(rpm)


@dataclass
class ClientStats:
    calls: int = 0
    attempts: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    failures: int = 0
    # recent successful latencies (bounded: a worker runs for weeks), for p50/p95 reporting
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=2048))


class ResilientClient:
    def __init__(
        self, name: str, settings: EngineSettings, transport: httpx2.AsyncBaseTransport | None = None
    ) -> None:
        self.name, self.settings = name, settings
        keys = [k.get_secret_value() for k in settings.api_keys] or ["none"]  # local servers take no key
        self._http = httpx2.AsyncClient(
            transport=transport,
            timeout=settings.timeout_s,
            limits=httpx2.Limits(max_connections=settings.max_concurrency * 2),
        )
        self._slots = [self._slot(k) for k in keys]
        self._rotation = itertools.cycle(range(len(self._slots)))
        self._concurrency = asyncio.Semaphore(settings.max_concurrency)
        self.breaker = CircuitBreaker(settings.breaker_failures, settings.breaker_reset_s)
        self.stats = ClientStats()

    def _slot(self, key: str) -> KeySlot:
        s = self.settings
        client = openai.AsyncOpenAI(
            api_key=key,
            base_url=s.base_url or None,
            max_retries=0,
            timeout=s.timeout_s,
            http_client=self._http,
        )
        rpm = Pacer(s.rpm * PACE_HEADROOM) if s.rpm else None
        # a bucket of ten seconds' worth of tokens: smooth, yet a long segment still fits
        tpm = AsyncLimiter(s.tpm * PACE_HEADROOM / 6, 10) if s.tpm else None
        return KeySlot(client, key, rpm, tpm)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def probe(self, timeout_s: float = 3.0) -> tuple[bool, str]:
        """Is the endpoint answering, and does it take our key? (`GET /models`, no tokens spent.)"""
        client = self._slots[0].client.with_options(timeout=timeout_s)
        try:
            await client.models.list()
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            return False, f"API key rejected ({exc.status_code})"
        except openai.APIStatusError:
            return True, "reachable"  # some servers have no /models; they still answered
        except (openai.APIConnectionError, openai.APITimeoutError) as exc:
            return False, f"unreachable: {type(exc).__name__}"
        return True, "reachable"

    def _next_slot(self) -> KeySlot:
        now = time.monotonic()
        for _ in range(len(self._slots)):
            slot = self._slots[next(self._rotation)]
            if slot.resting_until <= now:
                return slot
        raise EngineUnavailable(f"{self.name}: every API key was rejected or is out of quota")

    async def call(self, send: Callable[[openai.AsyncOpenAI], Awaitable[T]], tokens: int = 0) -> T:
        """Run `send` with a paced key, retrying what is worth retrying, within the total deadline."""

        async def through_sdk(slot: KeySlot, timeout_s: float) -> T:
            return await send(slot.client.with_options(timeout=timeout_s))

        return await self._call(through_sdk, tokens)

    async def post(
        self, url: str, body: Callable[[str], dict[str, Any]], *, tokens: int = 0, auth: str = ""
    ) -> Any:
        """POST `body(key)` as JSON to `url` with a paced key (sent as `auth` + key in the Authorization
        header when `auth` is given); the answer's JSON, or the error it was."""

        async def plain(slot: KeySlot, timeout_s: float) -> Any:
            headers = {"Authorization": f"{auth} {slot.key}"} if auth else {}
            response = await self._http.post(url, json=body(slot.key), headers=headers, timeout=timeout_s)
            if response.status_code >= 300:
                raise HttpStatusError(response)
            try:
                return response.json()
            except ValueError:
                raise EngineError(f"{self.name}: the answer is not JSON") from None

        return await self._call(plain, tokens)

    async def get(self, url: str, *, auth: str = "", timeout_s: float = 3.0) -> Any:
        """One GET with the first key, no retries (a status probe); the answer's JSON."""
        slot = self._slots[0]
        headers = {"Authorization": f"{auth} {slot.key}"} if auth else {}
        response = await self._http.get(url, headers=headers, timeout=timeout_s)
        if response.status_code >= 300:
            raise HttpStatusError(response)
        return response.json()

    async def _call(self, send: Callable[[KeySlot, float], Awaitable[T]], tokens: int) -> T:
        async with self._concurrency:
            self.breaker.check(self.name)  # checked once a slot is ours: waiters see what went before
            self.stats.calls += 1
            try:
                result = await self._with_retries(send, tokens)
            except EngineError as exc:
                self.stats.failures += 1
                self.breaker.failure()
                if self.breaker.state == "open" and not isinstance(exc, EngineUnavailable):
                    # this failure opened the circuit: the caller may switch to a fallback now
                    raise EngineUnavailable(f"{exc}; circuit now open") from None
                raise
        self.breaker.success()
        return result

    async def _with_retries(self, send: Callable[[KeySlot, float], Awaitable[T]], tokens: int) -> T:
        """Attempts within the deadline; a 429 is waited out (up to `rate_limit_wait_s`) outside both:
        the key's pause is the provider's to set, and the call starts afresh after it."""
        patience = time.monotonic() + self.settings.rate_limit_wait_s
        while True:
            try:
                return await self._attempts(send, tokens)
            except _RateLimited as exc:
                if time.monotonic() >= patience:
                    raise EngineDown(
                        f"{self.name}: still rate limited after {self.settings.rate_limit_wait_s:g} s: {exc}"
                    ) from None

    async def _attempts(self, send: Callable[[KeySlot, float], Awaitable[T]], tokens: int) -> T:
        s = self.settings
        deadline: float | None = (
            None  # starts with the first attempt: waiting for a pacing slot is not the call
        )
        try:
            async for attempt in stamina.retry_context(
                on=_backoff, attempts=s.attempts, timeout=None, wait_initial=0.5, wait_max=20.0
            ):
                with attempt:
                    slot = self._next_slot()
                    await slot.acquire(tokens)
                    deadline = deadline or time.monotonic() + s.timeout_s
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise EngineDown(f"{self.name}: no answer within the {s.timeout_s:g} s deadline")
                    return await self._attempt(slot, send, remaining)
        except _Retry as exc:
            raise EngineDown(f"{self.name}: gave up after retries: {exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(
        self, slot: KeySlot, send: Callable[[KeySlot, float], Awaitable[T]], timeout_s: float
    ) -> T:
        self.stats.attempts += 1
        started = time.perf_counter()
        try:
            result = await send(slot, timeout_s)
        except HttpStatusError as exc:
            self._status(slot, exc)
        except (httpx2.TimeoutException, httpx2.TransportError) as exc:
            raise _Retry(type(exc).__name__) from None
        except openai.RateLimitError as exc:
            self.stats.rate_limited += 1
            if _quota_exhausted(exc):  # not a pace: this key is out for a while, another may serve
                slot.resting_until = time.monotonic() + KEY_REJECTED_PAUSE_S
                raise _Retry("429 quota exhausted", 0.0) from None
            slot.limited(_retry_after(exc.response), _announced_rpm(exc.response))
            raise _RateLimited("429 rate limited") from None
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            slot.resting_until = time.monotonic() + KEY_REJECTED_PAUSE_S
            if any(x.resting_until <= time.monotonic() for x in self._slots):
                raise _Retry(f"key rejected ({exc.status_code}), trying another", 0.0) from None
            raise EngineUnavailable(f"{self.name}: API key rejected ({exc.status_code})") from None
        except openai.InternalServerError as exc:
            self.stats.server_errors += 1
            raise _Retry(f"server error {exc.status_code}", _retry_after(exc.response)) from None
        except (openai.APITimeoutError, openai.APIConnectionError) as exc:
            raise _Retry(type(exc).__name__) from None
        except openai.APIStatusError as exc:
            raise EngineError(f"{self.name}: HTTP {exc.status_code}: {_message(exc)}") from None
        self.stats.latencies.append(time.perf_counter() - started)
        slot.answered()
        return result

    def _status(self, slot: KeySlot, exc: HttpStatusError) -> NoReturn:
        """A plain request's failure, read as the SDK's are read in `_attempt`."""
        code, response = exc.response.status_code, exc.response
        if code == 429:
            self.stats.rate_limited += 1
            slot.limited(_retry_after(response), _announced_rpm(response))
            raise _RateLimited("429 rate limited")
        if code == 456:  # DeepL: this key's character quota is used up; another key may serve
            slot.resting_until = time.monotonic() + KEY_REJECTED_PAUSE_S
            raise _Retry("456 quota exceeded", 0.0)
        if code in (401, 403):
            slot.resting_until = time.monotonic() + KEY_REJECTED_PAUSE_S
            if any(x.resting_until <= time.monotonic() for x in self._slots):
                raise _Retry(f"key rejected ({code}), trying another", 0.0)
            raise EngineUnavailable(f"{self.name}: API key rejected ({code}): {exc.message}")
        if code >= 500:
            self.stats.server_errors += 1
            raise _Retry(f"server error {code}", _retry_after(response))
        raise EngineError(f"{self.name}: HTTP {code}: {exc.message}")


def _retry_after(response: httpx2.Response) -> float | None:
    """How long the provider asks us to wait: Retry-After (seconds or an HTTP date), retry-after-ms,
    or OpenAI's x-ratelimit-reset-requests (`1s`, `6m0s`, `20ms`)."""
    headers = response.headers
    if ms := headers.get("retry-after-ms"):
        try:
            return max(float(ms) / 1000, 0.0)
        except ValueError:
            pass
    if (value := headers.get("retry-after")) is not None:
        try:
            return max(float(value), 0.0)
        except ValueError:
            with contextlib.suppress(TypeError, ValueError, IndexError):
                when = email.utils.parsedate_to_datetime(value)
                return max((when - datetime.now(UTC)).total_seconds(), 0.0)
    if reset := headers.get("x-ratelimit-reset-requests"):
        return _duration(reset)
    return None


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")


def _duration(text: str) -> float | None:
    """`6m0s`, `1.5s`, `20ms` in seconds."""
    parts = _DURATION.findall(text)
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    return sum(float(n) * units[u] for n, u in parts) if parts else None


def _announced_rpm(response: httpx2.Response) -> float | None:
    """The requests-per-minute limit a provider states (OpenAI: x-ratelimit-limit-requests)."""
    try:
        return float(response.headers.get("x-ratelimit-limit-requests", ""))
    except ValueError:
        return None


def _quota_exhausted(exc: openai.APIStatusError) -> bool:
    body = exc.body if isinstance(exc.body, dict) else {}
    err = body.get("error", body)
    code = str(err.get("code", "")).lower() if isinstance(err, dict) else ""
    return "quota" in code or "arrearage" in code


def _message(exc: openai.APIStatusError) -> str:
    return str(exc.message)[:200]
