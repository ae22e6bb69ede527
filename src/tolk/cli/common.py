"""Options and helpers every command shares."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tolk import config
from tolk.store.repo import Store

console = Console()
err_console = Console(stderr=True)

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="tolk.toml to use (default: $TOLK_CONFIG, else ./tolk.toml if present)."
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store URL: sqlite:///file.db, postgresql://…, mysql://… (default: $TOLK_DB or ./tolk.db).",
    ),
]


def settings(config_path: Path | None, db: str | None = None) -> config.Settings:
    return config.load(config_path, db=db)


def open_store(s: config.Settings) -> Store:
    return Store(s.store, vault=s.encryption.vault())


def safe_url(url: str) -> str:
    """A URL without its password, for printing."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url
