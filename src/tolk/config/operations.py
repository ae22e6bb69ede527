"""`[agent]` and `[report]`: the worker and the scheduled reports (the channels' own: config/notify.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from tolk.config.types import LanguageList

HEARTBEAT_S = 5.0  # a worker silent for three beats is lost


class AutoscaleSettings(BaseModel):
    """`[agent.autoscale]`: `tolk agent run --autoscale MIN:MAX` adds and stops workers on one host
    (on Kubernetes, KEDA does it: deploy/k8s/)."""

    model_config = ConfigDict(extra="forbid")

    min: int = Field(1, ge=0, le=256)
    max: int = Field(4, ge=1, le=256)
    backlog_per_worker: int = Field(200, ge=1)  # waiting events a worker is expected to take on
    up_cooldown_s: float = Field(15.0, ge=0)  # after a change, this long before adding again
    down_cooldown_s: float = Field(60.0, ge=0)  # … and before stopping one (queues idle this long)
    max_error_rate: float = Field(0.2, ge=0, le=1)  # retries and dead letters over events: more workers
    # would only hammer a failing engine, so none is added above it
    max_latency_s: float | None = Field(None, gt=0)  # events slower than this (p95): one worker more
    every_s: float = Field(2.0, gt=0)  # how often it looks

    @model_validator(mode="after")
    def _bounds(self) -> AutoscaleSettings:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        return self


class AgentSettings(BaseModel):
    """`[agent]`: the event-driven translator (`tolk agent run`)."""

    model_config = ConfigDict(extra="forbid")

    name: str = "translator"  # its entry in the registry; queues are NAME.LANG
    bus: str | None = None  # default: the embedded bus next to the store (sqlite:///…-bus.db)
    namespace: str = "tolk"  # prefix of exchanges, queues and keys on a shared broker
    registry: str | None = None  # agents YAML (depends_on, subscribes, publishes)
    languages: LanguageList = Field(default_factory=list)  # default: targets
    engine: str | None = None  # default: default_engine
    profile: str | None = None
    glossary: str | None = None
    fields: list[str] = Field(default_factory=lambda: ["name", "description"])
    concurrency: int = Field(4, ge=1, le=256)  # events in flight per worker (where it starts, with max)
    # set: the events in flight rise up to this while the engine keeps up, and halve when it pushes back
    # (429, 5xx) — AIMD (tolk.agent.limits); unset: fixed at `concurrency`
    concurrency_max: int | None = Field(None, ge=1, le=1024)
    autoscale: AutoscaleSettings = Field(default_factory=AutoscaleSettings)
    max_attempts: int = Field(5, ge=1)  # tries of one event across every redelivery (counted in SQL)
    retry_base_s: float = Field(5.0, gt=0)  # backoff after a failed try: base × 2^(tries-1) …
    retry_max_s: float = Field(300.0, gt=0)  # … up to this
    park_delay_s: float = Field(10.0, gt=0)  # an event waiting for a dependency is retried this often
    park_timeout_s: float = Field(3600.0, gt=0)  # … and dead-lettered if it still waits this long
    pause_s: float = Field(30.0, gt=0)  # consumption pauses this long when the engine is unavailable
    max_deliveries: int = Field(5, ge=2)  # silent deaths (kill -9) before a message is dead-lettered
    visibility_s: float = Field(300.0, gt=0)  # embedded/Redis: a held message returns after this
    heartbeat_s: float = Field(HEARTBEAT_S, gt=0)
    dedupe: str | None = None  # redis://… : skip repeat content before any engine call
    dedupe_ttl_s: int = Field(24 * 3600, ge=1)

    @model_validator(mode="after")
    def _limits(self) -> AgentSettings:
        if self.concurrency_max is not None and self.concurrency_max < self.concurrency:
            raise ValueError(
                f"concurrency_max ({self.concurrency_max}) is below concurrency ({self.concurrency})"
            )
        return self


class EventsSettings(BaseModel):
    """`[events]`: the events a run writes to the outbox, for a worker's relay to publish."""

    model_config = ConfigDict(extra="forbid")

    # "auto": when a worker will publish them — the config has an [agent] table, or an agent has run
    # against this store; "on": always; "off": never (nothing downstream listens)
    outbox: Literal["auto", "on", "off"] = "auto"
    keep_sent_days: float = Field(7.0, ge=0)  # published events are deleted after this


class ApiSettings(BaseModel):
    """`[api]`: what `tolk serve` allows each caller."""

    model_config = ConfigDict(extra="forbid")

    # requests a minute per token (by its name), on every API (/v1, DeepL's, LibreTranslate's): over it,
    # 429 with Retry-After; None: no limit
    token_rpm: float | None = Field(None, gt=0)


class HookSettings(BaseModel):
    """`[[webhooks]]`: one subscriber to tolk's events, without a broker: each event whose type matches
    `events` is POSTed to `url` (the envelope as JSON), signed with HMAC-SHA256 under `secret`, and sent
    again with doubling waits until answered 2xx or `attempts` are spent (tolk.bus.webhooks)."""

    model_config = ConfigDict(extra="forbid")

    url: str
    secret: SecretStr  # the X-Tolk-Signature key: say "${TOLK_WEBHOOK_SECRET}"
    events: list[str] = Field(default_factory=lambda: ["i18n.*"])  # type patterns (fnmatch)
    name: str = ""  # who it is in `tolk events webhooks` and in its deliveries' state (default: the url)
    attempts: int = Field(10, ge=1, le=50)
    retry_s: float = Field(10.0, gt=0)  # the first wait after a failure; each next one doubles, up to 1 h
    timeout_s: float = Field(10.0, gt=0)

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"webhook url must start with http:// or https://, not {value[:40]!r}")
        return value

    @field_validator("secret")
    @classmethod
    def _signed(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 16:
            raise ValueError("a webhook secret of at least 16 characters signs every delivery")
        return value

    @property
    def subscriber(self) -> str:
        return (self.name or self.url)[:200]


class ReportSettings(BaseModel):
    """`[report]`: the agent sends `tolk report` on this cron schedule (UTC) to every notifier."""

    model_config = ConfigDict(extra="forbid")

    schedule: str | None = None  # e.g. "0 7 * * *": every day at 07:00 UTC
    since: str = "24h"

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None:
            from croniter import croniter

            if not croniter.is_valid(value):
                raise ValueError(f"{value!r} is not a cron expression (minute hour day month weekday)")
        return value
