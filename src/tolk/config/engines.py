"""`[engines.NAME]`: one engine's settings. Kinds are tolk's own or installed plugins' (tolk.plugins)."""

from __future__ import annotations

import shutil
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)

from tolk import plugins
from tolk.config.types import SecretList
from tolk.core import digest


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
        return plugins.known(plugins.ENGINES, value, "unknown engine kind '{value}' (known: {known})")

    def fingerprint(self) -> str:
        """Hash of what changes the output (model, options, prompt-relevant knobs); not keys or limits."""
        return digest(self.kind, self.model, self.base_url, self.temperature, self.options)[:16]


def apertium_installed() -> bool:
    """The offline default needs Apertium's two programs on PATH (the engine asks the same)."""
    return shutil.which("apertium") is not None and shutil.which("lt-proc") is not None
