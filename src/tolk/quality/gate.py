"""The gate: run the enabled checks (and metrics when a reference exists) and decide."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from tolk.config import QualitySettings, Thresholds
from tolk.quality.base import Check, Finding, Sample
from tolk.quality.checks import ALL, BY_ID, RENAMED
from tolk.quality.metrics import score
from tolk.quality.policy import Policy, Verdict, decide
from tolk.quality.signature import Signature


class Gate:
    def __init__(
        self,
        checks: Iterable[type[Check]] = ALL,
        policy: Policy | None = None,
        per_language: dict[str, Policy] | None = None,
    ) -> None:
        self.checks = [cls() for cls in checks]
        self.policy = policy or Policy()
        self.per_language = per_language or {}

    @classmethod
    def without(cls, disabled: Iterable[str], policy: Policy | None = None) -> Gate:
        off = {RENAMED.get(c, c) for c in disabled}
        unknown = off - set(BY_ID)
        if unknown:
            raise ValueError(f"unknown check(s): {', '.join(sorted(unknown))}")
        return cls([c for c in ALL if c.id not in off], policy)

    @classmethod
    def from_settings(
        cls, q: QualitySettings, profile_pass_score: float | None = None, profile_disabled: Iterable[str] = ()
    ) -> Gate:
        """The gate a config describes: checks switched off, thresholds, per-language thresholds.

        A profile's bar applies unless `[quality]` sets one explicitly."""
        from tolk import languages
        from tolk.core import ConfigError

        base = _apply(Policy(), q)
        if profile_pass_score is not None and q.pass_score is None:
            base = dataclasses.replace(base, pass_score=profile_pass_score)
        try:
            gate = cls.without([*q.disabled_checks, *profile_disabled], base)
        except ValueError as exc:
            raise ConfigError(f"quality.disabled_checks: {exc}") from None
        gate.per_language = {languages.normalize(lang): _apply(base, t) for lang, t in q.languages.items()}
        return gate

    def signature(self) -> Signature:
        """What this gate's scores are measured with (the loop adds its profile and assessors)."""
        checks = tuple((c.id, c.version) for c in self.checks)
        return Signature(checks, self.policy, tuple(sorted(self.per_language.items())))

    def policy_for(self, lang: str) -> Policy:
        return self.per_language.get(lang) or self.per_language.get(lang.split("-")[0]) or self.policy

    def judge(self, sample: Sample) -> Verdict:
        findings = [f for check in self.checks if (f := check.run(sample)) is not None]
        metrics = score(sample.target, sample.reference, sample.tgt_lang) if sample.reference else None
        return decide(findings, metrics, self.policy_for(sample.tgt_lang))

    def amend(self, verdict: Verdict, finding: Finding, lang: str) -> Verdict:
        """The verdict with one more finding (from a scorer that runs outside the checks)."""
        own = [f for f in verdict.findings if f.check not in METRIC_FINDINGS]  # decide() adds those again
        return decide([*own, finding], verdict.metrics, self.policy_for(lang))


METRIC_FINDINGS = frozenset({"bleu", "ter"})


def _apply(policy: Policy, t: Thresholds) -> Policy:
    """`policy` with the thresholds `t` sets (None keeps the policy's own)."""
    fields = ("pass_score", "review_below", "min_bleu", "max_ter")
    changes = {f: getattr(t, f) for f in fields if getattr(t, f) is not None}
    return dataclasses.replace(policy, **changes)
