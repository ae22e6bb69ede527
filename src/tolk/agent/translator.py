"""The translator agent's decision for one delivered event into one language.

    validate   a malformed event is dead-lettered at once, with the field that is wrong
    dedupe     an event id this consumer already processed: i18n.skipped, nothing else
    wait       a product event before its dependencies' (registry depends_on): parked, retried later
    stale      an event older than one already applied for the product: i18n.skipped
    translate  through the pipeline; the processed id, the product mark and every outgoing event are
               written in the same transaction as the translations
    failures   an unavailable engine pauses the worker (not counted); other engine errors are counted in
               SQL and retried with backoff, then published as i18n.failed; a bug dead-letters

The queue is per language (NAME.LANG), so one product event is handled once per language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from tolk import events
from tolk.agent import ledger
from tolk.agent.dedupe import Dedupe
from tolk.agent.registry import AgentSpec
from tolk.budget import BudgetReached
from tolk.bus.base import Delivery, matches
from tolk.config import AgentSettings
from tolk.core import Deferred, InputError, TolkError
from tolk.pipeline import Pipeline
from tolk.store.models import now
from tolk.store.repo import ItemRecord, Store

log = logging.getLogger(__name__)
PRODUCT_EVENTS = ("product.created", "product.updated", "product.normalized")

BUDGET_RECHECK_S = 900.0  # a raised cap is seen within 15 minutes


@dataclass(frozen=True)
class Outcome:
    action: str  # ack | retry | dead | pause
    why: str = ""
    after_s: float = 0.0


ACK = Outcome("ack")


class Stale(Exception):
    """A newer event for the product was applied first: this one must not overwrite it."""


class _Commit:
    """The agent's share of a commit (CommitHook): marks, processed id, and i18n.skipped if silent."""

    def __init__(self, agent: Translator, envelope: events.Envelope, record: ItemRecord, lang: str) -> None:
        self.agent, self.envelope, self.record, self.lang = agent, envelope, record, lang
        self.outcome = "translated"

    def before(self, session: Session) -> None:
        store, env = self.agent.store, self.envelope
        if env.type in PRODUCT_EVENTS:
            if not ledger.advance(store, session, self.record.id, ledger.CONTENT, env):
                raise Stale(f"a newer event for {self.record.id} was applied first")
            ledger.advance(store, session, self.record.id, env.type, env)
            store.save_items(session, [self.record])
        ledger.record(session, self.agent.consumer(self.lang), env, self.outcome)

    def after(self, session: Session, announced: set[str]) -> None:
        if self.record.id not in announced:
            self.agent.skipped(session, self.record.id, self.lang, "unchanged: already translated")


