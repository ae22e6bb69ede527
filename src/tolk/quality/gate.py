"""The gate: run the enabled checks (and metrics when a reference exists) and decide."""

from __future__ import annotations

from collections.abc import Iterable

from tolk.quality.base import Check, Sample
from tolk.quality.checks import ALL, BY_ID
from tolk.quality.metrics import score
from tolk.quality.policy import Policy, Verdict, decide


class Gate:
    def __init__(self, checks: Iterable[type[Check]] = ALL, policy: Policy | None = None) -> None:
        self.checks = [cls() for cls in checks]
        self.policy = policy or Policy()

    @classmethod
    def without(cls, disabled: Iterable[str], policy: Policy | None = None) -> Gate:
        off = set(disabled)
        unknown = off - set(BY_ID)
        if unknown:
            raise ValueError(f"unknown check(s): {', '.join(sorted(unknown))}")
        return cls([c for c in ALL if c.id not in off], policy)

    def judge(self, sample: Sample) -> Verdict:
        findings = [f for check in self.checks if (f := check.run(sample)) is not None]
        metrics = score(sample.target, sample.reference, sample.tgt_lang) if sample.reference else None
        return decide(findings, metrics, self.policy)
