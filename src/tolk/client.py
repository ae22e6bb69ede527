"""tolk as a Python library: the same core as the CLI and the API, without a shell or a server.

    >>> import tolk
    >>> tolk.translate("The red shoes are cheap.", to="es", source="en", engine="apertium").text
    'Los zapatos rojos son baratos.'

`tolk.translate`, `tolk.check` and `tolk.translate_catalog` work without the caller touching asyncio
(inside a running event loop too: a notebook); `tolk.atranslate` is for async code. Each call goes
through the gate, the glossary, memory, cache, audit and metering like a request to `tolk serve`, and
reads its settings as the CLI does (`config=`, else $TOLK_CONFIG, else ./tolk.toml).

A `Client` keeps one configuration's store and engines open between calls, on an event loop of its
own (a thread): engines hold processes and connections of one loop, so every call, synchronous or
not, runs there, and an async caller awaits it without blocking its own loop. The module-level
functions use one `Client` per configuration, closed when the interpreter exits.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
from collections.abc import Coroutine, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

from tolk import assemble, languages
from tolk import formality as formality_mod
from tolk.config import Settings, load
from tolk.pipeline import Translated
from tolk.store.conversations import Message
from tolk.store.repo import Store
from tolk.telemetry import Telemetry

if TYPE_CHECKING:
    from tolk.quality.policy import Verdict

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Translation:
    """One text's translation and what the gate decided about it."""

    text: str
    source: str  # the text it translates
    to: str
    grade: str  # MACHINE, REWRITE, APPROVED, HUMAN
    status: str  # CHECKED, APPROVED, NEEDS_REVIEW, PENDING_APPROVAL, FAILED
    score: float
    failed: list[str] = field(default_factory=list)  # the checks it failed; empty when it passed
    detected_source: str | None = None  # the source's language, where it was found (source "auto")
    approved_by: str | None = None

    @property
    def publishable(self) -> bool:
        """May go out as a translation: the gate passed it and the engine answered."""
        return self.status in {"CHECKED", "APPROVED"}

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Check:
    """The gate's verdict on a translation a caller already has."""

    score: float
    decision: str  # pass, rewrite, review
    failed: list[str]
    findings: list[dict[str, object]]
    gate: str  # the gate's signature: what the score was measured with

    @property
    def passed(self) -> bool:
        return self.decision == "pass"


