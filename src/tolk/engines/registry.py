"""Engines built by name from the configuration. Kinds come from `tolk.plugins`: tolk's own (adding one
is a module and a line in plugins.BUILTIN) and those other packages register as entry points."""

from __future__ import annotations

from typing import Any

from tolk import plugins
from tolk.config import Settings
from tolk.core import ConfigError
from tolk.engines.base import Engine
from tolk.text.pii import PiiMasker


def kinds() -> list[str]:
    """Every engine kind this installation has, tolk's own first."""
    return list(plugins.available(plugins.ENGINES))


def engine_class(kind: str) -> type[Engine]:
    found = plugins.load(plugins.ENGINES, kind)
    if not (isinstance(found, type) and issubclass(found, Engine)):
        raise ConfigError(f"engine kind {kind!r} names {found!r}, which is not a tolk Engine")
    return found


def build(settings: Settings, name: str, **io: Any) -> Engine:
    """The engine called `name`, with its fallback chain. `io` reaches HTTP engines (e.g. `transport`)."""
    return _build(settings, name, (), io)


def _build(settings: Settings, name: str, chain: tuple[str, ...], io: dict[str, Any]) -> Engine:
    if name in chain:
        raise ConfigError(f"engine fallbacks form a loop: {' -> '.join((*chain, name))}")
    conf = settings.engine(name)
    cls = engine_class(conf.kind)
    engine = cls(name, conf, **io) if io and _takes_transport(cls) else cls(name, conf)
    if conf.external and settings.privacy.mask:  # text leaves this machine: personal data does not
        p = settings.privacy
        engine.privacy = PiiMasker.build(list(p.detectors), tuple(p.phone_regions), p.patterns)
    if conf.fallback:
        engine.fallback = _build(settings, conf.fallback, (*chain, name), io)
    return engine


def _takes_transport(cls: type[Engine]) -> bool:
    from tolk.engines.http import HttpEngine

    return issubclass(cls, HttpEngine)
