"""The `tolk` command. Expected errors print one line and exit non-zero, without a traceback."""

from __future__ import annotations

import logging
import sys

import typer
from rich.markup import escape

from tolk import __version__
from tolk.cli import (
    agent,
    audit,
    check,
    cost,
    docs,
    engines,
    events,
    export,
    glossary,
    keys,
    report,
    review,
    serve,
    tm,
    token,
    translate,
)
from tolk.cli.common import err_console
from tolk.core import TolkError

app = typer.Typer(
    name="tolk",
    help="Translate product catalogs and content with pluggable engines, glossaries and a cache.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish, PowerShell
)
app.command()(translate.translate)
app.command()(export.export)
app.command()(engines.engines)
app.command()(check.check)
app.command()(serve.serve)
app.command()(report.report)
app.add_typer(glossary.app, name="glossary")
app.add_typer(review.app, name="review")
app.add_typer(tm.app, name="tm")
app.add_typer(agent.app, name="agent")
app.add_typer(events.app, name="events")
app.add_typer(token.app, name="token")
app.add_typer(report.cache_app, name="cache")
app.add_typer(report.bot_app, name="bot")
app.add_typer(docs.app, name="docs")
app.add_typer(audit.app, name="audit")
app.add_typer(keys.app, name="keys")
app.add_typer(cost.app, name="cost")


def _version(value: bool) -> None:
    if value:
        print(f"tolk {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log retries and engine events."),
) -> None:
    """tolk: an AI translation agent for multilingual product data."""
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not verbose:  # retries are counted in the summary; a line per retry would drown the progress bar
        logging.getLogger("stamina").setLevel(logging.ERROR)


def run() -> None:
    try:
        app()  # usage errors are typer's: a message and exit code 2
    except TolkError as exc:
        # escaped: messages name config sections like [notify.telegram], which are not markup
        err_console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        if "tolk.store" not in sys.modules:  # no store was opened: not the store's error
            raise
        from tolk.store.errors import refusal

        if (message := refusal(exc)) is None:
            raise
        # one line, without the statement's parameters (they hold source texts); -v logs the traceback
        logging.getLogger("tolk").info("the store's error", exc_info=exc)
        err_console.print(f"[red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
        sys.exit(1)
