"""Building a translation job's parts from settings: engines, quality loop, cache, glossary, profile.

`tolk translate` and `tolk agent run` assemble the same way, so a catalog and an event translate alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tolk import glossary as glossary_mod
from tolk import profiles
from tolk.activity import Tally
from tolk.budget import Budget
from tolk.cache import Cache, open_cache
from tolk.config import Settings
from tolk.core import ConfigError
from tolk.engines import registry
from tolk.engines.base import Engine
from tolk.formality import Formality
from tolk.glossary import Glossary
from tolk.pipeline import Snippet, Translated, inline_glossary, translate_snippets
from tolk.pipeline.job import Job
from tolk.quality.base import FLAGGED
from tolk.quality.gate import Gate
from tolk.quality.judge import Assessor, LlmJudge, RoundTrip
from tolk.quality.loop import Loop
from tolk.store import activity, audit, ledger
from tolk.store.repo import Store

if TYPE_CHECKING:
    from tolk.telemetry import Telemetry


@dataclass
class Kit:
    engine: Engine
    loop: Loop
    cache: Cache
    glossary: Glossary
    profile: profiles.Profile
    store: Store  # texts without items still meet the store's rules (texts reviewers rejected)

    def job(
        self,
        s: Settings,
        *,
        path: Path | None = None,
        targets: Sequence[str] = (),
        source_lang: str | None = None,
        fields: Sequence[str] | None = None,
        origin: str = "translate",
        telemetry: Telemetry | None = None,
        budget: Budget | None = None,
        skip_bad: bool = False,
        chunk_size: int = 200,
        formality: str | None = None,
        required_in_whole: bool = False,
    ) -> Job:
        """The one set-up of a translation job, for every surface: these parts, the settings' rules, and
        what the caller brings (a catalog `path` for runs; none for the agent, API texts, documents)."""
        return Job(
            path=path,
            targets=list(targets),
            source_lang=source_lang or s.source_lang,
            fields=list(fields or ("name", "description")),
            engine=self.engine,
            store=self.store,
            cache=self.cache,
            glossary=self.glossary,
            profile=self.profile.name,
            domain=self.profile.domain,
            formality=Formality.parse(formality) if formality else self.formality(s),
            required_in_whole=required_in_whole,
            skip_bad=skip_bad,
            chunk_size=chunk_size,
            loop=self.loop,
            fuzzy_threshold=s.quality.fuzzy_threshold,
            invalidate_after_s=s.invalidate_after_s,
            events=writes_events(s, self.store, origin),
            origin=origin,
            budget=budget or Budget(),
            isolate=frozenset(s.privacy.isolate_fields),
            trusted_memory=frozenset(s.quality.trusted_memory),
            telemetry=telemetry,
        )

    def formality(self, s: Settings) -> Formality:
        """The register asked for by target language: the profile's, over the configuration's."""
        return self.profile.formality.over(Formality(s.formality))

    def engines(self) -> list[Engine]:
        """Every engine this kit calls: the drafter, the refiner and the assessors' engines."""
        return [self.engine, *(e for e in self.loop.engines() if e is not self.engine)]

    async def aclose(self) -> None:
        await self.engine.aclose()
        for engine in self.loop.engines():
            if engine is not self.engine:
                await engine.aclose()
        self.cache.close()


def writes_events(s: Settings, store: Store, origin: str) -> bool:
    """Whether a job writes its events to the outbox: always for the agent (it publishes them), else as
    `[events] outbox` says — "auto": when a worker will publish them (an [agent] table in the config,
    or an agent that has run against this store), so a laptop's runs do not pile up events nobody reads."""
    mode = s.events.outbox
    if origin == "agent" or mode == "on" or (s.webhooks and mode != "off"):  # subscribers wait for them
        return True
    return mode == "auto" and ("agent" in s.model_fields_set or ledger.any_worker(store))


def glossary_for(store: Store, profile: profiles.Profile, path: Path | None) -> Glossary:
    """The stored glossary, under the profile's, under the one given for this run."""
    terms = glossary_mod.load(path) if path else None
    if profile.glossary is not None:
        own = glossary_mod.load(profile.glossary)
        terms = own.merged(terms) if terms else own
    return store.glossary().merged(terms) if terms else store.glossary()


