"""API tokens and web sessions, by hash: the store never holds a token or a session secret in clear.
tolk.api.auth makes the secrets and decides who may do what; this module keeps the rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from tolk.core import now
from tolk.store.base import Session, _rowcount
from tolk.store.models import ApiToken, WebSession
from tolk.store.repo import Store

__all__ = ["ApiToken", "add", "close_session", "every", "live", "open_session", "revoke", "session_owner"]

Owner = tuple[str, str, tuple[str, ...]]  # name, role, languages (empty: every language)


def add(store: Store, name: str, role: str, langs: list[str], prefix: str, token_hash: str) -> None:
    with store.transaction() as session:
        session.add(
            ApiToken(name=name, role=role, langs=langs, prefix=prefix, hash=token_hash, created_at=now())
        )


def every(store: Store) -> list[ApiToken]:
    with store.sessions() as session:
        return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke(store: Store, token_id: int) -> bool:
    with store.transaction() as session:
        stmt = update(ApiToken).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        return _rowcount(session.execute(stmt.values(revoked_at=now()))) == 1


def _live_row(session: Session, token_hash: str) -> ApiToken | None:
    stmt = select(ApiToken).where(ApiToken.hash == token_hash, ApiToken.revoked_at.is_(None))
    return session.scalars(stmt).first()


def live(store: Store, token_hash: str) -> Owner | None:
    """The owner of a live (not revoked) token, its use noted; None if there is none."""
    with store.transaction() as session:
        row = _live_row(session, token_hash)
        if row is None:
            return None
        row.last_used_at = now()
        return row.name, row.role, tuple(row.langs or ())


def open_session(store: Store, token_hash: str, session_hash: str, expires_at: datetime) -> bool:
    """A web session for a live token (expired sessions are swept here); False if the token is not live."""
    with store.transaction() as session:
        row = _live_row(session, token_hash)
        if row is None:
            return False
        session.execute(delete(WebSession).where(WebSession.expires_at < now()))
        session.add(WebSession(id=session_hash, token_id=row.id, created_at=now(), expires_at=expires_at))
        return True


def session_owner(store: Store, session_hash: str) -> Owner | None:
    """Whose a web session is, while it and its token live."""
    with store.sessions() as session:
        row = session.execute(
            select(ApiToken)
            .join(WebSession, WebSession.token_id == ApiToken.id)
            .where(
                WebSession.id == session_hash, WebSession.expires_at > now(), ApiToken.revoked_at.is_(None)
            )
        ).scalar_one_or_none()
        return (row.name, row.role, tuple(row.langs or ())) if row else None


def close_session(store: Store, session_hash: str) -> None:
    with store.transaction() as session:
        session.execute(delete(WebSession).where(WebSession.id == session_hash))
