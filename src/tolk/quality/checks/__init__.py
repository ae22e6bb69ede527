"""Checks, one small class each, grouped by theme. `ALL` is the registry the gate and profiles use: tolk's
own (named in tolk.plugins, in the order the gate runs them), then those installed packages add through
the `tolk.checks` entry points."""

from tolk import plugins
from tolk.quality.base import Check

ALL: tuple[type[Check], ...] = tuple(plugins.registered(plugins.CHECKS, Check, lambda c: c.id).values())
BY_ID: dict[str, type[Check]] = {c.id: c for c in ALL}
# ids a config may still use from earlier releases
RENAMED = {"new_links": "links"}