def kit(
    s: Settings,
    store: Store,
    *,
    engine: str | None = None,
    refine_engine: str | None = None,
    profile: str | None = None,
    glossary: Path | None = None,
) -> Kit:
    chosen = profiles.resolve(s, profile)
    merged = glossary_for(store, chosen, glossary)
    drafter = registry.build(s, s.pick_engine(engine))
    approve_with = chosen.approve_with if chosen.approve_with is not None else s.quality.approve_with
    loop = Loop(
        Gate.from_settings(s.quality, chosen.pass_score, chosen.disabled_checks),
        refiner_for(s, drafter, refine_engine),
        rounds=s.quality.rounds,
        mode=s.quality.refine,
        auto_approve=s.quality.auto_approve,
        domain=chosen.domain,
        profile=chosen,
        assessors=assessors(s),
        approve_with=frozenset(approve_with),
    )
    return Kit(drafter, loop, open_cache(s.cache, store, s.cache_ttl_s), merged, chosen, store)


def refiner_for(s: Settings, drafter: Engine, name: str | None) -> Engine | None:
    """The engine that corrects drafts: the one named, else the drafter if it can refine, else none
    (what fails then waits for a person instead of being translated again, blindly, at a price)."""
    name = name or s.quality.refine_engine
    if not name:
        return drafter if drafter.can_refine else None
    engine = registry.build(s, s.pick_engine(name))
    if not engine.can_refine:
        raise ConfigError(
            f"quality.refine_engine: engine {name!r} ({engine.kind}) cannot refine a draft; "
            'name a chat LLM (kind = "openai"), or leave it unset'
        )
    return engine


def assessors(s: Settings) -> tuple[Assessor, ...]:
    """Reference-free scorers the config asks for: round-trip and the LLM judge."""
    q, found = s.quality, list[Assessor]()
    if q.roundtrip_engine:
        found.append(RoundTrip(registry.build(s, s.pick_engine(q.roundtrip_engine)), q.min_roundtrip))
    if q.judge_engine:
        judge = registry.build(s, s.pick_engine(q.judge_engine))
        try:
            found.append(LlmJudge(judge, q.min_judge))
        except TypeError as exc:
            raise ConfigError(f"quality.judge_engine: {exc}") from None
    return tuple(found)


class Kits:
    """Kits per (engine, profile) asked for, built on first use and closed with their owner: the
    server's and a Python client's way to translate texts on request, metered and audited alike."""

    def __init__(self, settings: Settings, store: Store, telemetry: Telemetry) -> None:
        self.settings, self.store, self.telemetry = settings, store, telemetry
        self.built: dict[tuple[str | None, str | None], Kit] = {}

    def get(self, engine: str | None, profile: str | None) -> Kit:
        key = (engine, profile)
        if key not in self.built:
            built = kit(self.settings, self.store, engine=engine, profile=profile)
            self.telemetry.attach(*built.engines())
            self.built[key] = built
        return self.built[key]

    async def translate(
        self,
        texts: list[str],
        source: str,
        target: str,
        *,
        actor: str,
        origin: str,
        engine: str | None = None,
        profile: str | None = None,
        glossary: dict[str, str] | None = None,
        context: str | None = None,
        formality: str | None = None,
        sensitivity: str = "normal",
    ) -> list[Translated]:
        """Texts translated through the core (reuse, draft, judge), the engine calls recorded, the
        characters counted, the request audited. `context`: text around them the engine sees as a
        hint (never translated itself, not part of the cache key); `formality`: one for every text,
        over the configuration's (tolk.formality); `sensitivity` "sensitive" or "urgent": every text
        waits for a person."""
        chosen = self.get(engine, profile)
        extra = inline_glossary(glossary, target) if glossary else None
        hint = {"context": context} if context else {}
        if sensitivity != "normal":
            hint[FLAGGED] = f"sensitivity={sensitivity}"
        try:
            job = chosen.job(self.settings, origin=origin, telemetry=self.telemetry, formality=formality)
            done = await translate_snippets(job, [Snippet(t, hint) for t in texts], source, target, extra)
        finally:
            self.telemetry.flush(self.store)
        drafter = chosen.engine
        entry = audit.Entry(
            actor,
            "translate_request",
            lang=target,
            source_sha256=audit.sha256("\n".join(texts)),
            engine=drafter.name,
            model=drafter.model,
            prompt_version=drafter.prompt_version or None,
            detail=f"{len(texts)} texts from {source}",
        )
        with self.store.transaction() as session:  # the request's audit row and its characters together
            audit.record(session, entry)
            activity.record(session, Tally(origin, target, characters=sum(len(t) for t in texts)))
        return done

    async def aclose(self) -> None:
        for built in self.built.values():
            await built.aclose()
        self.built.clear()
