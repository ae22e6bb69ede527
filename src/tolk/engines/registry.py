"""Engine kinds by name. Adding an engine is a new module and one line here."""

from __future__ import annotations

import importlib
from typing import Any

from tolk.config import Settings
from tolk.core import ConfigError
from tolk.engines.base import Engine
from tolk.text.pii import PiiMasker

KINDS: dict[str, str] = {
    "apertium": "tolk.engines.apertium:ApertiumEngine",
    "openai": "tolk.engines.openai:OpenAIEngine",
    "qwen-mt": "tolk.engines.qwen_mt:QwenMtEngine",
    "dummy": "tolk.engines.dummy:DummyEngine",
}


def engine_class(kind: str) -> type[Engine]:
    try:
        module, _, cls = KINDS[kind].partition(":")
    except KeyError:
        raise ConfigError(f"unknown engine kind {kind!r} (known: {', '.join(KINDS)})") from None
    found: type[Engine] = getattr(importlib.import_module(module), cls)
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
