"""`tolk token create|list|revoke`: API tokens for `tolk serve`."""

from __future__ import annotations

from typing import Annotated

import typer

from tolk import languages
from tolk.cli.common import ConfigOpt, DbOpt, JsonOpt, console, open_store, print_rows, settings
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
def list_tokens(db: DbOpt = None, config_path: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Tokens with their role, languages and last use (never the token itself)."""
    from tolk.api import auth

    store = open_store(settings(config_path, db), reading=True)
    try:
        tokens = auth.tokens(store)
    finally:
        store.close()
    rows: list[dict[str, object]] = [
        {
            "id": t.id,
            "name": t.name,
            "role": t.role,
            "languages": list(t.langs) or "all",
            "starts_with": t.prefix + "…",
            "created": f"{t.created_at:%Y-%m-%d}",
            "last_used": f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else None,
            "revoked": f"{t.revoked_at:%Y-%m-%d}" if t.revoked_at else None,
        }
        for t in tokens
    ]
    print_rows("API tokens", rows, as_json)


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
