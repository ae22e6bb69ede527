"""The repository: every read and write tolk makes to its SQL store, one class per table group
(store/translations.py, store/reading.py, store/knowledge.py, store/outbox.py) on one foundation
(store/base.py)."""

from __future__ import annotations

from tolk.store.base import MIGRATIONS, StoreBase, _one_line, _rowcount
from tolk.store.outbox import EVENT_FAILURES, Outbox
from tolk.store.reading import REVIEW_SORTS, REVIEW_STATUSES
from tolk.store.translations import Existing, ItemRecord, MachineWrite, Translations

__all__ = [
    "EVENT_FAILURES", "MIGRATIONS", "REVIEW_SORTS", "REVIEW_STATUSES", "Existing", "ItemRecord",
    "MachineWrite", "Store", "StoreBase", "_one_line", "_rowcount",
]  # fmt: skip


class Store(Translations, Outbox):
    """One store: open it with a URL (`sqlite:///tolk.db`, `postgresql://…`, `mysql://…`)."""
