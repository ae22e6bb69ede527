"""`[quality]` and `[profiles.NAME]`: where the gate draws its lines and what a domain adds."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)

from tolk.config.types import FormalityTable


def _any_language(value: Any) -> Any:
    """`["dose"]` is for every source language: `{"*": ["dose"]}`."""
    return {"*": value} if isinstance(value, list) else value


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
    formality: FormalityTable = Field(default_factory=dict)  # over the top-level `formality`
    glossary: str | None = None  # a CSV/TSV glossary used with this profile
    required_terms: dict[str, list[str]] = Field(default_factory=dict)  # target lang -> terms
    forbidden_terms: dict[str, list[str]] = Field(default_factory=dict)
    # in the source: always a person's review; a list for every language, or a table per source language
    sensitive_terms: Annotated[dict[str, list[str]], BeforeValidator(_any_language)] = Field(
        default_factory=dict
    )
    disabled_checks: list[str] = Field(default_factory=list)  # on top of [quality].disabled_checks
    pass_score: float | None = Field(None, ge=0, le=100)
    approve_with: list[Approver] | None = None  # default: [quality] approve_with ([] for medical, legal)
