"""Checks, one small class each, grouped by theme. `ALL` is the registry the gate and profiles use: tolk's
own (named in tolk.plugins, in the order the gate runs them), then those installed packages add through
the `tolk.checks` entry points."""

from tolk import plugins
from tolk.core import ConfigError
from tolk.quality.base import Check


def _registered() -> tuple[type[Check], ...]:
    found = []
    for name in plugins.available(plugins.CHECKS):
        check = plugins.load(plugins.CHECKS, name)
        if not (isinstance(check, type) and issubclass(check, Check)) or check.id != name:
            raise ConfigError(f"{plugins.CHECKS} {name!r}: not a Check subclass with id {name!r}")
        found.append(check)
    return tuple(found)


ALL: tuple[type[Check], ...] = _registered()
BY_ID: dict[str, type[Check]] = {c.id: c for c in ALL}
# ids a config may still use from earlier releases
RENAMED = {"new_links": "links"}