class Translator:
    def __init__(
        self,
        spec: AgentSpec,
        dependencies: list[AgentSpec],
        pipeline: Pipeline,
        settings: AgentSettings,
        dedupe: Dedupe | None = None,
    ) -> None:
        self.spec, self.dependencies, self.pipeline = spec, dependencies, pipeline
        self.settings, self.dedupe = settings, dedupe
        self.store: Store = pipeline.job.store

    def consumer(self, lang: str) -> str:
        return f"{self.spec.name}.{lang}"

    def queue(self, lang: str) -> str:
        return self.consumer(lang)

    def patterns(self) -> list[str]:
        return self.spec.subscribes or list(events.CONSUMED)

    # --- one event -----------------------------------------------------------------------------------

    async def handle(self, delivery: Delivery, lang: str) -> Outcome:
        env = delivery.envelope
        try:
            events.validate(env)
        except InputError as exc:
            return Outcome("dead", f"invalid {env.type} event: {exc}")
        consumer = self.consumer(lang)
        try:
            if self._already(consumer, env):
                return ACK
            if env.type == "i18n.missing" and lang not in env.payload["languages"]:
                return ACK  # a request for other languages
            record = self._record(env)
            if record is None:
                return self._fail_now(env, lang, str(env.payload["product_id"]), "unknown product")
            if record.source_lang == lang:
                return ACK
            if waiting := self._waiting_for(env, record.id):
                return self._park(env, waiting)
            return await self._translate(env, record, lang)
        except DBAPIError as exc:  # the database went away: pause, the event stays on the bus
            return Outcome("pause", f"database: {exc.orig}", self.settings.pause_s)

    def _already(self, consumer: str, env: events.Envelope) -> bool:
        """A redelivery, or a copy published twice: one i18n.skipped per extra delivery, no effect."""
        with self.store.transaction() as session:
            if ledger.processed(session, consumer, env.id) is None:
                return False
            ledger.count_duplicate(session, consumer, env.id)
            product = str(env.payload.get("id") or env.payload.get("product_id"))
            lang = consumer.rsplit(".", 1)[1]
            self.skipped(session, product, lang, f"duplicate delivery of event {env.id}")
        return True

    def _record(self, env: events.Envelope) -> ItemRecord | None:
        if env.type in PRODUCT_EVENTS:
            payload = env.payload
            data = {k: v for k, v in payload.items() if k not in ("id", "fields")} | payload["fields"]
            stored = self.store.item_record(str(payload["id"])) if env.type == "product.updated" else None
            if stored is not None:  # an update may carry only what changed
                known = {"lang": stored.source_lang, "category": stored.category}
                base = known | stored.attrs | stored.fields
                data = {k: v for k, v in base.items() if v is not None} | data
            return self.pipeline.record(str(payload["id"]), data)
        return self.store.item_record(str(env.payload["product_id"]))

    def _waiting_for(self, env: events.Envelope, product_id: str) -> str | None:
        """The dependency whose event about this product (at least as new) has not arrived yet."""
        if env.type not in PRODUCT_EVENTS or not self.dependencies:
            return None
        with self.store.sessions() as session:
            seen = ledger.marks(session, product_id)
        at = ledger.naive_utc(env.occurred_at)
        for dep in self.dependencies:
            kinds = [k for k in PRODUCT_EVENTS if matches(k, dep.publishes)]
            if env.type in kinds:
                return None  # this is the dependency's own event
            if not any(k in seen and seen[k] >= at for k in kinds):
                return f"{dep.name} ({' or '.join(kinds) or 'no product event'})"
        return None

    def _park(self, env: events.Envelope, waiting: str) -> Outcome:
        waited = (now() - ledger.naive_utc(env.occurred_at)).total_seconds()
        if waited > self.settings.park_timeout_s:
            return Outcome("dead", f"waited {waited:.0f} s for {waiting}; giving up")
        return Outcome("retry", f"waiting for {waiting}", self.settings.park_delay_s)

    async def _translate(self, env: events.Envelope, record: ItemRecord, lang: str) -> Outcome:
        consumer = self.consumer(lang)
        tries = ledger.attempts(self.store, consumer, env.id)
        last_try = tries + 1 >= self.settings.max_attempts
        budget = self.pipeline.job.budget
        try:  # a daily cap pauses consumption; the events wait on the bus, none is lost
            budget.check(self.store, 0.0)
        except BudgetReached as exc:
            return Outcome("pause", str(exc), min(budget.seconds_to_reset(), BUDGET_RECHECK_S))
        claim = await self.dedupe.claim(record, lang) if self.dedupe else "mine"
        if claim == "busy":  # another worker is translating this very content now: wait, do not repeat
            return Outcome("retry", "the same content is being translated by another worker", 2.0)
        commit = _Commit(self, env, record, lang)
        try:
            await self.pipeline.translate_records([record], lang, commit, defer_transient=not last_try)
        except Stale as exc:
            await self._release(record, lang, claim)
            return self._skip_stale(env, record.id, lang, str(exc))
        except IntegrityError:  # another worker recorded this event id first (two copies in flight)
            await self._release(record, lang, claim)
            self._already(consumer, env)
            return ACK
        except Deferred as exc:
            await self._release(record, lang, claim)
            if exc.outage:
                return Outcome("pause", str(exc), self.settings.pause_s)
            n = ledger.add_attempt(self.store, consumer, env.id, str(exc))
            return Outcome("retry", f"try {n}: {exc}", self._backoff(n))
        except (TolkError, DBAPIError):
            await self._release(record, lang, claim)
            raise
        except Exception as exc:  # a bug or bad data the pipeline cannot take: count it, then give up
            await self._release(record, lang, claim)
            log.exception("event %s failed", env.id)
            n = ledger.add_attempt(self.store, consumer, env.id, repr(exc))
            if n >= self.settings.max_attempts:
                return Outcome("dead", f"failed {n} times: {exc!r}")
            return Outcome("retry", f"try {n}: {exc!r}", self._backoff(n))
        if self.dedupe and claim == "mine":
            await self.dedupe.done(record, lang)
        return ACK

    async def _release(self, record: ItemRecord, lang: str, claim: str) -> None:
        if self.dedupe and claim == "mine":
            await self.dedupe.release(record, lang)

    def _backoff(self, tries: int) -> float:
        return float(min(self.settings.retry_max_s, self.settings.retry_base_s * 2 ** (tries - 1)))

    def _skip_stale(self, env: events.Envelope, product_id: str, lang: str, why: str) -> Outcome:
        try:
            with self.store.transaction() as session:
                ledger.record(session, self.consumer(lang), env, "stale")
                self.skipped(session, product_id, lang, f"stale: {why}")
        except IntegrityError:
            self._already(self.consumer(lang), env)
        return ACK

    def _fail_now(self, env: events.Envelope, lang: str, product_id: str, why: str) -> Outcome:
        try:
            with self.store.transaction() as session:
                ledger.record(session, self.consumer(lang), env, "failed")
                body = {"product_id": product_id, "lang": lang, "reason": why}
                self.store.outbox_add(session, events.new("i18n.failed", body))
        except IntegrityError:
            self._already(self.consumer(lang), env)
        return ACK

    def skipped(self, session: Session, product_id: str, lang: str, why: str) -> None:
        body = {"product_id": product_id, "lang": lang, "reason": why}
        self.store.outbox_add(session, events.new("i18n.skipped", body))
