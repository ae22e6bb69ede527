"""Options and helpers every command shares."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from tolk.core import InputError, TolkError

if TYPE_CHECKING:  # commands import the heavy parts when they run: `tolk --help` stays quick
    from tolk import config
    from tolk.store.repo import Store

console = Console()
err_console = Console(stderr=True)

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="tolk.toml to use (default: $TOLK_CONFIG, else ./tolk.toml, else ~/.config/tolk/tolk.toml).",
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store URL: sqlite:///file.db, postgresql://…, mysql://… (default: $TOLK_DB or ./tolk.db).",
    ),
]


def _formality(value: str | None) -> str | None:
    from tolk import formality

    try:
        return formality.check(value) if value is not None else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


FormalityOpt = Annotated[
    str | None,
    typer.Option(
        "--formality",
        callback=_formality,
        help="Register for every target: more, less, prefer_more, prefer_less, default "
        "(default: the config's formality per language).",
    ),
]

JsonOpt = Annotated[
    bool, typer.Option("--json", help="One JSON object per line instead of a table (for scripts and jq).")
]


def print_rows(title: str, rows: list[dict[str, object]], as_json: bool) -> None:
    """A listing as a table for people, or as JSON lines (the same keys, typed values) for scripts."""
    import json

    from rich.table import Table

    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False, default=str))
        return
    table = Table(title=title)
    for col in rows[0] if rows else ():
        table.add_column(col.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else _cell(v) for v in row.values()))
    console.print(table)


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    return str(value)


STDIO = "-"  # a file argument that means stdin (or, for an output, stdout)


@contextmanager
def readable(path: Path, suffix: str = ".jsonl") -> Iterator[Path]:
    """`path`, or for `-` what stdin holds (JSONL unless `suffix` says otherwise), spooled to a file of
    its own: a catalog is read twice (validated whole, then translated). Errors name it <stdin>."""
    if str(path) != STDIO:
        yield path
        return
    import shutil
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tolk-stdin-") as folder:
        spooled = Path(folder) / f"stdin{suffix}"
        with spooled.open("wb") as fh:
            shutil.copyfileobj(sys.stdin.buffer, fh)
        try:
            yield spooled
        except TolkError as exc:
            exc.args = (str(exc).replace(str(spooled), "<stdin>"),)
            raise


def settings(config_path: Path | None, db: str | None = None) -> config.Settings:
    from tolk import config

    return config.load(config_path, db=db)


def open_store(s: config.Settings, *, reading: bool = False) -> Store:
    """The configured store. `reading`: a command that only reads (report, export, list …) refuses a
    SQLite file that does not exist, naming it, instead of creating an empty one and reporting nothing."""
    from tolk.store.base import sqlite_file
    from tolk.store.repo import Store

    if reading:
        path = sqlite_file(s.store)
        if path is not None and not path.exists():
            raise InputError(
                f"{path}: no tolk store here (run tolk translate first, or pass --db / set store in "
                "tolk.toml)"
            )
    return Store(s.store, vault=s.encryption.vault())


def safe_url(url: str) -> str:
    """A URL without its password, for printing."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url


def until_stopped(work: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run `work(stop)` on a new event loop; SIGTERM or Ctrl-C sets `stop` (the work ends cleanly)."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await work(stop)

    asyncio.run(main())
