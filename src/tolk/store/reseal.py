"""`tolk keys rotate`: every sealed value re-sealed with the first key, and every sensitive field's text
that is still plain (stored before the field was named sensitive) sealed — and forgotten by the shared
cache and the translation memory, which keep text unsealed and show it to other items.

Rows go in chunks, one transaction each; running it again is harmless (a value sealed with the first
key is sealed again, a plain one only once), so an interrupted rotation is finished by rerunning it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import JSON, Text, bindparam, delete, literal, or_, select, tuple_, type_coerce, update
from sqlalchemy.orm import InstrumentedAttribute

from tolk.store.conversations import FIELD as CONVERSATION
from tolk.store.models import ConversationTurn, HistoryEntry, Item, MemoryUnit, SourceField, Translation
from tolk.store.repo import Store, _rowcount
from tolk.vault import PREFIX, Vault

CHUNK = 500


class Cache(Protocol):
    """What a rotation needs of the shared cache (tolk.cache's caches have it): the store defines the
    door it uses, so persistence does not import the layer above it."""

    def get_many(self, keys: Sequence[str]) -> Mapping[str, object]: ...
    def forget(self, keys: Sequence[str]) -> None: ...


@dataclass
class Resealed:
    rotated: int = 0  # sealed values re-sealed with the first key
    sealed: int = 0  # plain values of sensitive fields sealed for the first time
    forgotten: int = 0  # cache entries and memory units of sensitive text dropped


# (table, primary-key columns, text columns, the field the texts belong to: a column or one name)
_TEXTS: list[tuple[type[Any], tuple[str, ...], tuple[str, ...], Any]] = [
    (SourceField, ("item_id", "field"), ("text",), SourceField.field),
    (Translation, ("id",), ("text", "suggestion"), Translation.field),
    (HistoryEntry, ("id",), ("text",), HistoryEntry.field),
    (ConversationTurn, ("id",), ("text", "translated", "back_translation"), literal(CONVERSATION)),
]


def reseal(store: Store, cache: Cache) -> Resealed:
    box, done = store.vault, Resealed()
    if not box.keyed:
        return done
    for model, keys, columns, field in _TEXTS:
        for column in columns:
            _texts(store, box, model, keys, column, field, done)
    _attrs(store, box, done)
    _forget_shared(store, cache, done)
    return done


def _forget_shared(store: Store, cache: Cache, done: Resealed) -> None:
    sensitive = sorted(store.vault.fields)
    with store.transaction() as session:
        keys = (
            session.execute(
                select(Translation.cache_key)
                .distinct()
                .where(Translation.field.in_(sensitive), Translation.cache_key.is_not(None))
            )
            .scalars()
            .all()
        )
        hashes = select(SourceField.source_hash).where(SourceField.field.in_(sensitive))
        dropped = session.execute(delete(MemoryUnit).where(MemoryUnit.source_hash.in_(hashes)))
        done.forgotten += _rowcount(dropped)
    found = cache.get_many([k for k in keys if k])
    cache.forget(list(found))
    done.forgotten += len(found)


def _texts(
    store: Store, box: Vault, model: type[Any], keys: Sequence[str], column: str, field: Any, done: Resealed
) -> None:
    raw = type_coerce(getattr(model, column), Text)  # the stored value, not the opened one
    pks = [getattr(model, k) for k in keys]
    wanted = or_(raw.startswith(PREFIX), field.in_(sorted(box.fields)))
    with store.sessions() as session:
        targets = [tuple(r) for r in session.execute(select(*pks).where(wanted, raw.is_not(None)))]
    table = model.__table__
    change = update(table).where(*(table.c[k] == bindparam(f"k_{k}") for k in keys))
    change = change.values({column: bindparam("v_value", type_=Text())})
    for chunk in _chunks(targets):
        rows = []
        with store.transaction() as session:
            found = session.execute(select(*pks, field, raw).where(_any_of(pks, chunk))).all()
            for *key, name, value in found:
                new = _resealed(box, name, value, done)
                rows.append({f"k_{k}": v for k, v in zip(keys, key, strict=True)} | {"v_value": new})
            if rows:
                session.execute(change, rows)


def _attrs(store: Store, box: Vault, done: Resealed) -> None:
    raw = type_coerce(Item.attrs, JSON)
    with store.sessions() as session:
        ids = [(r[0],) for r in session.execute(select(Item.id))]
    for chunk in _chunks(ids):
        with store.transaction() as session:
            for item_id, attrs in session.execute(select(Item.id, raw).where(_any_of([Item.id], chunk))):
                if not isinstance(attrs, dict):
                    continue
                new = {k: _resealed(box, k, v, done) if isinstance(v, str) else v for k, v in attrs.items()}
                if new != attrs:
                    session.execute(update(Item).where(Item.id == item_id).values(attrs=new))


def _resealed(box: Vault, field: str, value: str, done: Resealed) -> str:
    if value.startswith(PREFIX):
        done.rotated += 1
        return box.rotate(value)
    if box.sensitive(field):
        done.sealed += 1
        return box.seal(field, value)
    return value


def _any_of(pks: Sequence[InstrumentedAttribute[Any]], chunk: Sequence[tuple[Any, ...]]) -> Any:
    if len(pks) == 1:
        return pks[0].in_([k[0] for k in chunk])
    return tuple_(*pks).in_(chunk)


def _chunks(rows: list[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]
