"""Draft → judge → refine, up to N rounds, and the grade each translation ends with.

The gate judges every draft. Where it asks for a rewrite, the refine engine gets the source, the draft,
the failed checks, the category and the glossary, and answers with a correction; the better of the two
stays. A translation that passes is APPROVED (or left for approval when `auto_approve` is off); one still
failing after N rounds, or one the policy always sends to a person, ends NEEDS_REVIEW with its reasons.
A refinement that changes nothing ends the loop early: no round is paid for twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from tolk.core import Grade, Hints, Result, Segment, Term
from tolk.engines.base import Engine
from tolk.profiles import Profile
from tolk.quality.base import Finding, Sample, Severity
from tolk.quality.gate import Gate
from tolk.quality.judge import Assessor
from tolk.quality.policy import Decision, Verdict

NEEDS_REVIEW = "NEEDS_REVIEW"
PENDING_APPROVAL = "PENDING_APPROVAL"


@dataclass(slots=True)
class Draft:
    """One segment to settle: its source and the engine's first answer."""

    key: str
    source: str
    terms: tuple[Term, ...]
    context: dict[str, str]
    result: Result


@dataclass(slots=True)
class Settled:
    text: str
    engine: str
    model: str
    verdict: Verdict
    rounds: int  # refinements that improved the text
    grade: Grade
    status: str | None


class Loop:
    def __init__(
        self,
        gate: Gate,
        refiner: Engine | None,
        *,
        rounds: int = 3,
        mode: str = "auto",
        auto_approve: bool = True,
        domain: str | None = None,
        profile: Profile | None = None,
        assessors: tuple[Assessor, ...] = (),
    ) -> None:
        self.gate, self.refiner, self.rounds = gate, refiner, rounds
        self.mode, self.auto_approve, self.domain = mode, auto_approve, domain
        self.profile, self.assessors = profile, assessors

    def engines(self) -> list[Engine]:
        """Every engine the loop may call besides the drafting one (for usage and closing)."""
        found = [self.refiner] if self.refiner is not None else []
        found += [a.engine for a in self.assessors]
        return list({id(e): e for e in found}.values())

    def judge(self, d: Draft, result: Result, source_lang: str, target: str) -> Verdict:
        p = self.profile
        sample = Sample(
            d.source, result.text, source_lang, target, terms=d.terms, finish=result.finish,
            unknown_words=tuple(result.unknown_words),
            required_terms=p.required(target) if p else (), forbidden_terms=p.forbidden(target) if p else (),
            sensitive_terms=p.sensitive_terms if p else (), warnings=tuple(result.warnings),
        )  # fmt: skip
        return self.gate.judge(sample)

    async def verdicts(self, pairs: list[tuple[Draft, Result]], source: str, target: str) -> list[Verdict]:
        """Rule checks for all; round-trip / LLM judge only where the rules passed (they cost calls)."""
        verdicts = [self.judge(d, res, source, target) for d, res in pairs]
        for assessor in self.assessors:
            passing = [i for i, v in enumerate(verdicts) if v.decision is Decision.PASS]
            scores = await assessor.assess(
                [(pairs[i][0].source, pairs[i][1].text) for i in passing], source, target
            )
            for i, value in zip(passing, scores, strict=True):
                if value is not None and value < assessor.minimum:
                    low = Finding(
                        assessor.id,
                        Severity.MAJOR,
                        f"{assessor.id} score {value:.0f} < {assessor.minimum:.0f}",
                    )
                    verdicts[i] = self.gate.amend(verdicts[i], low, target)
        return verdicts

    async def settle(self, drafts: list[Draft], source: str, target: str) -> dict[str, Settled]:
        first = await self.verdicts([(d, d.result) for d in drafts], source, target)
        best = {d.key: (d.result, v, 0) for d, v in zip(drafts, first, strict=True)}
        stuck: set[str] = set()
        for round_no in range(1, self.rounds + 1):
            todo = [d for d in drafts if d.key not in stuck and self._wants(best[d.key][1], round_no)]
            if not todo or self.refiner is None or self.mode == "never":
                break
            answers = await self._refine(todo, {d.key: best[d.key] for d in todo}, source, target)
            fresh = []
            for d in todo:
                res = answers.get(d.key)
                if res is None or not res.ok or res.text == best[d.key][0].text:
                    stuck.add(d.key)  # nothing new to judge: another round would pay for the same answer
                else:
                    fresh.append((d, res))
            for (d, res), new_verdict in zip(fresh, await self.verdicts(fresh, source, target), strict=True):
                if new_verdict.score > best[d.key][1].score:  # only a better text replaces the current one
                    best[d.key] = (res, new_verdict, round_no)
        return {key: self._grade(res, verdict, rounds) for key, (res, verdict, rounds) in best.items()}

    def _wants(self, verdict: Verdict, round_no: int) -> bool:
        if verdict.decision is Decision.REWRITE:
            return True
        return self.mode == "always" and round_no == 1 and verdict.decision is Decision.PASS

    async def _refine(
        self, todo: list[Draft], current: dict[str, tuple[Result, Verdict, int]], source: str, target: str
    ) -> dict[str, Result]:
        assert self.refiner is not None
        answers: dict[str, Result] = {}
        by_terms: dict[tuple[Term, ...], list[Segment]] = {}
        for d in todo:
            draft, verdict, _ = current[d.key]
            issues = "; ".join(f.message for f in verdict.findings) or "polish the wording"
            context = {**d.context, "draft": draft.text, "issues": issues}
            by_terms.setdefault(d.terms, []).append(Segment(d.key, d.source, context))
        for terms, segments in by_terms.items():
            for res in await self.refiner.translate(
                segments, source, target, Hints(terms, domain=self.domain)
            ):
                answers[res.id] = res
        return answers

    def _grade(self, res: Result, verdict: Verdict, rounds: int) -> Settled:
        if verdict.decision is Decision.PASS:
            grade = Grade.APPROVED if self.auto_approve else (Grade.REWRITE if rounds else Grade.MACHINE)
            status = None if self.auto_approve else PENDING_APPROVAL
        else:
            grade, status = (Grade.REWRITE if rounds else Grade.MACHINE), NEEDS_REVIEW
        return Settled(res.text, res.engine, res.model, verdict, rounds, grade, status)
