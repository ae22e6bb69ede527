"""Events tolk consumes and publishes: one JSON envelope, a validated payload per type.

Envelope: `id`, `type`, `version`, `occurred_at`, `source`, `payload`. docs/events.md shows each type.
Published events are written to the outbox in the same transaction as the change they describe, so a
change and its events exist together or not at all; a relay delivers them (at least once, with the
envelope id for consumers to deduplicate).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tolk.core import InputError, unstorable

SOURCE = "tolk"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow")  # producers may add fields; tolk ignores what it does not know


class ProductPayload(_Payload):
    """product.created / product.updated / product.normalized: the product as the catalog has it."""

    id: str = Field(min_length=1, max_length=191)
    lang: str | None = None
    category: str | None = None
    fields: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _storable(self) -> ProductPayload:
        """A NUL or a lone surrogate would fail the store at every try: the event is malformed."""
        if why := unstorable({"id": self.id, "category": self.category or "", **self.fields}):
            raise ValueError(why)
        return self


class MissingPayload(_Payload):
    """i18n.missing: an explicit request to translate a product into languages."""

    product_id: str = Field(min_length=1, max_length=191)
    languages: list[str] = Field(min_length=1)


class TranslationPayload(_Payload):
    """i18n.updated / i18n.approved / i18n.rewrite: what tolk did for one product in one language."""

    product_id: str
    lang: str
    fields: dict[str, dict[str, Any]]  # field -> {grade, score, status, failed}
    score: float | None = None  # the lowest field score


class SkippedPayload(_Payload):
    product_id: str
    lang: str
    reason: str


class FailedPayload(_Payload):
    product_id: str
    lang: str
    reason: str
    event_id: str | None = None  # the consumed event that failed (dead-lettered, unusable, unserved)
    event_type: str | None = None


class InvalidatePayload(_Payload):
    kind: Literal["product"]
    id: str
    lang: str


PAYLOADS: dict[str, type[_Payload]] = {
    "product.created": ProductPayload,
    "product.updated": ProductPayload,
    "product.normalized": ProductPayload,
    "i18n.missing": MissingPayload,
    "i18n.updated": TranslationPayload,
    "i18n.approved": TranslationPayload,
    "i18n.rewrite": TranslationPayload,
    "i18n.skipped": SkippedPayload,
    "i18n.failed": FailedPayload,
    "cache.invalidate": InvalidatePayload,
}
CONSUMED = ("product.created", "product.updated", "product.normalized", "i18n.missing")


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=64)
    type: str
    version: int = 1
    occurred_at: datetime
    source: str = Field(min_length=1)
    payload: dict[str, Any]

    def to_json(self) -> str:
        return self.model_dump_json()


def new(type_: str, payload: dict[str, Any], *, source: str = SOURCE) -> Envelope:
    """A fresh event of a known type, its payload validated."""
    PAYLOADS[type_].model_validate(payload)
    return Envelope(
        id=str(uuid.uuid4()), type=type_, occurred_at=datetime.now(UTC), source=source, payload=payload
    )


def parse(raw: str | bytes) -> Envelope:
    """An envelope from JSON, or InputError saying which field is wrong."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not JSON: {exc}") from None
    try:
        envelope = Envelope.model_validate(data)
    except ValidationError as exc:
        raise InputError(_first_error(exc, "")) from None
    validate(envelope)
    return envelope


def _first_error(exc: ValidationError, prefix: str) -> str:
    err = exc.errors()[0]
    where = f"{prefix}{'.'.join(str(p) for p in err['loc'])}".rstrip(".")
    return f"{where}: {err['msg'].removeprefix('Value error, ')}"


def validate(envelope: Envelope) -> None:
    """The payload against its type's schema (InputError naming the field)."""
    model = PAYLOADS.get(envelope.type)
    if model is None:
        raise InputError(f"type: unknown event type {envelope.type!r} (known: {', '.join(PAYLOADS)})")
    try:
        model.model_validate(envelope.payload)
    except ValidationError as exc:
        raise InputError(_first_error(exc, "payload.")) from None


def for_translation(
    product_id: str,
    lang: str,
    written: dict[str, dict[str, Any]],
    failed: dict[str, str],
    *,
    invalidate_after_s: float,
) -> list[tuple[Envelope, float]]:
    """What one product × language produced in a run, as (event, delay in seconds).

    `written` maps each field tolk stored to {grade, score, status, failed, rounds}; `failed` maps fields
    that got no translation to the reason.
    """
    out: list[tuple[Envelope, float]] = []
    if written:
        score = min((f["score"] for f in written.values() if f.get("score") is not None), default=None)
        fields = {name: {k: v for k, v in f.items() if k != "rounds"} for name, f in written.items()}
        body = {"product_id": product_id, "lang": lang, "fields": fields, "score": score}
        out.append((new("i18n.updated", body), 0.0))
        if any(f.get("rounds") for f in written.values()):
            out.append((new("i18n.rewrite", body), 0.0))
        if all(f.get("grade") == "APPROVED" for f in written.values()):
            out.append((new("i18n.approved", body), 0.0))
        # page caches listen for this one; the delay lets replicas and CDNs catch up first
        invalidate = {"kind": "product", "id": product_id, "lang": lang}
        out.append((new("cache.invalidate", invalidate), invalidate_after_s))
    if failed:
        reason = "; ".join(f"{name}: {why}" for name, why in sorted(failed.items()))
        out.append((new("i18n.failed", {"product_id": product_id, "lang": lang, "reason": reason}), 0.0))
    return out
