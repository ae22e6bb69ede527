"""The translation core every surface goes through: catalog runs and the agent (`catalog`), API
requests, the translate page and documents (`texts`). Both take their drafts through the same quality
loop, which decides the grade and whether a text may be published (tolk.quality.loop), and both keep
the same rules for what may sit in a shared cache or the memory."""

from tolk.pipeline.catalog import CommitHook, Job, Pipeline, Preview, Summary
from tolk.pipeline.texts import Snippet, Translated, inline_glossary, translate_snippets, translate_texts

__all__ = [
    "CommitHook",
    "Job",
    "Pipeline",
    "Preview",
    "Snippet",
    "Summary",
    "Translated",
    "inline_glossary",
    "translate_snippets",
    "translate_texts",
]  # fmt: skip
