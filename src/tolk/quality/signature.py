"""The gate's signature: what a 0–100 score was measured with, in one line (as sacrebleu signs its metrics).

A score means something only beside the checks (and their versions) that produced it, the thresholds
that turned it into a decision, the profile's term lists and the assessors that could approve. When any
of them changes, the signature changes, so reports and the dashboard never average scores measured by
two different gates as if they were one.

    gate:1|checks:21#5c0e1a|pass:80|review:20|bleu:70|ter:30|profile:ecommerce|assess:judge=qwen>=70|approve:judge+reference

`short` is the hash of the whole line (what a stored row keeps); `full()` also lists every check with
its version, for a person comparing two.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tolk.quality.policy import Policy

# bump when the way findings become a score or a decision changes (severity penalties, the policy's rules)
GATE_VERSION = 1


def _number(value: float | None) -> str:
    return "off" if value is None else f"{value:g}"


def _hash(text: str, n: int = 6) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


@dataclass(frozen=True)
class Signature:
    checks: tuple[tuple[str, int], ...]  # (id, version), in the order the gate runs them
    policy: Policy
    per_language: tuple[tuple[str, Policy], ...] = ()
    profile: str = "-"
    profile_terms: str = ""  # a digest of the profile's required, forbidden and sensitive terms
    assessors: tuple[str, ...] = ()  # "judge=<engine>>=70", "round-trip=<engine>>=50"
    approve_with: tuple[str, ...] = ()

    def _fields(self) -> list[tuple[str, str]]:
        p = self.policy
        listed = ",".join(f"{cid}.{version}" for cid, version in self.checks)
        fields = [
            ("gate", str(GATE_VERSION)),
            ("checks", f"{len(self.checks)}#{_hash(listed)}"),
            ("pass", _number(p.pass_score)),
            ("review", _number(p.review_below)),
            ("bleu", _number(p.min_bleu)),
            ("ter", _number(p.max_ter)),
        ]
        if self.per_language:
            per = ";".join(f"{lang}:{q.pass_score:g}/{q.review_below:g}" for lang, q in self.per_language)
            fields.append(("langs", f"{len(self.per_language)}#{_hash(per)}"))
        profile = self.profile + (f"#{self.profile_terms}" if self.profile_terms else "")
        fields += [
            ("profile", profile),
            ("assess", "+".join(self.assessors) or "none"),
            ("approve", "+".join(self.approve_with) or "people"),
        ]
        return fields

    def __str__(self) -> str:
        return "|".join(f"{k}:{v}" for k, v in self._fields())

    @property
    def short(self) -> str:
        """A stable name for the whole signature, short enough to keep on every stored row."""
        return f"gate:{GATE_VERSION}#{_hash(str(self), 8)}"

    def full(self) -> str:
        """The line, then every check with its version (what differs between two signatures)."""
        checks = " ".join(f"{cid}.{version}" for cid, version in self.checks)
        return f"{self}\nchecks: {checks}"


def terms_digest(lists: Iterable[Mapping[str, tuple[str, ...]] | tuple[str, ...]]) -> str:
    """A short digest of a profile's term lists ("" when it has none)."""
    parts = []
    for terms in lists:
        if isinstance(terms, Mapping):
            parts += [f"{lang}={','.join(sorted(v))}" for lang, v in sorted(terms.items())]
        else:
            parts.append(",".join(sorted(terms)))
    joined = "|".join(p for p in parts if p)
    return _hash(joined, 4) if joined else ""
