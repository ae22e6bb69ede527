"""tolk: an AI translation agent for multilingual product data and content."""

__version__ = "0.1.0"
