"""The store's foundation: one SQL database (SQLite by default, WAL with synchronous=FULL; PostgreSQL;
MariaDB/MySQL), its migrations under a lock, sessions and the dialect's insert-or-ignore. The table
groups' doors (store/translations.py, store/knowledge.py, store/outbox.py) build on it; `Store` in
store/repo.py is all of them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session as Session  # re-exported: a transaction, in callers' types
from sqlalchemy.orm import sessionmaker

from tolk.core import InputError, TolkError
from tolk.store.migrations import HEAD
from tolk.vault import NO_VAULT, Vault, attach

if sys.platform != "win32":
    import fcntl

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK_KEY = 0x746F6C6B  # "tolk": the PostgreSQL advisory lock migrations hold


def _one_line(error: object) -> str:
    """A driver's message (psycopg adds a hint on a second line) as one line."""
    return " ".join(str(error).split())


def _rowcount(result: Any) -> int:
    """Rows an UPDATE matched (MySQL dialects are set to report matched, not changed, rows)."""
    count: int = result.rowcount
    return count


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite store URL (or a bare path) names; None for a server or an in-memory database."""
    parsed = make_url(_normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database))


def _normalise_url(url: str) -> str:
    if "://" not in url:  # a bare path means a SQLite file
        return f"sqlite:///{url}"
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith(("mysql://", "mariadb://")):
        return "mysql+pymysql://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # the wait first: switching a new file to WAL takes a lock too, and processes opening one store at
    # the same instant (workers starting together) must queue for it, not fail at once
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.close()


class StoreBase:
    """Connection, schema and transactions: what every table group's methods stand on."""

    def __init__(self, url: str, *, migrate: bool = True, vault: Vault = NO_VAULT) -> None:
        self.url = _normalise_url(url)
        self.vault = vault
        try:
            parsed = make_url(self.url)
        except ArgumentError:
            raise InputError(f"--db: not a database URL: {url!r}") from None
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"timeout": 30}
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        elif self.dialect == "mysql":
            kwargs["connect_args"] = {"charset": "utf8mb4"}
        try:
            self.engine: Engine = create_engine(self.url, **kwargs)
        except ModuleNotFoundError as exc:
            raise TolkError(
                f"the driver for {self.dialect} is not installed ({exc.name}); "
                "pip install 'tolk[postgres]' or 'tolk[mysql]'"
            ) from None
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        attach(self.engine.dialect, vault)  # every reader of a sealed column opens it with this vault
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            self.migrate()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (a cheap check when it already is). Under a lock, so
        that workers starting at the same instant on an empty database migrate it once. SQLite's first
        look is under the lock too: a new file's first connection switches it to WAL, and a second
        process connecting during that switch can get "database is locked" without SQLite's busy
        wait (seen with four processes opening one new file at once)."""
        if self.dialect != "sqlite" and self.schema_revision() == HEAD:
            return
        try:
            with self._migration_lock():
                if self.schema_revision() == HEAD:  # another process migrated while we waited
                    return
                from alembic import command
                from alembic.config import Config

                cfg = Config()
                cfg.set_main_option("script_location", str(MIGRATIONS))
                with self.engine.begin() as conn:
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
        except OperationalError as exc:
            raise TolkError(f"cannot open database {self.safe_url}: {_one_line(exc.orig)}") from None

    @contextmanager
    def _migration_lock(self) -> Iterator[None]:
        """PostgreSQL: an advisory lock; MariaDB/MySQL: GET_LOCK; SQLite: flock on the database's folder.
        Not on the database file: closing any descriptor of it would drop the process's POSIX locks
        that SQLite holds on it (and corrupt it under concurrency)."""
        if self.dialect == "sqlite":
            database = make_url(self.url).database
            if not database or database == ":memory:" or sys.platform == "win32":
                yield
                return
            folder = os.open(Path(database).resolve().parent, os.O_RDONLY)
            try:
                fcntl.flock(folder, fcntl.LOCK_EX)
                yield
            finally:
                os.close(folder)  # releases the flock
            return
        take, give = {
            "postgresql": ("SELECT pg_advisory_lock(:key)", "SELECT pg_advisory_unlock(:key)"),
            "mysql": ("SELECT GET_LOCK(:name, 600)", "SELECT RELEASE_LOCK(:name)"),
        }.get(self.dialect, ("", ""))
        if not take:
            yield
            return
        args = {"key": MIGRATION_LOCK_KEY, "name": "tolk-migrate"}
        with self.engine.connect() as conn:  # a session lock on a connection of its own
            conn.execute(text(take), args)
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text(give), args)
                conn.commit()

    def schema_revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    return None
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except OperationalError as exc:
            raise TolkError(f"cannot open database {self.safe_url}: {_one_line(exc.orig)}") from None

    @property
    def safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def ping(self) -> None:
        """One round trip to the database (readiness): raises when it does not answer."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.sessions.begin() as session:
            yield session

    def insert_ignore(self, table: Any) -> Any:
        if self.dialect == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        if self.dialect == "mysql":
            return mysql.insert(table).prefix_with("IGNORE")
        return sqlite.insert(table).on_conflict_do_nothing()
