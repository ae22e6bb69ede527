"""`tolk token create|list|revoke`: API tokens for `tolk serve`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tolk import languages
from tolk.cli.common import ConfigOpt, DbOpt, console, open_store, settings
from tolk.core import TolkError

app = typer.Typer(help="API tokens: roles viewer, reviewer, admin; optionally limited to languages.")


@app.command()
def create(
    role: Annotated[str, typer.Option("--role", "-r", help="viewer, reviewer or admin.")],
    name: Annotated[str, typer.Option("--name", help="Who or what uses it.")] = "token",
    langs: Annotated[
        str | None, typer.Option("--langs", help="Only these languages, e.g. ko,ja (default: all).")
    ] = None,
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Create a token and print it: this is the only time it is shown."""
    from tolk.api import auth

    chosen = auth.Role.parse(role)
    limited = languages.parse_list(langs) if langs else []
    store = open_store(settings(config_path, db))
    try:
        token = auth.create(store, name, chosen, limited)
    finally:
        store.close()
    print(token)


@app.command("list")
def list_tokens(db: DbOpt = None, config_path: ConfigOpt = None) -> None:
    """Tokens with their role, languages and last use (never the token itself)."""
    from tolk.api import auth

    store = open_store(settings(config_path, db), reading=True)
    try:
        rows = auth.tokens(store)
    finally:
        store.close()
    table = Table(title="API tokens")
    for col in ("id", "name", "role", "languages", "starts with", "created", "last used", "revoked"):
        table.add_column(col)
    for t in rows:
        table.add_row(
            str(t.id),
            t.name,
            t.role,
            ",".join(t.langs) or "all",
            t.prefix + "…",
            f"{t.created_at:%Y-%m-%d}",
            f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "-",
            f"{t.revoked_at:%Y-%m-%d}" if t.revoked_at else "",
        )
    console.print(table)


@app.command()
def revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (tolk token list).")],
    db: DbOpt = None,
    config_path: ConfigOpt = None,
) -> None:
    """Revoke a token: requests with it get 401 from now on."""
    from tolk.api import auth

    store = open_store(settings(config_path, db))
    try:
        if not auth.revoke(store, token_id):
            raise TolkError(f"no live token with id {token_id}")
    finally:
        store.close()
    console.print(f"revoked token {token_id}")
