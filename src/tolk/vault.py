"""Encryption at rest for the fields a deployment names sensitive (seller notes, support messages).

A sensitive field's text is sealed with Fernet (AES-128-CBC + HMAC-SHA256) wherever tolk stores it —
the source text, every translation and suggestion, the history of edits, and (for fields kept as
attributes) the item's attribute — and is never put in the shared cache or the translation memory,
which other items read. Keys come from `[encryption] keys`, newest first (MultiFernet): a value sealed
with any listed key opens; `tolk keys rotate` re-seals every value with the first key, after which
older keys can be dropped.

Sealed values carry a prefix, so a column holds both kinds and readers need not know which fields are
sensitive: the column types open sealed values with the vault that the store attached to its
SQLAlchemy dialect (one per database engine, so two stores with different keys do not mix).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from tolk.core import ConfigError, TolkError

PREFIX = "tolk-fernet:"


class Vault:
    def __init__(self, keys: Sequence[str] = (), fields: Iterable[str] = ()) -> None:
        self.fields = frozenset(fields)
        ciphers = []
        for n, key in enumerate(keys, 1):
            try:
                ciphers.append(Fernet(key.encode()))
            except ValueError:
                raise ConfigError(
                    f"encryption.keys: key {n} is not a Fernet key (32 url-safe base64 bytes; "
                    "make one with `tolk keys new`)"
                ) from None
        if self.fields and not ciphers:
            raise ConfigError(
                'encryption.fields are set but no key is: set encryption.keys (e.g. "${TOLK_FERNET_KEY}")'
            )
        self._fernet = MultiFernet(ciphers) if ciphers else None

    def sensitive(self, field: str | None) -> bool:
        return field in self.fields

    def seal(self, field: str | None, text: str) -> str:
        """`text` as stored: sealed when `field` is sensitive (and not sealed already)."""
        if not self.sensitive(field) or text.startswith(PREFIX) or self._fernet is None:
            return text
        return PREFIX + self._fernet.encrypt(text.encode()).decode()

    def seal_attrs(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {k: self.seal(k, v) if isinstance(v, str) else v for k, v in attrs.items()}

    def open(self, value: str) -> str:
        if not value.startswith(PREFIX):
            return value
        if self._fernet is None:
            raise TolkError("the database holds encrypted text and no key is configured: set encryption.keys")
        try:
            return self._fernet.decrypt(value.removeprefix(PREFIX).encode()).decode()
        except InvalidToken:
            raise TolkError(
                "encrypted text does not open with any of encryption.keys (was a key dropped before "
                "`tolk keys rotate`?)"
            ) from None

    def rotate(self, value: str) -> str:
        """A sealed value re-sealed with the first key."""
        assert self._fernet is not None and value.startswith(PREFIX)
        try:
            return PREFIX + self._fernet.rotate(value.removeprefix(PREFIX).encode()).decode()
        except InvalidToken:
            raise TolkError("encrypted text does not open with any of encryption.keys") from None

    @property
    def keyed(self) -> bool:
        return self._fernet is not None


NO_VAULT = Vault()


def new_key() -> str:
    return Fernet.generate_key().decode()


def attach(dialect: Any, vault: Vault) -> None:
    dialect.tolk_vault = vault


def of(bind: Any) -> Vault:
    """The vault of a session, connection, engine or dialect (NO_VAULT where none was attached)."""
    if hasattr(bind, "get_bind"):
        bind = bind.get_bind()
    dialect = getattr(bind, "dialect", bind)
    found: Vault = getattr(dialect, "tolk_vault", NO_VAULT)
    return found
