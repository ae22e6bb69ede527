"""From findings and metrics to one decision: pass, rewrite (a machine can fix it) or review (a person)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from tolk.quality.base import Finding, Severity
from tolk.quality.metrics import Scores


class Decision(enum.StrEnum):
    PASS = "pass"
    REWRITE = "rewrite"
    REVIEW = "review"


@dataclass(frozen=True)
class Policy:
    """Thresholds; per language and profile in config. The seed's BLEU >= 0.7 / TER <= 0.3 are 70 / 30."""

    pass_score: float = 80.0
    review_below: float = 20.0  # so broken that another machine round is unlikely to help
    min_bleu: float | None = 70.0  # applied only when a reference exists
    max_ter: float | None = 30.0
    always_review: frozenset[str] = field(
        default_factory=lambda: frozenset({"injection", "sensitive", "pii", "tokens", "rejected"})
    )


@dataclass(frozen=True, slots=True)
class Verdict:
    score: float
    decision: Decision
    findings: tuple[Finding, ...]
    metrics: Scores | None = None
    # assessors of meaning that passed the text: "reference", "judge:<engine>", "round-trip:<engine>";
    # rule checks never appear here, so they alone can never make a text APPROVED
    approvals: tuple[str, ...] = ()

    @property
    def failed(self) -> list[str]:
        """The checks that found a problem (notes, of INFO severity, are not failures)."""
        return [f.check for f in self.findings if f.severity is not Severity.INFO]

    @property
    def notes(self) -> list[str]:
        return [f.check for f in self.findings if f.severity is Severity.INFO]


def decide(findings: list[Finding], metrics: Scores | None, policy: Policy) -> Verdict:
    score = max(0.0, 100.0 - sum(f.severity.penalty for f in findings))
    metric_misses = []
    if metrics is not None:
        score = min(score, (score + metrics.chrf) / 2)
        if policy.min_bleu is not None and metrics.bleu < policy.min_bleu:
            metric_misses.append("bleu")
        if policy.max_ter is not None and metrics.ter > policy.max_ter:
            metric_misses.append("ter")
    blocking = [f for f in findings if f.severity not in {Severity.MINOR, Severity.INFO}]
    if any(f.check in policy.always_review for f in findings) or score < policy.review_below:
        decision = Decision.REVIEW
    elif blocking or score < policy.pass_score or metric_misses:
        decision = Decision.REWRITE
    else:
        decision = Decision.PASS
    extra = tuple(
        Finding(m, Severity.MINOR, f"{m} {'above' if m == 'ter' else 'below'} the bar against the reference")
        for m in metric_misses
    )
    approvals = ("reference",) if metrics is not None and not metric_misses else ()
    return Verdict(round(score, 1), decision, tuple(findings) + extra, metrics, approvals)
