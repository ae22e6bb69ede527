"""Draft → judge → refine, up to N rounds, and the grade each translation ends with.

The gate judges every draft. Where it asks for a rewrite, the refine engine (a chat LLM: it takes the
draft and the failed checks) answers with a correction; the better of the two stays. A refinement that
changes nothing ends the loop early: no round is paid for twice. Without a refine engine nothing is
re-sent blindly: what fails waits for a person.

The grade says who vouches for a text:
- APPROVED: an assessor of meaning that `approve_with` allows (the LLM judge, a reference metric, a
  round-trip score) passed it — `approved_by` names it. Rule checks alone never approve.
- MACHINE / REWRITE with status CHECKED: the rules found nothing wrong; nobody vouched for the meaning.
- NEEDS_REVIEW: still failing after N rounds, or a check the policy always sends to a person
  (personal data, injection, a token left behind, the same text a reviewer rejected before).
- PENDING_APPROVAL: passed, but `auto_approve` is off.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from dataclasses import dataclass

from tolk.core import Grade, Hints, Result, Segment, Term, publishable, text_hash
from tolk.engines.base import Engine
from tolk.formality import DEFAULT
from tolk.profiles import Profile
from tolk.quality.base import FLAGGED, Finding, Sample, Severity, for_engine
from tolk.quality.gate import Gate
from tolk.quality.judge import Assessor
from tolk.quality.policy import Decision, Verdict
from tolk.quality.signature import Signature, terms_digest

NEEDS_REVIEW = "NEEDS_REVIEW"
PENDING_APPROVAL = "PENDING_APPROVAL"
CHECKED = "CHECKED"  # the rule checks passed; nobody vouched for the meaning


@dataclass(slots=True)
class Draft:
    """One segment to settle: its source and the engine's first answer."""

    key: str
    source: str
    terms: tuple[Term, ...]
    context: dict[str, str]
    result: Result
    rejected: frozenset[str] = frozenset()  # text_hash of what reviewers sent back for this source
    required_here: bool = True  # False: the profile's required terms are looked for in the whole document


