"""Where reports go: one module per channel (Telegram, Slack, a signed webhook), one protocol.

Adding a channel is a module with a `Notifier` and its name in tolk.plugins (or an entry point in the
`tolk.notifiers` group of another package); the contract test in tests/contract/test_notifiers.py
runs every registered channel.
"""

from __future__ import annotations

from tolk import plugins
from tolk.config import NotifySettings
from tolk.notify.base import Notice, Notifier, NotifyError, Transport

__all__ = ["Notice", "Notifier", "NotifyError", "channels", "from_settings"]


def channels() -> dict[str, type[Notifier]]:
    """Every registered channel by name: tolk's own, then those of installed plugins."""
    return plugins.registered(plugins.NOTIFIERS, Notifier, lambda cls: cls.name)


def from_settings(s: NotifySettings, transport: Transport = None) -> list[Notifier]:
    """The notifiers `[notify]` configures, in the registry's order (the config already refused a
    `[notify.channels.X]` no installed package provides)."""
    return [notifier for cls in channels().values() for notifier in cls.from_settings(s, transport)]
