"""The agent registry: which agents exist, in what order they work, who waits for whom.

    agents:                              # the seed's registry, as written, loads and works
      - name: crawler
        priority: 1
      - name: classifier
        priority: 2
        depends_on: ["crawler"]
      - name: translator
        priority: 3
        depends_on: ["classifier"]

- `depends_on`: the translator acts on a product event only once every dependency has spoken about
  that product with an event at least as new; until then the event is parked and retried (the wait
  counts from its arrival; `agent.park_timeout_s`). A dependency is heard through the event types it
  `publishes:` where it declares them (`publishes: [product.normalized]`), otherwise through any event
  whose envelope `source` is its name (`"source": "classifier"`).
- `priority`: the order agents work in, lowest first (crawler 1 → classifier 2 → translator 3). An
  agent may depend only on agents that come before it or alongside (a dependency's priority is not
  higher), which the loader checks; `tolk agent status` and the ops `/agent status` list agents in
  this order.
- `subscribes`: the event types the agent's queues are bound to (default: every type tolk consumes);
  `publishes`: what it publishes, as topic patterns.

Without a registry file, the translator depends on nobody.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tolk.bus.base import check_pattern
from tolk.core import ConfigError, InputError
from tolk.events import CONSUMED


class AgentSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=48, pattern=r"^[A-Za-z0-9_-]+$")
    priority: int = 0  # the order agents work in, lowest first; dependencies come before (checked)
    depends_on: list[str] = Field(default_factory=list)
    subscribes: list[str] = Field(default_factory=list)
    publishes: list[str] = Field(default_factory=list)

    @field_validator("subscribes", "publishes")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        try:
            return [check_pattern(p) for p in value]
        except InputError as exc:
            raise ValueError(str(exc)) from None


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agents: list[AgentSpec]

    def get(self, name: str) -> AgentSpec:
        for agent in self.agents:
            if agent.name == name:
                return agent
        known = ", ".join(a.name for a in self.agents)
        raise ConfigError(f"agent registry: no agent named {name!r} (known: {known})")

    def ordered(self) -> list[AgentSpec]:
        """Agents in the order they work: by priority, then name."""
        return sorted(self.agents, key=lambda a: (a.priority, a.name))

    def dependencies(self, name: str) -> list[AgentSpec]:
        return [self.get(d) for d in self.get(name).depends_on]

    def check(self) -> None:
        names = [a.name for a in self.agents]
        if len(names) != len(set(names)):
            raise ConfigError("agent registry: agent names must be unique")
        for agent in self.agents:
            for dep in agent.depends_on:
                before = self.get(dep)
                if before.priority > agent.priority:
                    raise ConfigError(
                        f"agent registry: {agent.name} (priority {agent.priority}) depends on {dep} "
                        f"(priority {before.priority}): a dependency works first, so its priority must "
                        "not be higher"
                    )
        for agent in self.agents:  # no cycles: a cycle would park its events forever
            seen: set[str] = set()
            todo = list(agent.depends_on)
            while todo:
                dep = todo.pop()
                if dep == agent.name:
                    raise ConfigError(f"agent registry: {agent.name} depends on itself (through {dep})")
                if dep not in seen:
                    seen.add(dep)
                    todo += self.get(dep).depends_on


def default(name: str = "translator") -> Registry:
    return Registry(
        agents=[AgentSpec(name=name, subscribes=list(CONSUMED), publishes=["i18n.*", "cache.invalidate"])]
    )


def load(path: str | Path | None, name: str = "translator") -> Registry:
    """The registry in `path` (YAML), or the default one; errors name the file and the field."""
    if path is None:
        return default(name)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: agent registry not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not YAML: {str(exc).splitlines()[0]}") from None
    try:
        registry = Registry.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise ConfigError(f"{path}: {where}: {err['msg']}") from None
    try:
        registry.check()
        registry.get(name)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {str(exc).removeprefix('agent registry: ')}") from None
    return registry
