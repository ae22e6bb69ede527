"""Settings: one TOML file plus `TOLK_*` environment overrides; a working default with no file at all.

The file is found by `--config`, else `TOLK_CONFIG`, else `./tolk.toml` when present. Strings may say
`${VAR}` to pull secrets from the environment; an unset variable leaves that value empty (the engine then
reports itself unusable) instead of failing every command.
"""

from __future__ import annotations

import os
import re
import shutil
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from tolk import languages, plugins
from tolk.core import ConfigError, TolkError, digest
from tolk.vault import Vault

DEFAULT_DB = "sqlite:///tolk.db"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _language_list(value: Any) -> Any:
    """`es,ko` (the environment) or a list, each normalised: `zh_cn` -> `zh-CN`."""
    try:
        if isinstance(value, str):
            return languages.parse_list(value)
        return [languages.normalize(v) for v in value] if isinstance(value, list) else value
    except TolkError as exc:
        raise ValueError(str(exc)) from None


LanguageList = Annotated[list[str], NoDecode, BeforeValidator(_language_list)]


def _language(value: Any) -> Any:
    try:
        return languages.normalize(str(value))
    except TolkError as exc:
        raise ValueError(str(exc)) from None


LanguageTag = Annotated[str, BeforeValidator(_language)]


def _secret_list(value: Any) -> Any:
    """One secret or several; empty ones (an unset ${VAR}) dropped."""
    if isinstance(value, str):
        value = [value]
    return [v for v in value if v] if isinstance(value, list) else value


SecretList = Annotated[list[SecretStr], BeforeValidator(_secret_list)]


class EngineSettings(BaseModel):
    """One `[engines.NAME]` section."""

    model_config = ConfigDict(extra="forbid")

    kind: str  # tolk's own or a plugin's (tolk.plugins): checked below, without importing engines
    model: str = ""
    base_url: str = ""
    api_keys: SecretList = Field(default_factory=list)
    rpm: float | None = None  # requests per minute, per key
    tpm: float | None = None  # tokens per minute, per key
    max_concurrency: int = Field(8, ge=1, le=1024)
    timeout_s: float = Field(60, gt=0)  # total deadline of one call, retries included (not rate-limit waits)
    attempts: int = Field(5, ge=1, le=20)
    rate_limit_wait_s: float = Field(900, gt=0)  # how long one call may wait out a provider's 429s
    batch_size: int = Field(20, ge=1, le=500)  # segments per request, where the engine batches
    request_chars: int = Field(12_000, ge=500)  # a document's units per request stay within this budget
    max_text_chars: int = Field(50_000, ge=100)  # one text longer than this is refused, never sent
    temperature: float = 0.1
    price_in_per_mtok: float = 0.0
    price_out_per_mtok: float = 0.0
    fallback: str | None = None
    external: bool = True  # text leaves this machine (PII masking applies)
    breaker_failures: int = Field(5, ge=1)
    breaker_reset_s: float = Field(30, gt=0)
    options: dict[str, Any] = Field(default_factory=dict)  # engine-specific extras

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        known = plugins.available(plugins.ENGINES)
        if value not in known:
            raise PydanticCustomError(
                "engine_kind", "unknown engine kind '{kind}' (known: {known})",
                {"kind": value, "known": ", ".join(known)},
            )  # fmt: skip
        return value

    def fingerprint(self) -> str:
        """Hash of what changes the output (model, options, prompt-relevant knobs); not keys or limits."""
        return digest(self.kind, self.model, self.base_url, self.temperature, self.options)[:16]


class Thresholds(BaseModel):
    """Where the gate draws its lines; a `[quality.languages.XX]` section overrides them per language."""

    model_config = ConfigDict(extra="forbid")

    pass_score: float | None = Field(None, ge=0, le=100)
    review_below: float | None = Field(None, ge=0, le=100)
    min_bleu: float | None = Field(None, ge=0, le=100)
    max_ter: float | None = Field(None, ge=0)


Approver = Literal["judge", "reference", "round-trip"]
MemoryOrigin = Literal["person", "tmx", "judge"]


class QualitySettings(Thresholds):
    """`[quality]`: the gate and the re-translation loop."""

    rounds: int = Field(3, ge=0, le=10)  # refine rounds at most; 0 = judge only
    refine: Literal["auto", "always", "never"] = "auto"  # auto: only where the gate asks for a rewrite
    refine_engine: str | None = None  # default: the drafting engine
    auto_approve: bool = True  # False: every passing translation waits for a person's approval
    # which assessors of meaning may grade a text APPROVED (rule checks never do); [] = people only
    approve_with: list[Approver] = ["judge", "reference"]  # pydantic copies the default
    # memory units reused as exact matches and shown to engines as approved examples, by origin
    trusted_memory: list[MemoryOrigin] = ["person", "tmx"]
    roundtrip_engine: str | None = None  # back-translates to score without a reference
    min_roundtrip: float = Field(50.0, ge=0, le=100)  # chrF of the back-translation against the source
    judge_engine: str | None = None  # an openai-kind engine annotating MQM errors
    min_judge: float = Field(70.0, ge=0, le=100)
    disabled_checks: list[str] = Field(default_factory=list)
    fuzzy_threshold: float = Field(75.0, ge=0, le=100)  # memory matches this similar become hints
    languages: dict[str, Thresholds] = Field(default_factory=dict)


