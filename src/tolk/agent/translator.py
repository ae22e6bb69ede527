"""The translator agent's decision for one delivered event into one language.

    validate   a malformed event is dead-lettered at once, and an i18n.failed names it
    dedupe     an event id this consumer already processed: i18n.skipped, nothing else
    stale      every value the event carries is older than one already applied: i18n.skipped, decided
               before any engine call (per field and attribute, from `occurred_at`)
    wait       a product event before its dependencies' (registry depends_on): parked and retried; the
               wait counts from when this consumer first saw it, so backfills of old events work
    merge      the event's values join the product as stored: a classifier's category keeps the
               crawler's text; a product with no text yet is recorded, not translated
    translate  through the pipeline; the merged product, the processed id, the marks and every outgoing
               event are written in the same transaction as the translations
    failures   an unavailable engine or database pauses the worker (not counted); any other error is one
               attempt (counted in SQL, whatever delivery it came with): retried with backoff, then
               dead-lettered with the reason and an i18n.failed; the traceback is logged once

The queue is per language (NAME.LANG), so one product event is handled once per language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tolk import events
from tolk.agent.dedupe import Dedupe
from tolk.agent.registry import AgentSpec
from tolk.budget import BudgetReached
from tolk.bus.base import UNREADABLE, Delivery, matches
from tolk.config import AgentSettings
from tolk.core import Deferred, InputError, now
from tolk.pipeline import Pipeline
from tolk.store import ledger
from tolk.store.errors import Conflict, Unavailable
from tolk.store.repo import ItemRecord, Store

if TYPE_CHECKING:
    from tolk.store.base import Session

log = logging.getLogger(__name__)
PRODUCT_EVENTS = ("product.created", "product.updated", "product.normalized")

BUDGET_RECHECK_S = 900.0  # a raised cap is seen within 15 minutes
RACE_RETRY_S = 1.0  # another event changed the product while this one was translated: merge again


@dataclass(frozen=True)
class Outcome:
    action: str  # ack | retry | dead | pause
    why: str = ""
    after_s: float = 0.0


ACK = Outcome("ack")


class Stale(Exception):
    """A newer value for the product was applied first: this event must not overwrite it."""

    def __init__(self, why: str, *, again: bool = False) -> None:
        super().__init__(why)
        self.again = again  # not this event's values, others changed meanwhile: merge and try again


def carried(env: events.Envelope) -> dict[str, Any]:
    """The values a product event carries, by mark kind: `field:name` for texts, `attr:category`,
    `attr:lang` and the producer's other attributes. Absent or null values are not carried: an event
    that does not mention the category leaves it as it is."""
    out: dict[str, Any] = {}
    for key, value in env.payload.items():
        if key not in ("id", "fields") and value is not None:
            out[f"attr:{key}"] = value
    for name, text in (env.payload.get("fields") or {}).items():
        out[f"field:{name}"] = text
    return out


def _data(record: ItemRecord | None, values: dict[str, Any]) -> dict[str, Any]:
    """A product's data for `Pipeline.record`: as stored, with `values` (mark kind → value) applied."""
    data: dict[str, Any] = {}
    if record is not None:
        data |= {"lang": record.source_lang, "category": record.category} | record.attrs | record.fields
    data |= {kind.split(":", 1)[1]: value for kind, value in values.items()}
    return {k: v for k, v in data.items() if v is not None}


