"""POST /v1/translate and the translate page: small texts, translated on request.

`Kits` keeps one set of engines, loop and cache per (engine, profile) asked for; both ways in go
through `Kits.request`, which meters and audits the request (assemble.Kits, as the Python API does).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tolk import assemble, formality, languages
from tolk.core import TolkError, unstorable
from tolk.pipeline import Translated

MAX_TEXTS = 100
MAX_TEXT_CHARS = 5_000
MAX_TERMS = 1_000  # a request's own glossary; a larger one belongs in the stored glossary (/v1/glossary)
MAX_TERM_CHARS = 200


class TranslateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | list[str] = Field(
        description="One text or a list (at most 100, 5,000 characters each).", examples=["Red running shoes"]
    )
    source: str = Field("en", description="Source language, or `auto` where the engine detects it.")
    target: str = Field(description="Target language, e.g. `es`, `zh-CN`.", examples=["es"])
    engine: str | None = Field(None, description="Engine name from the configuration.")
    glossary: dict[str, str] | None = Field(None, description="Terms for this request; term: itself = keep.")
    profile: str | None = Field(None, description="Domain profile: ecommerce, legal, medical…")
    sensitivity: Literal["normal", "sensitive", "urgent"] = Field(
        "normal",
        description="sensitive or urgent: a person approves every translation of the request before "
        "it may be published, whatever its score (status NEEDS_REVIEW).",
    )
    formality: str | None = Field(
        None,
        description="Register: default, more, less, prefer_more, prefer_less (DeepL's values); "
        "default: the configuration's for the target language.",
    )

    @field_validator("text")
    @classmethod
    def _sizes(cls, value: str | list[str]) -> str | list[str]:
        texts = [value] if isinstance(value, str) else value
        if not texts or len(texts) > MAX_TEXTS:
            raise ValueError(f"give 1 to {MAX_TEXTS} texts")
        if any(len(t) > MAX_TEXT_CHARS or not t.strip() for t in texts):
            raise ValueError(f"each text must have 1 to {MAX_TEXT_CHARS} characters")
        if why := unstorable({"text": value}):  # a NUL or a lone surrogate: no engine or store takes it
            raise ValueError(why)
        return value

    @field_validator("glossary")
    @classmethod
    def _terms(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is None:
            return None
        if len(value) > MAX_TERMS:
            raise ValueError(
                f"at most {MAX_TERMS} terms in a request; keep a larger glossary in the stored one "
                "(PUT /v1/glossary/LANG/TERM)"
            )
        if any(not k.strip() or len(k) > MAX_TERM_CHARS or len(v) > MAX_TERM_CHARS for k, v in value.items()):
            raise ValueError(f"each term and its translation must have 1 to {MAX_TERM_CHARS} characters")
        if why := unstorable({"glossary": value}):
            raise ValueError(why)
        return value

    @field_validator("formality")
    @classmethod
    def _formality(cls, value: str | None) -> str | None:
        return formality.check(value) if value is not None else None

    @field_validator("source", "target")
    @classmethod
    def _language(cls, value: str) -> str:
        try:
            return languages.normalize(value, allow_auto=True)
        except TolkError as exc:
            raise ValueError(str(exc)) from None


class TranslationOut(BaseModel):
    text: str
    score: float
    failed: list[str] = Field(description="Checks the text failed; empty when it passed.")
    status: str = Field(
        description="CHECKED (rule checks passed), APPROVED (an assessor of meaning vouched: see "
        "approved_by), NEEDS_REVIEW (failed the gate: do not publish), PENDING_APPROVAL, FAILED (no "
        "translation: the engine failed)."
    )
    approved_by: str | None = None
    detected_source: str | None = Field(None, description="With source `auto`: this text's language.")

    @classmethod
    def of(cls, t: Translated) -> TranslationOut:
        return cls(
            text=t.text,
            score=t.score,
            failed=t.failed,
            status=t.status or t.grade,
            approved_by=t.approved_by,
            detected_source=t.detected_source,
        )


class TranslateResponse(BaseModel):
    translations: list[TranslationOut]
    detected_source: str | None = Field(
        None, description="With source `auto`: the language most of the texts are in."
    )
    gate: str = Field(
        "",
        description="The gate's signature: the checks and their versions, thresholds, profile and "
        "assessors the scores were measured with (scores under different signatures do not compare).",
    )


class Kits(assemble.Kits):
    """The server's kits: a request body in, its translations out."""

    async def request(self, body: TranslateRequest, actor: str) -> list[Translated]:
        """The API's and the translate page's one way in: translated, metered, audited."""
        texts = [body.text] if isinstance(body.text, str) else body.text
        return await self.translate(
            texts,
            body.source,
            body.target,
            actor=actor,
            origin="api",
            engine=body.engine,
            profile=body.profile,
            glossary=body.glossary,
            formality=body.formality,
            sensitivity=body.sensitivity,
        )


def held(done: list[Translated]) -> str | None:
    """Why an API that returns bare texts (DeepL's, LibreTranslate's) must refuse these: the texts the
    gate holds and the checks each failed; None when every one may be published."""
    why = [
        f"text {i + 1}: {', '.join(t.failed) or t.status}" for i, t in enumerate(done) if not t.publishable
    ]
    return "held by tolk's quality gate for review, not returned: " + "; ".join(why) if why else None
