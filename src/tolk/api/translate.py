"""POST /v1/translate and the translate page: small texts, translated on request.

`Kits` keeps one set of engines, loop and cache per (engine, profile) asked for; both ways in go
through `Kits.translate`, which meters and audits the request.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tolk import assemble, languages
from tolk.config import Settings
from tolk.core import TolkError, unstorable
from tolk.pipeline import Translated, inline_glossary, translate_texts
from tolk.store import audit
from tolk.store.repo import Store
from tolk.telemetry import Telemetry

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

    @classmethod
    def of(cls, t: Translated) -> TranslationOut:
        return cls(
            text=t.text, score=t.score, failed=t.failed, status=t.status or t.grade, approved_by=t.approved_by
        )


class TranslateResponse(BaseModel):
    translations: list[TranslationOut]
    detected_source: str | None = None
    gate: str = Field(
        "",
        description="The gate's signature: the checks and their versions, thresholds, profile and "
        "assessors the scores were measured with (scores under different signatures do not compare).",
    )


class Kits:
    """Engines, loop and cache per (engine, profile) asked for, built on first use, closed with the app."""

    def __init__(self, settings: Settings, store: Store, telemetry: Telemetry) -> None:
        self.settings, self.store, self.telemetry = settings, store, telemetry
        self.built: dict[tuple[str | None, str | None], assemble.Kit] = {}

    def get(self, engine: str | None, profile: str | None) -> assemble.Kit:
        key = (engine, profile)
        if key not in self.built:
            kit = assemble.kit(self.settings, self.store, engine=engine, profile=profile)
            self.telemetry.attach(*kit.engines())
            self.built[key] = kit
        return self.built[key]

    async def translate(self, body: TranslateRequest, actor: str) -> list[Translated]:
        """The API's and the translate page's one way in: translated, metered, audited."""
        kit = self.get(body.engine, body.profile)
        texts = [body.text] if isinstance(body.text, str) else body.text
        extra = inline_glossary(body.glossary, body.target) if body.glossary else None
        try:
            job = kit.job(self.settings, origin="api", telemetry=self.telemetry)
            done = await translate_texts(job, texts, body.source, body.target, extra)
        finally:
            self.telemetry.flush(self.store)
        engine = kit.engine
        audit.append(
            self.store,
            audit.Entry(
                actor,
                "translate_request",
                lang=body.target,
                source_sha256=audit.sha256("\n".join(texts)),
                engine=engine.name,
                model=engine.model,
                prompt_version=engine.prompt_version or None,
                detail=f"{len(texts)} texts from {body.source}",
            ),
        )
        return done

    async def aclose(self) -> None:
        for kit in self.built.values():
            await kit.aclose()
