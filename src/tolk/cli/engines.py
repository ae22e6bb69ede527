"""`tolk engines`: what is configured and whether each engine is usable right now."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from tolk.cli.common import ConfigOpt, JsonOpt, print_rows, settings

if TYPE_CHECKING:  # the engines load when the command runs, so `tolk --help` stays quick
    from tolk.config import Settings


def engines(config_path: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """List configured engines and whether each can be used right now (keys are never shown)."""
    s = settings(config_path)
    rows: list[dict[str, object]] = [
        {
            "name": name,
            "kind": s.engines[name].kind,
            "model": s.engines[name].model or "-",
            "default": name == s.default_engine,
            "usable": usable,
            "details": detail,
        }
        for name, usable, detail in asyncio.run(_statuses(s))
    ]
    print_rows("engines", rows, as_json)


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