class ProfileSettings(BaseModel):
    """`[profiles.NAME]`: a new domain profile, or changes to a built-in one."""

    model_config = ConfigDict(extra="forbid")

    domain: str = ""  # the hint engines get
    glossary: str | None = None  # a CSV/TSV glossary used with this profile
    required_terms: dict[str, list[str]] = Field(default_factory=dict)  # target lang -> terms
    forbidden_terms: dict[str, list[str]] = Field(default_factory=dict)
    sensitive_terms: list[str] = Field(default_factory=list)  # in the source: always a person's review
    disabled_checks: list[str] = Field(default_factory=list)  # on top of [quality].disabled_checks
    pass_score: float | None = Field(None, ge=0, le=100)
    approve_with: list[Approver] | None = None  # default: [quality] approve_with ([] for medical, legal)


HEARTBEAT_S = 5.0  # a worker silent for three beats is lost


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
    concurrency: int = Field(4, ge=1, le=256)  # events in flight per worker
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


PiiKind = Literal["email", "phone", "rrn", "card", "iban"]
PII_KINDS: tuple[PiiKind, ...] = ("email", "phone", "rrn", "card", "iban")


class PrivacySettings(BaseModel):
    """`[privacy]`: personal data masked before text reaches an engine marked `external`."""

    model_config = ConfigDict(extra="forbid")

    mask: bool = True
    detectors: list[PiiKind] = Field(default_factory=lambda: list(PII_KINDS))
    # national formats read besides US, GB, DE, JP, CN and KR (numbers with +CC are read in any case)
    phone_regions: list[str] = Field(default_factory=list)
    patterns: dict[str, str] = Field(default_factory=dict)  # NAME = "regex": more kinds to mask
    isolate_fields: list[str] = Field(default_factory=list)  # untrusted text: one item per request

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, value: dict[str, str]) -> dict[str, str]:
        for name, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{name}: not a regular expression ({exc})") from None
        return value


class BudgetSettings(BaseModel):
    """`[budget]`: spend caps in USD (the engines' price table); a run stops cleanly and resumes."""

    model_config = ConfigDict(extra="forbid")

    per_run: float | None = Field(None, gt=0)
    per_day: float | None = Field(None, gt=0)  # all of tolk's engine calls since 00:00 UTC, every process


class EncryptionSettings(BaseModel):
    """`[encryption]`: fields whose text is sealed at rest (tolk.vault). Keys newest first."""

    model_config = ConfigDict(extra="forbid")

    keys: SecretList = Field(default_factory=list)  # Fernet keys: `tolk keys new`; say "${TOLK_KEY}"
    fields: list[str] = Field(default_factory=list)  # e.g. ["seller_note", "support_message"]

    def vault(self) -> Vault:
        return Vault([k.get_secret_value() for k in self.keys], self.fields)


def _currency(value: str) -> str:
    from babel.numbers import list_currencies

    code = value.upper()
    if code not in list_currencies():
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return code


ENDING = re.compile(r"^(\d+(\.\d+)?|\.\d+)$")


class PricingSettings(BaseModel):
    """`[pricing]`: where the catalog's prices are and in what currency (tolk.markets)."""

    model_config = ConfigDict(extra="forbid")

    field: str = "price"  # an item attribute holding a number
    currency: Annotated[str, AfterValidator(_currency)] = "USD"


class MarketSettings(BaseModel):
    """`[markets.NAME]`: one market's language, currency, exchange rate and rounding (tolk.markets)."""

    model_config = ConfigDict(extra="forbid")

    language: LanguageTag
    currency: Annotated[str, AfterValidator(_currency)]
    rate: Decimal = Field(gt=0)  # market currency per one unit of [pricing].currency
    rounding: str | None = None  # an ending: ".99", "900", "00"; none: the currency's minor unit
    mode: Literal["up", "nearest"] = "up"
    locale: str | None = None  # Babel locale for formatting (default: from language), e.g. "es_MX"

    @field_validator("rounding")
    @classmethod
    def _ending(cls, value: str | None) -> str | None:
        if value is not None and not ENDING.match(value):
            raise ValueError(f"{value!r} is not an ending like '.99', '9.99', '900' or '00'")
        return "." + value[2:] if value is not None and value.startswith("0.") else value  # "0.99" = ".99"

    @model_validator(mode="after")
    def _locale_known(self) -> MarketSettings:
        from babel import Locale, UnknownLocaleError

        try:
            Locale.parse(self.babel_locale)
        except (UnknownLocaleError, ValueError):
            raise ValueError(f"locale {self.babel_locale!r} is not one Babel knows") from None
        return self

    @property
    def babel_locale(self) -> str:
        return self.locale or self.language.replace("-", "_")


