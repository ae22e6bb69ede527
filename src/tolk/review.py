"""A reviewer's actions on one translation, shared by the API, the web UI and the CLI.

edit       a person's text, graded HUMAN: no machine overwrites it, the memory learns it
approve    the text as it is, graded APPROVED
send back  back to the machines: the next run or the agent (an i18n.missing event) translates it anew;
           the text is rejected for its source — it leaves the memory and the cache, and if a machine
           gives it again it waits for a person ("same as rejected") instead of being published

Each action names the version it saw (a concurrent change is a Conflict, not a lost write) and commits
with its history line and activity counters. An edit or approval of machine text is also a reference
for that text: its BLEU against the person's version is what reports call "Average BLEU".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tolk import events
from tolk.activity import Tally
from tolk.cache import Cache
from tolk.config import PII_KINDS
from tolk.core import Grade, TolkError
from tolk.quality.metrics import score
from tolk.store import activity, audit
from tolk.store.repo import Store
from tolk.text.pii import PiiMasker

if TYPE_CHECKING:  # the rows the store returns, named for the checker
    from tolk.store.base import Session
    from tolk.store.models import HistoryEntry, Translation

Key = tuple[str, str, str]  # item id, field, language
_PERSONAL = PiiMasker.build(list(PII_KINDS))  # every detector, the default phone regions
SENT_BACK = "SENT_BACK"


class NotFound(TolkError):
    pass


class Conflict(TolkError):
    pass


def _current(store: Store, session: Session, key: Key) -> Translation:
    found = store.translation(session, *key)
    if found is None:
        raise NotFound(f"no translation of {key[0]}/{key[1]} into {key[2]}")
    return found


def _conflict(found: Translation) -> Conflict:
    return Conflict(f"the translation changed (now version {found.version}); reload and retry")


def _by_machine(t: Translation) -> bool:
    """Machine text (MACHINE, REWRITE, or approved by the gate): a reviewer's verdict on it is a reference."""
    return t.grade != Grade.HUMAN.value


def edit(store: Store, key: Key, text: str, version: int, actor: str) -> str:
    return _decide(store, key, version, actor, Grade.HUMAN, text)


def approve(store: Store, key: Key, version: int, actor: str) -> str:
    return _decide(store, key, version, actor, Grade.APPROVED, None)


def approve_as_shown(store: Store, key: Key, text: str, version: int, actor: str) -> str:
    """The reviewer approves what the form shows: the text as it was (APPROVED), or their edit of it —
    then the edited text is theirs (HUMAN); an edit is never dropped for the old machine text.
    Returns what happened: "approved" or "edited"."""
    return _decide(store, key, version, actor, Grade.APPROVED, text)


def _decide(store: Store, key: Key, version: int, actor: str, grade: Grade, text: str | None) -> str:
    """A person's text (`text`) or verdict on the current one: graded, remembered, counted. An approval
    of a changed text is an edit (decided on the row read in the write's own transaction)."""
    with store.transaction() as session:
        found = _current(store, session, key)
        before, machine = found.text, _by_machine(found)  # read before the write updates `found`
        if grade is Grade.APPROVED and text is not None:
            grade, text = (Grade.APPROVED, None) if text.strip() == before.strip() else (Grade.HUMAN, text)
        action = "edit" if grade is Grade.HUMAN else "approve"
        after = before if text is None else text
        learn = not _PERSONAL.mask(after).values  # the memory is shared: no one's personal data in it
        if not store.write_human(
            session, *key, after, grade=grade, expected_version=version, actor=actor, learn=learn
        ):
            raise _conflict(found)
        tally = Tally("review", key[2], edits=int(action == "edit"), approvals=int(action == "approve"))
        if machine:  # the reviewer's version is a reference for the machine's (an approval: itself)
            tally.add_bleu(score(before, after, key[2]).bleu if text is not None else 100.0)
        activity.remember_text(session, key, actor, action, after, grade.value)
        audit.record(session, _audit(actor, action, key, found, before, after))
        activity.record(session, tally)
    return "edited" if action == "edit" else "approved"


def send_back(store: Store, key: Key, version: int, actor: str, cache: Cache | None = None) -> None:
    """Forget the cached text and ask for a new machine translation; the current text stays visible."""
    item_id, _, lang = key
    with store.transaction() as session:
        found = _current(store, session, key)
        stale_key = found.cache_key
        if not store.send_back(session, found.id, version, SENT_BACK):
            raise _conflict(found)
        source_lang = store.source_lang(session, item_id)
        if source_lang is not None:
            store.reject(session, source_lang, lang, found.source_hash, found.text, actor)
        store.outbox_add(session, events.new("i18n.missing", {"product_id": item_id, "languages": [lang]}))
        activity.remember_text(session, key, actor, "send_back", None, Grade.MACHINE.value)
        audit.record(session, _audit(actor, "send_back", key, found, found.text, found.text))
        activity.record(session, Tally("review", lang, sent_back=1))
    if stale_key:  # the store's own cache table always; a shared cache (Redis) where one is given
        store.cache_delete([stale_key])
        if cache is not None:
            cache.forget([stale_key])


def _audit(actor: str, action: str, key: Key, t: Translation, before: str, after: str) -> audit.Entry:
    # reviewers act through the API or the web UI, always with a token: its name is the actor
    return audit.Entry(
        f"token:{actor}",
        action,
        key[0],
        key[1],
        key[2],
        engine=t.engine,
        model=t.model,
        before_sha256=audit.sha256(before),
        after_sha256=audit.sha256(after),
    )


def history(store: Store, key: Key) -> list[HistoryEntry]:
    return store.history(*key)
