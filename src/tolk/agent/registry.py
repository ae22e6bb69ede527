"""The agent registry: which agents exist, what they subscribe to and publish, and who waits for whom.

    agents:
      - name: classifier
        publishes: [product.normalized]
      - name: translator
        priority: 30
        depends_on: [classifier]
        subscribes: [product.created, product.updated, product.normalized, i18n.missing]
        publishes: [i18n.*, cache.invalidate]

With `depends_on`, the translator acts on a product event only once every dependency has published an
event about that product at least as new (for the classifier: a `product.normalized`); until then the
event is parked and retried with a delay. Without a registry file, the translator depends on nobody.
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
    priority: int = 0  # validated and kept; tolk runs one agent, so it schedules nothing yet
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

    def dependencies(self, name: str) -> list[AgentSpec]:
        return [self.get(d) for d in self.get(name).depends_on]

    def check(self) -> None:
        names = [a.name for a in self.agents]
        if len(names) != len(set(names)):
            raise ConfigError("agent registry: agent names must be unique")
        for agent in self.agents:
            for dep in agent.depends_on:
                self.get(dep)
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
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
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
