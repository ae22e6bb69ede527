"""`tolk keys`: Fernet keys for the fields sealed at rest ([encryption])."""

from __future__ import annotations

import typer

from tolk.cli.common import ConfigOpt, DbOpt, console, err_console, open_store, settings
from tolk.core import ConfigError

app = typer.Typer(
    help="Encryption keys of the sensitive fields (\\[encryption] in tolk.toml).", no_args_is_help=True
)


@app.command("new")
def new() -> None:
    """Print a fresh key. Put it first in \\[encryption] keys (keep the old ones after it), then run
    `tolk keys rotate`."""
    from tolk import vault

    console.print(vault.new_key(), highlight=False)


@app.command("rotate")
def rotate(db: DbOpt = None, config_path: ConfigOpt = None) -> None:
    """Re-encrypt every sealed value with the first key in \\[encryption] keys, and encrypt sensitive
    fields stored before they were named. Safe to interrupt and rerun; afterwards older keys can go."""
    from tolk.cache import open_cache
    from tolk.store.reseal import reseal

    s = settings(config_path, db)
    if not s.encryption.keys:
        raise ConfigError("encryption.keys: no key configured, nothing to rotate to")
    store = open_store(s)
    cache = open_cache(s.cache, store, s.cache_ttl_s)
    try:
        done = reseal(store, cache)
    finally:
        cache.close()
        store.close()
    err_console.print(
        f"keys: {done.rotated} values re-encrypted, {done.sealed} encrypted for the first time; "
        f"{done.forgotten} cache entries and memory units of sensitive text forgotten"
    )
