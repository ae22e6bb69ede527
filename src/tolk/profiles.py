"""Domain profiles: how a kind of content is translated and judged.

A profile gives engines a domain hint (Qwen-MT's `domains`, a line in an LLM's instructions), may bring
its own glossary, names terms a target market requires or forbids, and sets its review policy — medical
text that mentions doses always goes to a person; a financial text missing a required term fails.
Built-in profiles can be extended or overridden with `[profiles.NAME]` in tolk.toml.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from tolk import sensitive_terms
from tolk.config import ProfileSettings, Settings
from tolk.core import ConfigError
from tolk.formality import Formality


@dataclass(frozen=True)
class Profile:
    name: str
    domain: str
    required_terms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # target lang -> terms
    forbidden_terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # source language ("*": any) -> terms that, in the source, make a person review the translation
    sensitive_terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    glossary: Path | None = None
    pass_score: float | None = None
    disabled_checks: tuple[str, ...] = ()
    approve_with: tuple[str, ...] | None = None  # None: [quality] approve_with; () = people only
    formality: Formality = field(default_factory=Formality)  # over the configuration's, language by language

    def required(self, lang: str) -> tuple[str, ...]:
        return self.required_terms.get(lang, ()) or self.required_terms.get(lang.split("-")[0], ())

    def sensitive(self, source_lang: str) -> tuple[str, ...]:
        return sensitive_terms.for_language(self.sensitive_terms, source_lang)

    def forbidden(self, lang: str) -> tuple[str, ...]:
        return self.forbidden_terms.get(lang, ()) or self.forbidden_terms.get(lang.split("-")[0], ())


BUILTIN: dict[str, Profile] = {
    "ecommerce": Profile(
        "ecommerce",
        "E-commerce product listings: product names and descriptions for online shoppers; keep brand "
        "names, model numbers and units; concise, natural marketing tone.",
    ),
    "legal": Profile(
        "legal",
        "Legal text (terms of service, contracts, notices): precise, formal, faithful to every "
        "obligation and condition; no simplification.",
        pass_score=90,
        approve_with=(),  # a contract's meaning is vouched for by a person
    ),
    "financial": Profile(
        "financial",
        "Financial text (pricing, fees, interest, statements): exact figures and regulated terminology "
        "of the target market; formal register.",
        pass_score=90,
    ),
    "medical": Profile(
        "medical",
        "Medical and health product text: exact dosages, warnings and indications; standard medical "
        "terminology; never soften a warning.",
        sensitive_terms=sensitive_terms.MEDICAL,  # dosing, warnings, diagnoses, procedures
        pass_score=90,
        approve_with=(),  # a dose or a warning is vouched for by a person
    ),
    "technical": Profile(
        "technical",
        "Technical documentation and specifications: consistent terminology, units and identifiers "
        "unchanged, imperative instructions.",
    ),
    "business": Profile(
        "business",
        "Business communication (announcements, emails, support replies): clear, polite, professional.",
        # a reader addressed politely (です/ます, Sie); legal and financial text is written in the
        # plain written style of its language (である, 한다), which a register check would take as casual
        formality=Formality({"default": "prefer_more"}),
    ),
}


def resolve(settings: Settings, name: str | None = None) -> Profile:
    """The named profile (default: settings.profile), built-in with any `[profiles.NAME]` changes."""
    chosen = name or settings.profile
    base = BUILTIN.get(chosen)
    conf = settings.profiles.get(chosen)
    if base is None and conf is None:
        known = ", ".join(sorted({*BUILTIN, *settings.profiles}))
        raise ConfigError(f"unknown profile {chosen!r} (known: {known})")
    profile = _merge(base or Profile(chosen, ""), conf) if conf else base
    assert profile is not None
    return _with_markets(profile, settings)


def _with_markets(profile: Profile, settings: Settings) -> Profile:
    """The markets' compliance terms added to the profile's, for each market's language: a market's
    rules hold under every profile (a jurisdiction's, not a domain's)."""
    required, forbidden = dict(profile.required_terms), dict(profile.forbidden_terms)
    for market in settings.markets.values():
        lang = market.language
        if market.required_terms:
            required[lang] = tuple(
                dict.fromkeys([*profile.required(lang), *required.get(lang, ()), *market.required_terms])
            )
        if market.forbidden_terms:
            forbidden[lang] = tuple(
                dict.fromkeys([*profile.forbidden(lang), *forbidden.get(lang, ()), *market.forbidden_terms])
            )
    if required == profile.required_terms and forbidden == profile.forbidden_terms:
        return profile
    return dataclasses.replace(profile, required_terms=required, forbidden_terms=forbidden)


def _merge(base: Profile, conf: ProfileSettings) -> Profile:
    def terms(d: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
        return {lang: tuple(v) for lang, v in d.items()}

    return Profile(
        name=base.name,
        domain=conf.domain or base.domain,
        required_terms={**base.required_terms, **terms(conf.required_terms)},
        forbidden_terms={**base.forbidden_terms, **terms(conf.forbidden_terms)},
        sensitive_terms={
            lang: base.sensitive_terms.get(lang, ()) + tuple(conf.sensitive_terms.get(lang, ()))
            for lang in {*base.sensitive_terms, *conf.sensitive_terms}
        },
        glossary=Path(conf.glossary) if conf.glossary else base.glossary,
        pass_score=conf.pass_score if conf.pass_score is not None else base.pass_score,
        disabled_checks=base.disabled_checks + tuple(conf.disabled_checks),
        approve_with=tuple(conf.approve_with) if conf.approve_with is not None else base.approve_with,
        formality=Formality(conf.formality).over(base.formality),
    )
