"""tolk: an AI translation agent for multilingual product data and content.

As a library: `tolk.translate(texts, to="es")`, `tolk.atranslate`, `tolk.check`,
`tolk.translate_catalog`, `tolk.Client` and its support conversations (`Client.conversation`)
(tolk.client; imported on first use, so that `import tolk` and `tolk --version` stay quick).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LIBRARY = (
    "translate",
    "atranslate",
    "check",
    "translate_catalog",
    "Client",
    "Conversation",
    "Message",
    "Translation",
    "Check",
)
__all__ = ["__version__", *_LIBRARY]


def __getattr__(name: str) -> Any:
    if name in _LIBRARY:
        # by name, on first use: the library sits on top of everything, and modules that read
        # `tolk.__version__` must not import it with the package
        return getattr(importlib.import_module("tolk.client"), name)
    raise AttributeError(f"module 'tolk' has no attribute {name!r}")
