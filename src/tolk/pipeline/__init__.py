"""The translation core every surface goes through.

story   a catalog run and the agent: plan → reuse → draft → judge → decide → commit, top to bottom
texts   API requests, the translate page and documents: the same steps without items to store
core    the steps both share (reuse, draft, judge), so a rule is written once
commit  the one transaction that writes a batch, its memory, audit rows and events
job     the typed set-up every surface builds (assemble.Kit.job) and what a run adds up to
"""

from tolk.pipeline.job import CommitHook, Job, Preview, Summary
from tolk.pipeline.story import Pipeline
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