class _Commit:
    """The agent's share of a commit (CommitHook): the merged product, marks, processed id, and
    i18n.skipped when nothing was announced."""

    def __init__(self, agent: Translator, envelope: events.Envelope, record: ItemRecord, lang: str) -> None:
        self.agent, self.envelope, self.record, self.lang = agent, envelope, record, lang
        self.outcome = "translated"

    def before(self, session: Session) -> None:
        if self.envelope.type in PRODUCT_EVENTS:
            merged = self.agent.apply(session, self.envelope)
            if merged is not None and merged.fields != self.record.fields:
                raise Stale("the product's text changed while it was translated", again=True)
        ledger.record(session, self.agent.consumer(self.lang), self.envelope, self.outcome)

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
        served: list[str] | None = None,
    ) -> None:
        self.spec, self.dependencies, self.pipeline = spec, dependencies, pipeline
        self.settings, self.dedupe = settings, dedupe
        self.served = served or []  # every language some worker serves (agent.languages): for i18n.missing
        self.store: Store = pipeline.job.store
        self._told: set[str] = set()  # events whose traceback this process has logged

    def consumer(self, lang: str) -> str:
        return f"{self.spec.name}.{lang}"

    def queue(self, lang: str) -> str:
        return self.consumer(lang)

    def patterns(self) -> list[str]:
        return self.spec.subscribes or list(events.CONSUMED)

    # --- one event -----------------------------------------------------------------------------------

    async def handle(self, delivery: Delivery, lang: str) -> Outcome:
        env = delivery.envelope
        if env.type == UNREADABLE:  # not a tolk envelope at all: nothing to retry
            return self._give_up(env, lang, f"not a tolk event: {env.payload['error']}")
        try:
            events.validate(env)
        except InputError as exc:
            return self._give_up(env, lang, f"invalid {env.type} event: {exc}")
        try:
            return await self._handle(env, lang)
        except Unavailable as exc:  # the database went away: pause, not counted
            return Outcome("pause", f"database: {exc.orig}", self.settings.pause_s)
        except Exception as exc:  # a bug or data nothing can take (DataError too): one attempt
            return self._failed_try(env, lang, exc)

    async def _handle(self, env: events.Envelope, lang: str) -> Outcome:
        if self._already(self.consumer(lang), env):
            return ACK
        if env.type == "i18n.missing":
            return await self._missing(env, lang)
        return await self._product(env, lang)

    async def _missing(self, env: events.Envelope, lang: str) -> Outcome:
        asked = [str(x) for x in env.payload["languages"]]
        pid = str(env.payload["product_id"])
        if self.served and lang == self.served[0]:  # one consumer answers for languages nobody serves
            self._unserved(env, pid, [x for x in asked if x not in self.served])
        if lang not in asked:
            return ACK  # a request for other languages
        record = self.store.item_record(pid)
        if record is None:
            return self._fail(env, lang, "unknown product", dead=False)
        if record.source_lang == lang:
            return ACK
        return await self._translate(env, record, lang)

    async def _product(self, env: events.Envelope, lang: str) -> Outcome:
        pid = str(env.payload["id"])
        values = carried(env)
        with self.store.sessions() as session:
            seen = ledger.marks(session, pid)
        at = ledger.naive_utc(env.occurred_at)
        fresh = {k: v for k, v in values.items() if k not in seen or seen[k] <= at}
        if values and not fresh:  # decided before any engine call
            return self._skip_stale(env, pid, lang, f"a newer event for {pid} was applied first")
        if waiting := self._waiting_for(env, seen, at):
            return self._park(env, lang, waiting)
        stored = self.store.item_record(pid)
        record = self.pipeline.record(pid, _data(stored, fresh))
        if not record.fields:
            return self._no_text(env, lang, pid)
        if record.source_lang == lang:
            return ACK
        return await self._translate(env, record, lang)

    def apply(self, session: Session, env: events.Envelope) -> ItemRecord | None:
        """Merge a product event into the product as stored, inside the commit: each value only where
        its mark advances (the mark's row lock orders racing workers); None if nothing is stored yet
        and the event brought no text. Raises Stale when a text this event carries lost to a newer one."""
        pid = str(env.payload["id"])
        applied: dict[str, Any] = {}
        for kind, value in carried(env).items():
            if ledger.advance(self.store, session, pid, kind, env):
                applied[kind] = value
            elif kind.startswith("field:"):
                raise Stale(f"a newer event for {pid} was applied first")
        for kind in (env.type, ledger.source_kind(env.source)):
            ledger.advance(self.store, session, pid, kind, env)
        record = self.pipeline.record(pid, _data(self.store.item_record(pid, session), applied))
        self.store.save_items(session, [record])
        return record

    def _waiting_for(self, env: events.Envelope, seen: dict[str, Any], at: Any) -> str | None:
        """The dependency whose event about this product (at least as new) has not arrived yet. A
        dependency that declares what it publishes is heard through those event types; one that does
        not, through any event whose `source` is its name (the seed's registry declares none)."""
        for dep in self.dependencies:
            if dep.publishes:
                kinds = [k for k in PRODUCT_EVENTS if matches(k, dep.publishes)]
                if env.type in kinds:
                    return None  # this is the dependency's own event
                if not any(k in seen and seen[k] >= at for k in kinds):
                    return f"{dep.name} ({' or '.join(kinds) or 'no product event'})"
            else:
                if env.source == dep.name:
                    return None
                kind = ledger.source_kind(dep.name)
                if not (kind in seen and seen[kind] >= at):
                    return f"{dep.name} (an event from source {dep.name!r})"
        return None

    def _park(self, env: events.Envelope, lang: str, waiting: str) -> Outcome:
        waited = (now() - ledger.first_seen(self.store, self.consumer(lang), env.id)).total_seconds()
        if waited > self.settings.park_timeout_s:
            return self._give_up(env, lang, f"waited {waited:.0f} s for {waiting}; giving up")
        return Outcome("retry", f"waiting for {waiting}", self.settings.park_delay_s)

    def _no_text(self, env: events.Envelope, lang: str, pid: str) -> Outcome:
        """Nothing to translate: a classifier's event before the crawler's text is recorded (its marks
        and category wait for the text); a created or updated event with no text is a failure."""
        expected = ", ".join(self.pipeline.job.fields)
        try:
            with self.store.transaction() as session:
                self.apply(session, env)
                if env.type == "product.normalized":
                    ledger.record(session, self.consumer(lang), env, "recorded")
                    self.skipped(
                        session, pid, lang, "no text yet: recorded, translated when the text arrives"
                    )
                else:
                    ledger.record(session, self.consumer(lang), env, "failed")
                    self._failed(
                        session, pid, lang, f"{env.type} without text: no field among {expected}", env
                    )
        except Stale as exc:
            return self._skip_stale(env, pid, lang, str(exc))
        except Conflict:
            self._already(self.consumer(lang), env)
        return ACK

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
            if exc.again:
                return Outcome("retry", str(exc), RACE_RETRY_S)
            return self._skip_stale(env, record.id, lang, str(exc))
        except Conflict:  # another worker recorded this event id first (two copies in flight)
            await self._release(record, lang, claim)
            self._already(consumer, env)
            return ACK
        except Deferred as exc:
            await self._release(record, lang, claim)
            if exc.outage:
                return Outcome("pause", str(exc), self.settings.pause_s)
            n = ledger.add_attempt(self.store, consumer, env.id, str(exc))
            return Outcome("retry", f"try {n}: {exc}", self._backoff(n))
        except BaseException:
            await self._release(record, lang, claim)
            raise
        if self.dedupe and claim == "mine":
            await self.dedupe.done(record, lang)
        return ACK

    # --- failures ------------------------------------------------------------------------------------

    def _failed_try(self, env: events.Envelope, lang: str, exc: Exception) -> Outcome:
        """One attempt of the event failed: counted in SQL, retried with backoff, given up after
        `max_attempts`. The traceback is logged the first time only (a poison event is retried, its
        traceback is not repeated)."""
        n = ledger.add_attempt(self.store, self.consumer(lang), env.id, repr(exc))
        if env.id not in self._told and n == 1:
            if len(self._told) > 10_000:  # a bound on memory, not on correctness
                self._told.clear()
            self._told.add(env.id)
            log.exception("event %s (%s) failed in %s", env.id, env.type, self.consumer(lang))
        else:
            log.warning(
                "event %s (%s) failed again in %s (try %d): %r", env.id, env.type, self.consumer(lang), n, exc
            )
        if n >= self.settings.max_attempts:
            return self._give_up(env, lang, f"failed {n} times: {exc!r}")
        return Outcome("retry", f"try {n}: {exc!r}", self._backoff(n))

    def _give_up(self, env: events.Envelope, lang: str, why: str) -> Outcome:
        """Dead-letter the event, and say so: an i18n.failed naming it, recorded with the outcome."""
        return self._fail(env, lang, why, dead=True)

    def _fail(self, env: events.Envelope, lang: str, why: str, *, dead: bool) -> Outcome:
        """The event comes to nothing: recorded (`dead` or `failed`) with an i18n.failed naming it, in one
        transaction; dead-lettered on the bus, or acknowledged when retrying cannot help either."""
        pid = str(env.payload.get("id") or env.payload.get("product_id") or "")
        try:
            with self.store.transaction() as session:
                ledger.record(session, self.consumer(lang), env, "dead" if dead else "failed")
                self._failed(session, pid, lang, why, env)
        except Conflict:  # another worker settled it first
            self._already(self.consumer(lang), env)
            return ACK
        return Outcome("dead", why) if dead else ACK

    def _failed(self, session: Session, pid: str, lang: str, why: str, env: events.Envelope) -> None:
        body = {
            "product_id": pid,
            "lang": lang,
            "reason": why[:1000],
            "event_id": env.id,
            "event_type": env.type,
        }
        self.store.outbox_add(session, events.new("i18n.failed", body))

    def _unserved(self, env: events.Envelope, pid: str, langs: list[str]) -> None:
        """An i18n.missing for languages no worker serves: an i18n.failed each, not silence."""
        if not langs:
            return
        for lang in langs:  # recorded as that language's consumer would: once, and counted in reports
            why = f"no worker serves {lang} (agent.languages: {', '.join(self.served)})"
            try:
                with self.store.transaction() as session:
                    ledger.record(session, self.consumer(lang), env, "failed")
                    self._failed(session, pid, lang, why, env)
            except Conflict:
                continue  # answered already (a redelivery)

    # --- helpers -------------------------------------------------------------------------------------

    def _already(self, consumer: str, env: events.Envelope) -> bool:
        """A redelivery, or a copy published twice: one i18n.skipped per extra delivery, no effect."""
        with self.store.transaction() as session:
            if ledger.processed(session, consumer, env.id) is None:
                return False
            ledger.count_duplicate(session, consumer, env.id)
            product = str(env.payload.get("id") or env.payload.get("product_id") or "")
            lang = consumer.rsplit(".", 1)[1]
            self.skipped(session, product, lang, f"duplicate delivery of event {env.id}")
        return True

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
        except Conflict:
            self._already(self.consumer(lang), env)
        return ACK

    def skipped(self, session: Session, product_id: str, lang: str, why: str) -> None:
        body = {"product_id": product_id, "lang": lang, "reason": why}
        self.store.outbox_add(session, events.new("i18n.skipped", body))
