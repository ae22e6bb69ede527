"""The store's errors by what they mean to a caller, so no caller above store/ names the driver's or
SQLAlchemy's classes."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from tolk.store.base import _one_line

Conflict = IntegrityError  # a row another writer recorded first (a unique key taken): decided elsewhere
Unavailable = (OperationalError, InterfaceError)  # the database went away or refused the connection

__all__ = ["Conflict", "Unavailable", "refusal"]


def refusal(exc: BaseException) -> str | None:
    """One line for an error the database raised, without the statement or its parameters (they hold
    source texts); None for any other error."""
    if not isinstance(exc, DBAPIError):
        return None
    return "the store refused: " + _one_line(exc.orig)