@dataclass(slots=True)
class Settled:
    text: str
    engine: str
    model: str
    verdict: Verdict
    rounds: int  # refinements that improved the text
    grade: Grade
    status: str | None
    approved_by: str | None = None

    @property
    def publishable(self) -> bool:
        """May go out (export, document, API answer, event) as a translation."""
        return publishable(self.status)


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
        approve_with: frozenset[str] = frozenset({"judge", "reference"}),
    ) -> None:
        self.gate, self.refiner, self.rounds = gate, refiner, rounds
        self.mode, self.auto_approve, self.domain = mode, auto_approve, domain
        self.profile, self.assessors, self.approve_with = profile, assessors, approve_with

    @functools.cached_property
    def signature(self) -> Signature:
        """The gate's signature with what else decides here: the profile's terms, the assessors and
        which of them may approve."""
        p = self.profile
        return dataclasses.replace(
            self.gate.signature(),
            profile=p.name if p else "-",
            profile_terms=terms_digest([p.required_terms, p.forbidden_terms, p.sensitive_terms]) if p else "",
            assessors=tuple(f"{a.approval}>={a.minimum:g}" for a in self.assessors),
            approve_with=tuple(sorted(self.approve_with)),
        )

    def engines(self) -> list[Engine]:
        """Every engine the loop may call besides the drafting one (for usage and closing)."""
        found = [self.refiner] if self.refiner is not None else []
        found += [a.engine for a in self.assessors]
        return list({id(e): e for e in found}.values())

    def lacking(self, settled: Settled, missing: list[str], where: str, lang: str) -> Settled:
        """`settled` held for review because the whole it belongs to (an item's fields, a document)
        has none of the `missing` required terms: the finding says which and where."""
        terms = ", ".join(repr(t) for t in missing)
        finding = Finding(
            "required_terms", Severity.MAJOR, f"required term {terms} appears nowhere in {where}"
        )
        verdict = self.gate.amend(settled.verdict, finding, lang)
        return dataclasses.replace(settled, verdict=verdict, status=NEEDS_REVIEW, approved_by=None)

    def judge(
        self, d: Draft, result: Result, source_lang: str, target: str, formality: str = DEFAULT
    ) -> Verdict:
        p = self.profile
        sample = Sample(
            d.source,
            result.text,
            source_lang,
            target,
            terms=d.terms,
            finish=result.finish,
            unknown_words=tuple(result.unknown_words),
            required_terms=p.required(target) if p and d.required_here else (),
            forbidden_terms=p.forbidden(target) if p else (),
            sensitive_terms=p.sensitive(source_lang) if p else (),
            warnings=tuple(result.warnings),
            formality=formality,
            flagged=d.context.get(FLAGGED),
        )
        verdict = self.gate.judge(sample)
        if d.rejected and text_hash(result.text) in d.rejected:
            same = Finding("rejected", Severity.CRITICAL, "same as rejected: a reviewer sent this text back")
            verdict = self.gate.amend(verdict, same, target)
        return verdict

    async def verdicts(
        self, pairs: list[tuple[Draft, Result]], source: str, target: str, formality: str = DEFAULT
    ) -> list[Verdict]:
        """Rule checks for all; round-trip / LLM judge only where the rules passed (they cost calls)."""
        # the rule checks are CPU work (a server's hundred 5,000-character texts: a second or more): in a
        # thread, so the event loop keeps answering (/healthz, other requests) meanwhile
        verdicts = await asyncio.to_thread(
            lambda: [self.judge(d, res, source, target, formality) for d, res in pairs]
        )
        for assessor in self.assessors:
            passing = [i for i, v in enumerate(verdicts) if v.decision is Decision.PASS]
            scores = await assessor.assess(
                [(pairs[i][0].source, pairs[i][1].text) for i in passing], source, target
            )
            for i, value in zip(passing, scores, strict=True):
                if value is None:
                    continue
                if value < assessor.minimum:
                    low = Finding(
                        assessor.id,
                        Severity.MAJOR,
                        f"{assessor.id} score {value:.0f} < {assessor.minimum:.0f}",
                    )
                    verdicts[i] = self.gate.amend(verdicts[i], low, target)
                else:
                    passed = (*verdicts[i].approvals, assessor.approval)
                    verdicts[i] = dataclasses.replace(verdicts[i], approvals=passed)
        return verdicts

    async def settle(
        self, drafts: list[Draft], source: str, target: str, formality: str = DEFAULT
    ) -> dict[str, Settled]:
        """Each draft judged, refined where it falls short (up to `rounds`), and graded. `formality`:
        the register asked for in `target` (tolk.formality), told to the refiner and checked."""
        first = await self.verdicts([(d, d.result) for d in drafts], source, target, formality)
        best = {d.key: (d.result, v, 0) for d, v in zip(drafts, first, strict=True)}
        stuck: set[str] = set()
        for round_no in range(1, self.rounds + 1):
            todo = [d for d in drafts if d.key not in stuck and self._wants(best[d.key][1], round_no)]
            if not todo or self.refiner is None or self.mode == "never":
                break
            current = {d.key: best[d.key] for d in todo}
            answers = await self._refine(todo, current, source, target, formality)
            fresh = []
            for d in todo:
                res = answers.get(d.key)
                if res is None or not res.ok or res.text == best[d.key][0].text:
                    stuck.add(d.key)  # nothing new to judge: another round would pay for the same answer
                else:
                    fresh.append((d, res))
            judged = await self.verdicts(fresh, source, target, formality)
            for (d, res), new_verdict in zip(fresh, judged, strict=True):
                if new_verdict.score > best[d.key][1].score:  # only a better text replaces the current one
                    best[d.key] = (res, new_verdict, round_no)
        return {key: self.grade(res, verdict, rounds) for key, (res, verdict, rounds) in best.items()}

    def _wants(self, verdict: Verdict, round_no: int) -> bool:
        if verdict.decision is Decision.REWRITE:
            return True
        return self.mode == "always" and round_no == 1 and verdict.decision is Decision.PASS

    async def _refine(
        self,
        todo: list[Draft],
        current: dict[str, tuple[Result, Verdict, int]],
        source: str,
        target: str,
        formality: str,
    ) -> dict[str, Result]:
        assert self.refiner is not None
        answers: dict[str, Result] = {}
        by_terms: dict[tuple[Term, ...], list[Segment]] = {}
        for d in todo:
            draft, verdict, _ = current[d.key]
            issues = "; ".join(f.message for f in verdict.findings) or "polish the wording"
            context = {**for_engine(d.context), "draft": draft.text, "issues": issues}
            by_terms.setdefault(d.terms, []).append(Segment(d.key, d.source, context))
        for terms, segments in by_terms.items():
            for res in await self.refiner.translate(
                segments, source, target, Hints(terms, domain=self.domain, formality=formality)
            ):
                answers[res.id] = res
        return answers

    def grade(self, res: Result, verdict: Verdict, rounds: int) -> Settled:
        """The grade and status a judged text ends with: who (if anyone) vouches for it."""
        machine = Grade.REWRITE if rounds else Grade.MACHINE
        if verdict.decision is not Decision.PASS:
            return Settled(res.text, res.engine, res.model, verdict, rounds, machine, NEEDS_REVIEW)
        if not self.auto_approve:
            return Settled(res.text, res.engine, res.model, verdict, rounds, machine, PENDING_APPROVAL)
        vouched = [a for a in verdict.approvals if a.split(":")[0] in self.approve_with]
        if vouched:
            return Settled(res.text, res.engine, res.model, verdict, rounds, Grade.APPROVED, None, vouched[0])
        return Settled(res.text, res.engine, res.model, verdict, rounds, machine, CHECKED)
