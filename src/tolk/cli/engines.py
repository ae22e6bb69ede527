"""`tolk engines`: what is configured and whether each engine is usable right now."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.table import Table

from tolk.cli.common import ConfigOpt, console, settings

if TYPE_CHECKING:  # the engines load when the command runs, so `tolk --help` stays quick
    from tolk.config import Settings


def engines(config_path: ConfigOpt = None) -> None:
    """List configured engines and whether each can be used right now (keys are never shown)."""
    s = settings(config_path)
    table = Table(title="engines")
    for col in ("name", "kind", "model", "default", "usable", "details"):
        table.add_column(col)
    for name, usable, detail in asyncio.run(_statuses(s)):
        conf = s.engines[name]
        table.add_row(
            name,
            conf.kind,
            conf.model or "-",
            "yes" if name == s.default_engine else "",
            "[green]yes[/]" if usable else "[red]no[/]",
            detail,
        )
    console.print(table)


async def _statuses(s: Settings) -> list[tuple[str, bool, str]]:
    from tolk.engines import registry

    out = []
    for name in sorted(s.engines):
        try:
            engine = registry.build(s, name)
        except Exception as exc:  # a broken section must not hide the others
            out.append((name, False, str(exc)))
            continue
        try:
            usable, detail = await engine.status()
            if engine.settings.fallback:
                detail += f"; fallback: {engine.settings.fallback}"
            out.append((name, usable, detail))
        finally:
            await engine.aclose()
    return out
