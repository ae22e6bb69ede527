"""`[privacy]`, `[budget]`, `[encryption]`, `[pricing]` and `[markets.NAME]`: what leaves this machine,
what it may cost, what is sealed at rest, what a market sees."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from tolk.config.types import LanguageTag, SecretList
from tolk.vault import Vault

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
    # the market's compliance rules, for every translation into its language, whatever the profile: a
    # required term must appear somewhere in each item or document; a forbidden one in no segment
    required_terms: list[str] = Field(default_factory=list)
    forbidden_terms: list[str] = Field(default_factory=list)

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
