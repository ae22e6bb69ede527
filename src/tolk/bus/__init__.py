"""Message buses behind one interface (one module each), and the outbox relay that feeds them.

A bus is named by a URL: `sqlite:///PATH` (embedded, the default), `amqp://…` (RabbitMQ) or
`redis://…` (Redis Streams). Adding a bus is a module with a `from_url` and a line in SCHEMES.
"""

from __future__ import annotations

import importlib

from tolk.bus.base import Bus
from tolk.core import InputError

SCHEMES = {
    "sqlite": ("tolk.bus.embedded", "EmbeddedBus"),
    "amqp": ("tolk.bus.rabbitmq", "RabbitBus"),
    "amqps": ("tolk.bus.rabbitmq", "RabbitBus"),
    "redis": ("tolk.bus.redis_streams", "RedisStreamsBus"),
    "rediss": ("tolk.bus.redis_streams", "RedisStreamsBus"),
}


def open_bus(url: str, *, namespace: str = "tolk") -> Bus:
    """The bus at `url`; brokers' client libraries are imported only when used."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in SCHEMES:
        raise InputError(f"--bus: {url!r} is not a bus URL (sqlite:///PATH, amqp://…, redis://…)")
    module, name = SCHEMES[scheme]
    try:
        cls = getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as exc:
        raise InputError(f"--bus: {scheme} needs {exc.name}: pip install 'tolk[{_extra(scheme)}]'") from None
    if scheme == "sqlite":
        bus: Bus = cls.from_url(url)
    else:
        bus = cls.from_url(url, namespace=namespace)
    return bus


def _extra(scheme: str) -> str:
    return "rabbitmq" if scheme.startswith("amqp") else "redis"
