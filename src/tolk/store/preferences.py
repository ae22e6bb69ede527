"""Chat users' languages (tolk.ops.slack): set with `/tolk lang ko`, read for every translation."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select

from tolk.store.models import ChatPreference, now
from tolk.store.repo import Store


def language_of(store: Store, platform: str, user_id: str) -> str | None:
    with store.sessions() as session:
        row = session.get(ChatPreference, (platform, user_id))
        return row.lang if row is not None else None


def languages_of(store: Store, platform: str, user_ids: Iterable[str]) -> dict[str, str]:
    wanted = list(user_ids)
    if not wanted:
        return {}
    with store.sessions() as session:
        stmt = select(ChatPreference.user_id, ChatPreference.lang).where(
            ChatPreference.platform == platform, ChatPreference.user_id.in_(wanted)
        )
        return {user: lang for user, lang in session.execute(stmt)}


def set_language(store: Store, platform: str, user_id: str, lang: str | None) -> None:
    """`lang` None forgets the user's choice."""
    with store.transaction() as session:
        session.execute(
            delete(ChatPreference).where(
                ChatPreference.platform == platform, ChatPreference.user_id == user_id
            )
        )
        if lang is not None:
            session.add(ChatPreference(platform=platform, user_id=user_id, lang=lang, updated_at=now()))
