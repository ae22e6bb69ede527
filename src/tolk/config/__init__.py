"""Settings: one TOML file plus `TOLK_*` environment overrides; a working default with no file at all.

The file is found by `--config`, else `TOLK_CONFIG`, else `./tolk.toml` when present. Strings may say
`${VAR}` to pull secrets from the environment; an unset variable leaves that value empty (the engine then
reports itself unusable) instead of failing every command.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from tolk.config.data import (
    PII_KINDS,
    BudgetSettings,
    EncryptionSettings,
    MarketSettings,
    PiiKind,
    PricingSettings,
    PrivacySettings,
)
from tolk.config.engines import EngineSettings, apertium_installed
from tolk.config.notify import NotifySettings, SlackAppSettings, TelegramSettings, WebhookSettings
from tolk.config.operations import (
    HEARTBEAT_S,
    AgentSettings,
    ApiSettings,
    EventsSettings,
    HookSettings,
    ReportSettings,
)
from tolk.config.quality import Approver, MemoryOrigin, ProfileSettings, QualitySettings, Thresholds
from tolk.config.types import FormalityTable, LanguageList, LanguageTag, SecretList
from tolk.core import ConfigError

__all__ = [
    "DEFAULT_DB", "HEARTBEAT_S", "PII_KINDS", "AgentSettings", "ApiSettings", "Approver", "BudgetSettings",
    "EncryptionSettings", "EngineSettings", "EventsSettings", "HookSettings", "LanguageList", "LanguageTag",
    "MarketSettings", "MemoryOrigin",
    "NotifySettings", "PiiKind", "PricingSettings", "PrivacySettings", "ProfileSettings", "QualitySettings",
    "ReportSettings", "SecretList", "Settings", "SlackAppSettings", "TelegramSettings", "Thresholds",
    "WebhookSettings",
    "apertium_installed", "find_config", "load",
]  # fmt: skip

DEFAULT_DB = "sqlite:///tolk.db"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


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
    formality: FormalityTable = Field(default_factory=dict)  # tolk.formality: one value, or per language
    invalidate_after_s: float = Field(30.0, ge=0)  # delay of cache.invalidate events after a change
    events: EventsSettings = Field(default_factory=EventsSettings)
    webhooks: list[HookSettings] = Field(default_factory=list)  # [[webhooks]]: events POSTed, signed
    api: ApiSettings = Field(default_factory=ApiSettings)
    engines: dict[str, EngineSettings] = Field(default_factory=dict)
    quality: QualitySettings = Field(default_factory=QualitySettings)
    profiles: dict[str, ProfileSettings] = Field(default_factory=dict)
    agent: AgentSettings = Field(default_factory=AgentSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    slack: SlackAppSettings | None = None  # [slack]: the Slack app (tolk.ops.slack)
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
    """`--config`, else $TOLK_CONFIG, else ./tolk.toml, else the user's own (`~/.config/tolk/tolk.toml`,
    or under $XDG_CONFIG_HOME). TOLK_CONFIG set but empty means: this folder's file or none, never
    the user's (a script or a test that wants no personal settings)."""
    if path:
        return Path(path)
    if env := os.environ.get("TOLK_CONFIG"):
        return Path(env)
    local = Path("tolk.toml")
    if local.is_file():
        return local
    if "TOLK_CONFIG" in os.environ:
        return None
    mine = user_config()
    return mine if mine.is_file() else None


def user_config() -> Path:
    """Where a user's own tolk.toml lives: $XDG_CONFIG_HOME/tolk, else ~/.config/tolk (%APPDATA% on
    Windows)."""
    if os.name == "nt" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "tolk" / "tolk.toml"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "tolk" / "tolk.toml"


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