class TelegramSettings(BaseModel):
    """`[notify.telegram]`: the report by Bot API sendMessage; the same bot answers ops commands."""

    model_config = ConfigDict(extra="forbid")

    token: SecretStr = SecretStr("")  # from @BotFather; say "${TOLK_TELEGRAM_TOKEN}"
    chat_ids: list[int] = Field(default_factory=list)  # where reports go
    allowed_chat_ids: list[int] = Field(default_factory=list)  # who may command the bot (default: chat_ids)
    base_url: str = "https://api.telegram.org"


class WebhookSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    secret: SecretStr = SecretStr("")  # HMAC-SHA256 key of the X-Tolk-Signature header


class NotifySettings(BaseModel):
    """`[notify]`: where the scheduled report goes."""

    model_config = ConfigDict(extra="forbid")

    telegram: TelegramSettings | None = None
    slack_webhook: SecretStr | None = None  # a Slack incoming-webhook URL (it is the secret)
    webhooks: list[WebhookSettings] = Field(default_factory=list)
    timeout_s: float = Field(10.0, gt=0)


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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TOLK_", env_nested_delimiter="__", extra="forbid", case_sensitive=False
    )

    default_engine: str | None = None
    store: str = DEFAULT_DB  # SQLAlchemy URL
    cache: str | None = None  # None: the store; or redis://…
    cache_ttl_s: int = 30 * 24 * 3600
    targets: LanguageList = Field(default_factory=list)  # env: TOLK_TARGETS=es,ko
    source_lang: str = "en"
    profile: str = "ecommerce"
    invalidate_after_s: float = Field(30.0, ge=0)  # delay of cache.invalidate events after a change
    engines: dict[str, EngineSettings] = Field(default_factory=dict)
    quality: QualitySettings = Field(default_factory=QualitySettings)
    profiles: dict[str, ProfileSettings] = Field(default_factory=dict)
    agent: AgentSettings = Field(default_factory=AgentSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    budget: BudgetSettings = Field(default_factory=BudgetSettings)
    encryption: EncryptionSettings = Field(default_factory=EncryptionSettings)
    pricing: PricingSettings = Field(default_factory=PricingSettings)
    markets: dict[str, MarketSettings] = Field(default_factory=dict)
    report: ReportSettings = Field(default_factory=ReportSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # environment beats the file (passed as init kwargs)
        return env_settings, init_settings

    def engine(self, name: str) -> EngineSettings:
        try:
            return self.engines[name]
        except KeyError:
            known = ", ".join(sorted(self.engines)) or "none"
            raise ConfigError(f"no engine named {name!r} (configured: {known})") from None

    def bus_url(self, override: str | None = None) -> str:
        """--bus, else [agent].bus, else the embedded bus beside a SQLite store (or in the cwd)."""
        if override or self.agent.bus:
            return str(override or self.agent.bus)
        if self.store.startswith("sqlite:///") and self.store != "sqlite:///:memory:":
            db = Path(self.store.removeprefix("sqlite:///"))
            return f"sqlite:///{db.with_name(db.stem + '-bus.db')}"
        return "sqlite:///tolk-bus.db"

    def pick_engine(self, name: str | None) -> str:
        chosen = name or self.default_engine
        if chosen is None:
            raise ConfigError("no engine chosen: pass --engine NAME or set default_engine in tolk.toml")
        self.engine(chosen)
        return chosen


def _expand(value: Any) -> Any:
    if isinstance(value, str):
        return _VAR.sub(lambda m: os.environ.get(m.group(1), ""), value)
    if isinstance(value, list):
        return [_expand(v) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v) for k, v in value.items()}
    return value


def find_config(path: str | Path | None) -> Path | None:
    if path:
        return Path(path)
    if env := os.environ.get("TOLK_CONFIG"):
        return Path(env)
    local = Path("tolk.toml")
    return local if local.is_file() else None


def load(path: str | Path | None = None, *, db: str | None = None) -> Settings:
    """Settings from the file (if any), the environment and built-in defaults.

    `db` (from `--db`) beats both. A built-in `apertium` engine always exists unless the file defines one.
    """
    file = find_config(path)
    data: dict[str, Any] = {}
    if file is not None:
        try:
            data = _expand(tomllib.loads(file.read_text(encoding="utf-8-sig")))  # Windows editors add a BOM
        except FileNotFoundError:
            raise ConfigError(f"{file}: config file not found") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{file}: {exc}") from None
    try:
        settings = Settings(**data)
    except SettingsError as exc:  # an environment value that does not parse
        raise ConfigError(f"environment: {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{file or 'environment'}: {where}: {err['msg']}") from None
    settings.engines.setdefault("apertium", EngineSettings(kind="apertium", external=False))
    settings.encryption.vault()  # a bad or missing key fails here, not at the first sealed write
    if db:
        settings.store = db
    elif env_db := os.environ.get("TOLK_DB"):
        settings.store = env_db
    if settings.default_engine is None and apertium_installed():
        settings.default_engine = "apertium"
    return settings


def apertium_installed() -> bool:
    """The offline default needs Apertium's two programs on PATH (the engine asks the same)."""
    return shutil.which("apertium") is not None and shutil.which("lt-proc") is not None
