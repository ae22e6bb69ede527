"""Checks, one small class each, grouped by theme. `ALL` is the registry the gate and profiles use."""

from tolk.quality.base import Check
from tolk.quality.checks.answers import Answered, Commentary, InjectionObeyed
from tolk.quality.checks.fidelity import Empty, Links, NotACopy, Truncation, UnknownWords
from tolk.quality.checks.language import TargetLanguage
from tolk.quality.checks.markup import LeftoverTokens, Placeholders, Tags
from tolk.quality.checks.numbers import Numbers
from tolk.quality.checks.omission import Addition, Omission
from tolk.quality.checks.privacy import PersonalData
from tolk.quality.checks.punctuation import Punctuation
from tolk.quality.checks.terms import ForbiddenTerms, GlossaryTerms, RequiredTerms, SensitiveContent

ALL: tuple[type[Check], ...] = (
    Empty,
    Numbers,
    Placeholders,
    LeftoverTokens,
    Tags,
    GlossaryTerms,
    TargetLanguage,
    NotACopy,
    Commentary,
    Truncation,
    UnknownWords,
    Links,
    InjectionObeyed,
    Answered,
    Omission,
    Addition,
    RequiredTerms,
    ForbiddenTerms,
    SensitiveContent,
    PersonalData,
    Punctuation,
)
BY_ID: dict[str, type[Check]] = {c.id: c for c in ALL}
# ids a config may still use from earlier releases
RENAMED = {"new_links": "links"}