class Client:
    """One configuration's store and engines, open between calls.

    with tolk.Client(config="tolk.toml") as client:
        client.translate(["Red shoes", "Blue socks"], to="es")
    """

    def __init__(self, config: str | Path | Settings | None = None, *, db: str | None = None) -> None:
        self.settings = config if isinstance(config, Settings) else load(config, db=db)
        self._store: Store | None = None
        self._kits: assemble.Kits | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the one the synchronous calls run on
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.settings.store, vault=self.settings.encryption.vault())
        return self._store

    # --- translating -------------------------------------------------------------------------------

    @overload
    async def atranslate(  # type: ignore[overload-overlap]  # a str is a Sequence[str] too
        self,
        texts: str,
        to: str,
        *,
        source: str | None = ...,
        engine: str | None = ...,
        glossary: dict[str, str] | None = ...,
        profile: str | None = ...,
        formality: str | None = ...,
        sensitivity: str = ...,
    ) -> Translation: ...
    @overload
    async def atranslate(
        self,
        texts: Sequence[str],
        to: str,
        *,
        source: str | None = ...,
        engine: str | None = ...,
        glossary: dict[str, str] | None = ...,
        profile: str | None = ...,
        formality: str | None = ...,
        sensitivity: str = ...,
    ) -> list[Translation]: ...
    async def atranslate(
        self,
        texts: str | Sequence[str],
        to: str,
        *,
        source: str | None = None,
        engine: str | None = None,
        glossary: dict[str, str] | None = None,
        profile: str | None = None,
        formality: str | None = None,
        sensitivity: str = "normal",
    ) -> Translation | list[Translation]:
        """Translate one text (returns a Translation) or several (a list, in order). `source`: the
        texts' language; None or "auto" finds each text's. `glossary`: terms for this call
        (`{"Nike": "Nike"}` keeps a term as it is). `sensitivity` "sensitive" or "urgent": every text
        waits for a person (status NEEDS_REVIEW), whatever its score."""
        work = self._translate(texts, to, source, engine, glossary, profile, formality, sensitivity)
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self._own_loop()))

    async def _translate(
        self,
        texts: str | Sequence[str],
        to: str,
        source: str | None,
        engine: str | None,
        glossary: dict[str, str] | None,
        profile: str | None,
        formality: str | None,
        sensitivity: str,
    ) -> Translation | list[Translation]:
        batch = [texts] if isinstance(texts, str) else list(texts)
        if not batch:
            return []
        target = languages.normalize(to)
        src = languages.normalize(source or languages.AUTO, allow_auto=True)
        done = await self.kits.translate(
            batch,
            src,
            target,
            actor="python",
            origin="python",
            engine=engine,
            profile=profile,
            glossary=glossary,
            formality=formality,
            sensitivity=_sensitivity(sensitivity),
        )
        out = [_translation(text, target, t) for text, t in zip(batch, done, strict=True)]
        return out[0] if isinstance(texts, str) else out

    @overload
    def translate(  # type: ignore[overload-overlap]  # a str is a Sequence[str] too
        self,
        texts: str,
        to: str,
        *,
        source: str | None = ...,
        engine: str | None = ...,
        glossary: dict[str, str] | None = ...,
        profile: str | None = ...,
        formality: str | None = ...,
        sensitivity: str = ...,
    ) -> Translation: ...
    @overload
    def translate(
        self,
        texts: Sequence[str],
        to: str,
        *,
        source: str | None = ...,
        engine: str | None = ...,
        glossary: dict[str, str] | None = ...,
        profile: str | None = ...,
        formality: str | None = ...,
        sensitivity: str = ...,
    ) -> list[Translation]: ...
    def translate(
        self,
        texts: str | Sequence[str],
        to: str,
        *,
        source: str | None = None,
        engine: str | None = None,
        glossary: dict[str, str] | None = None,
        profile: str | None = None,
        formality: str | None = None,
        sensitivity: str = "normal",
    ) -> Translation | list[Translation]:
        """`atranslate`, for code that is not async."""
        return self._run(
            self._translate(texts, to, source, engine, glossary, profile, formality, sensitivity)
        )

    def check(
        self,
        source: str,
        translation: str,
        *,
        to: str,
        source_lang: str = "en",
        profile: str | None = None,
        formality: str | None = None,
    ) -> Check:
        """The gate's rule checks on a translation made elsewhere (no engine is called); `formality`:
        the register it should speak in (default: the configuration's for `to`)."""
        from tolk.quality.base import Sample

        kit = self.kits.get(None, profile)
        target = languages.normalize(to)
        register = (
            formality_mod.check(formality) if formality else kit.formality(self.settings).target(target)
        )
        src, p = languages.normalize(source_lang), kit.profile
        sample = Sample(
            source,
            translation,
            src,
            target,
            required_terms=p.required(target),
            forbidden_terms=p.forbidden(target),
            sensitive_terms=p.sensitive(src),
            formality=register,
        )
        verdict: Verdict = kit.loop.gate.judge(sample)
        return Check(
            score=verdict.score,
            decision=verdict.decision.value,
            failed=list(verdict.failed),
            findings=[f.as_dict() for f in verdict.findings],
            gate=str(kit.loop.signature),
        )

    def translate_catalog(
        self,
        path: str | Path,
        to: str | Sequence[str],
        *,
        source: str | None = None,
        engine: str | None = None,
        profile: str | None = None,
        formality: str | None = None,
        fields: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """A catalog file (JSONL, CSV, JSON…) into the store, as `tolk translate` does it; returns the
        run's summary (items, translated, failures, grades, spend …). `tolk export` reads it back."""
        from tolk.budget import Budget
        from tolk.pipeline import Pipeline

        targets = languages.parse_list(to) if isinstance(to, str) else [languages.normalize(t) for t in to]
        src = languages.normalize(source or self.settings.source_lang, allow_auto=True)
        kit = self.kits.get(engine, profile)
        job = kit.job(
            self.settings,
            path=Path(path),
            targets=targets,
            source_lang=src,
            fields=list(fields) if fields else None,
            origin="python",
            telemetry=self.kits.telemetry,
            budget=Budget(self.settings.budget.per_run, self.settings.budget.per_day),
            formality=formality,
        )
        summary = self._run(Pipeline(job).run())
        return summary.as_dict()

    # --- support conversations -----------------------------------------------------------------------

    def conversation(
        self,
        agent_lang: str | None = None,
        *,
        id: str | None = None,  # the conversation's id, as the API names it
        customer_lang: str | None = None,
        profile: str | None = None,
        engine: str | None = None,
        subject: str | None = None,
    ) -> Conversation:
        """A new support conversation (`agent_lang`: the support agent's language), or an open one
        again by its `id`; see Conversation."""
        from tolk.conversations import Conversations

        talks = Conversations(self.kits)
        if id is not None:
            opened, _ = talks.get(id)
        elif agent_lang is None:
            raise ValueError("give agent_lang for a new conversation, or id for an open one")
        else:
            opened = talks.open(
                agent_lang,
                "python",
                customer_lang=customer_lang,
                profile=profile,
                engine=engine,
                subject=subject,
            )
        return Conversation(self, opened.id)

    # --- the machinery -------------------------------------------------------------------------------

    @property
    def kits(self) -> assemble.Kits:
        with self._lock:
            if self._kits is None:  # engine calls land in the store: reports and the dashboard count them
                self._kits = assemble.Kits(self.settings, self.store, Telemetry())
            return self._kits

    def _own_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=self._loop.run_forever, name="tolk", daemon=True)
                self._thread.start()
            return self._loop

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        """A coroutine to its end on this client's loop: a caller inside a running loop (a notebook)
        can call it too, and the engines live between calls."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(work, self._own_loop())
        return future.result()

    def close(self) -> None:
        """Close the engines (processes, connections) and the store."""
        if self._loop is not None:
            if self._kits is not None:
                asyncio.run_coroutine_threadsafe(self._kits.aclose(), self._loop).result()
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join()
            self._loop.close()
            self._loop = None
        self._kits = None
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Conversation:
    """A customer and a support agent who share no language (tolk.conversations): each message is
    translated for the other side with the last turns as context; an agent's reply comes back with
    its back-translation, and is `held` (not to be sent) when the gate does not pass it.

        talk = client.conversation("en")
        talk.customer("배송이 아직 안 왔어요").text   # → in English, talk.customer_lang == "ko"
        reply = talk.agent("It ships tomorrow.")   # reply.text in Korean, reply.back_translation
    """

    def __init__(self, client: Client, conversation_id: str) -> None:
        from tolk.conversations import Conversations

        self.id, self._client, self._talks = conversation_id, client, Conversations(client.kits)

    def customer(self, text: str) -> Message:
        """A customer's message: its language found, translated into the agent's."""
        return self._client._run(self._talks.post(self.id, "customer", text, "python"))

    def agent(self, text: str, *, sensitivity: str = "normal") -> Message:
        """An agent's reply: translated into the customer's language and back; `held` when the gate
        (or `sensitivity` sensitive/urgent) keeps it for a person."""
        work = self._talks.post(self.id, "agent", text, "python", sensitivity=_sensitivity(sensitivity))
        return self._client._run(work)

    def release(self, message_id: int, *, by: str = "python") -> Message:
        """A held reply let out by the person named `by`, who read it."""
        return self._talks.release(self.id, message_id, by)

    @property
    def messages(self) -> list[Message]:
        return self._talks.get(self.id)[1]

    @property
    def customer_lang(self) -> str | None:
        return self._talks.get(self.id)[0].customer_lang


def _translation(source: str, target: str, t: Translated) -> Translation:
    return Translation(
        text=t.text,
        source=source,
        to=target,
        grade=t.grade,
        status=t.status or "APPROVED",
        score=t.score,
        failed=list(t.failed),
        detected_source=t.detected_source,
        approved_by=t.approved_by,
    )


# --- the module-level functions: one Client per configuration ------------------------------------------

_CLIENTS: dict[tuple[str, str | None], Client] = {}


def client(config: str | Path | None = None, *, db: str | None = None) -> Client:
    """The shared Client for a configuration (built on first use, closed at exit)."""
    key = (str(config or ""), db)
    if key not in _CLIENTS:
        _CLIENTS[key] = Client(config, db=db)
    return _CLIENTS[key]


@atexit.register
def _close_all() -> None:
    for c in _CLIENTS.values():
        c.close()
    _CLIENTS.clear()


def _sensitivity(value: str) -> str:
    if value not in ("normal", "sensitive", "urgent"):
        raise ValueError(f"sensitivity {value!r} is not one of normal, sensitive, urgent")
    return value


def translate(
    texts: str | Sequence[str],
    to: str,
    *,
    source: str | None = None,
    engine: str | None = None,
    glossary: dict[str, str] | None = None,
    profile: str | None = None,
    formality: str | None = None,
    sensitivity: str = "normal",
    config: str | Path | None = None,
) -> Any:
    """Translate one text (a Translation) or several (a list). See `Client.atranslate`."""
    return client(config).translate(
        texts,
        to,
        source=source,
        engine=engine,
        glossary=glossary,
        profile=profile,
        formality=formality,
        sensitivity=sensitivity,
    )


async def atranslate(
    texts: str | Sequence[str],
    to: str,
    *,
    source: str | None = None,
    engine: str | None = None,
    glossary: dict[str, str] | None = None,
    profile: str | None = None,
    formality: str | None = None,
    sensitivity: str = "normal",
    config: str | Path | None = None,
) -> Any:
    """`translate` for async code: runs on the caller's event loop."""
    return await client(config).atranslate(
        texts,
        to,
        source=source,
        engine=engine,
        glossary=glossary,
        profile=profile,
        formality=formality,
        sensitivity=sensitivity,
    )


def check(
    source: str,
    translation: str,
    *,
    to: str,
    source_lang: str = "en",
    profile: str | None = None,
    formality: str | None = None,
    config: str | Path | None = None,
) -> Check:
    """The gate's checks on a translation made elsewhere. See `Client.check`."""
    return client(config).check(
        source, translation, to=to, source_lang=source_lang, profile=profile, formality=formality
    )


def translate_catalog(
    path: str | Path,
    to: str | Sequence[str],
    *,
    source: str | None = None,
    engine: str | None = None,
    profile: str | None = None,
    formality: str | None = None,
    fields: Sequence[str] | None = None,
    config: str | Path | None = None,
    db: str | None = None,
) -> dict[str, Any]:
    """A catalog file into the store, as `tolk translate` does it. See `Client.translate_catalog`."""
    return client(config, db=db).translate_catalog(
        path, to, source=source, engine=engine, profile=profile, formality=formality, fields=fields
    )
