"""The commit of one batch into one language: one transaction for the translations, their memory,
history and audit rows, the events that announce them and the agent's bookkeeping.

- a HUMAN or APPROVED text is never overwritten: the machine's answer becomes a suggestion beside it
- only text an assessor of meaning approved teaches the memory (as `judge`, with who approved it),
  and never one that held personal data
- a fallback's text is a stop-gap: it is marked `fallback_for` and written without a cache key, so the
  next run with the primary healthy translates it anew
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tolk import events
from tolk.activity import Tally
from tolk.core import Grade, Result
from tolk.pipeline.core import Unit
from tolk.pipeline.job import CommitHook, Job, Summary
from tolk.quality.loop import CHECKED, NEEDS_REVIEW, PENDING_APPROVAL, Settled
from tolk.store import activity, audit
from tolk.store.repo import MachineWrite

MAX_REASONS = 50  # distinct failure reasons kept; beyond that they are counted together


class Commits:
    def __init__(self, job: Job, summary: Summary) -> None:
        self.job, self.summary = job, summary
        self.prompts = {e.name: e.prompt_version for e in job.engines()}  # for the audit log

    def write(
        self,
        units: list[Unit],
        done: dict[str, Result],
        settled: dict[str, Settled],
        source: str,
        target: str,
        hook: CommitHook | None,
        tally: Tally,
        reused: frozenset[str] = frozenset(),
        amended: dict[tuple[str, str | None], Settled] | None = None,
    ) -> None:
        """One transaction: every unit ends as exactly one of written, kept (a person's text stays; the
        machine's becomes its suggestion) or failed. `reused`: the keys answered by cache or memory;
        `amended`: an (item, field)'s own outcome where its item changed it (units share keys).

        Each table gets one statement for the whole chunk (translations, history, audit, outbox): the
        guarantees are the per-row ones, the cost is not."""
        store, job = self.job.store, self.job
        written: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        failed: dict[str, dict[str, str]] = defaultdict(dict)
        for u in units:
            if u.key not in settled:
                res, field = done.get(u.key), u.field or ""
                failed[u.item_id][field] = (res.error if res else None) or "no answer"
                tally.failures += 1
                self.failure(failed[u.item_id][field], f"{u.item_id}/{field} -> {target}")
        mine = amended or {}
        landed = [(u, mine.get((u.item_id, u.field), settled[u.key])) for u in units if u.key in settled]
        with store.transaction() as session:
            if hook is not None:
                hook.before(session)
            writes = [(self._machine_write(u, end, target), u.exists) for u, end in landed]
            lines, entries = list[activity.Line](), list[audit.Entry]()
            for (u, end), outcome in zip(landed, store.write_machines(session, writes), strict=True):
                field = u.field or ""
                if outcome == "suggested":
                    self.summary.suggestions += 1
                    continue
                if end.grade is Grade.APPROVED and not done[u.key].personal:
                    store.remember(
                        session,
                        source,
                        target,
                        u.text,
                        end.text,
                        "judge",
                        creator=end.approved_by,
                        item_id=u.item_id,
                        field=field,
                    )
                key = (u.item_id, field, target)
                lines.append(
                    activity.Line(key, end.engine, "machine", end.text, end.grade.value, end.verdict.score)
                )
                entries.append(self._audit(u, end, target))
                self._count(end, tally)
                self.summary.reused += u.key in reused
                written[u.item_id][field] = {
                    "grade": end.grade.value,
                    "score": end.verdict.score,
                    "status": end.status,
                    "failed": end.verdict.failed,
                    "rounds": end.rounds,
                    "approved_by": end.approved_by,
                    "publishable": end.publishable,
                }
            activity.remember_texts(session, lines)
            audit.record(session, *entries)
            # the events go in the same transaction as the translations they announce
            if job.events:
                store.outbox_add_many(
                    session,
                    [
                        queued
                        for item_id in dict.fromkeys([*written, *failed])
                        for queued in events.for_translation(
                            item_id,
                            target,
                            written.get(item_id, {}),
                            failed.get(item_id, {}),
                            invalidate_after_s=job.invalidate_after_s,
                        )
                    ],
                )
            if hook is not None:
                hook.after(session, {*written, *failed})
            activity.record(session, tally)
        self.counted(tally)
        if job.telemetry is not None:
            job.telemetry.flush(store)

    def _machine_write(self, u: Unit, end: Settled, target: str) -> MachineWrite:
        stand_in = end.engine in self.job.stand_ins
        return MachineWrite(
            item_id=u.item_id,
            field=u.field or "",
            lang=target,
            text=end.text,
            engine=end.engine,
            model=end.model,
            source_hash=u.source_hash,
            cache_key=None if stand_in else u.key,  # a stand-in's text is translated anew next time
            checks=[f.as_dict() for f in end.verdict.findings],
            score=end.verdict.score,
            status=end.status,
            grade=end.grade,
            profile=self.job.profile,
            approved_by=end.approved_by,
            fallback_for=self.job.engine.name if stand_in else None,
        )

    def _audit(self, u: Unit, end: Settled, target: str) -> audit.Entry:
        return audit.Entry(
            f"system:{self.job.origin}",
            "machine_write",
            u.item_id,
            u.field or "",
            target,
            audit.sha256(u.text),
            end.engine,
            end.model,
            self.prompts.get(end.engine) or None,
            after_sha256=audit.sha256(end.text),
        )

    def tally_only(self, tally: Tally) -> None:
        """Counters of a language that needed no commit (everything unchanged, or nothing it could do)."""
        with self.job.store.transaction() as session:
            activity.record(session, tally)
        self.counted(tally)

    def counted(self, tally: Tally) -> None:
        """A committed tally joins the run's summary and this process's metrics."""
        self.summary.add(tally)
        if self.job.telemetry is not None:
            self.job.telemetry.tally(tally)

    def failure(self, reason: str, where: str, n: int = 1) -> None:
        """Count a failure under its reason (every reason is reported, with one example of where)."""
        reasons = self.summary.failure_reasons
        if reason not in reasons and len(reasons) >= MAX_REASONS:
            reason = "other reasons"
        count, example = reasons.get(reason, (0, where))
        reasons[reason] = (count + n, example)

    def _count(self, end: Settled, tally: Tally) -> None:
        s = self.summary
        tally.translated += 1
        tally.add_score(end.verdict.score)
        if end.verdict.metrics is not None:
            tally.add_bleu(end.verdict.metrics.bleu)
        tally.approved += end.grade is Grade.APPROVED
        tally.rewritten += end.rounds > 0
        tally.needs_review += end.status == NEEDS_REVIEW
        s.glossary_misses += "glossary" in end.verdict.failed
        s.pending_approval += end.status == PENDING_APPROVAL
        s.checked += end.status == CHECKED
        if end.approved_by:
            s.approved_by[end.approved_by] = s.approved_by.get(end.approved_by, 0) + 1
