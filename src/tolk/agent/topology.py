"""The queues the agents consume, declared before the first event: by each worker as it starts, by
`tolk agent init` (deploys), and by `tolk events publish` before it publishes — so no event is
accepted that no queue holds, and events published before any worker has ever run wait for it.

The translator consumes one queue per served language (`agent.languages`, else `targets`), named
NAME.LANG and bound to its registry entry's `subscribes` (default: every type tolk consumes).
"""

from __future__ import annotations

from dataclasses import dataclass

from tolk import events
from tolk.agent import registry as registry_mod
from tolk.bus.base import Bus, matches
from tolk.config import Settings
from tolk.core import ConfigError


@dataclass(frozen=True)
class Topology:
    agent: str
    languages: list[str]
    patterns: list[str]

    @property
    def queues(self) -> list[str]:
        return [f"{self.agent}.{lang}" for lang in self.languages]

    def receives(self, event_type: str) -> bool:
        return bool(self.languages) and matches(event_type, self.patterns)


def of(s: Settings) -> Topology:
    """The translator's queues as the configuration and the registry define them."""
    spec = registry_mod.load(s.agent.registry, s.agent.name).get(s.agent.name)
    return Topology(spec.name, list(s.agent.languages or s.targets), spec.subscribes or list(events.CONSUMED))


async def declare(bus: Bus, s: Settings) -> Topology:
    """Make the translator's durable queues and bindings (idempotent; the same settings the workers use)."""
    topology = of(s)
    if not topology.languages:
        raise ConfigError("no language to serve: set agent.languages (or targets) in tolk.toml")
    bus.max_deliveries = s.agent.max_deliveries  # RabbitMQ: the queue's arguments must match the workers'
    for queue in topology.queues:
        await bus.declare(queue, topology.patterns)
    return topology
