"""Glossary and profile terms."""

from __future__ import annotations

from tolk.core import Term
from tolk.glossary import find_terms, missing_terms
from tolk.quality.base import Check, Sample, Severity, case

_NIKE = Term("Nike", "Nike", do_not_translate=True, case_sensitive=True)
_FREE = Term("Free shipping", "Envío gratis")
_CAFE = Term("Café", "Café", do_not_translate=True)


class GlossaryTerms(Check):
    id = "glossary"
    severity = Severity.MAJOR
    description = (
        "every glossary term the source uses appears in its forced form (do-not-translate terms "
        "verbatim); terms are matched in Unicode NFC"
    )
    good = (
        case("Nike: free shipping.", "Nike: envío gratis.", terms=(_NIKE, _FREE)),
        case("Red shoes.", "Zapatos rojos.", terms=(_NIKE, _FREE)),  # no term in the source: none owed
        case("Cafe\u0301 table, free shipping.", "Mesa Café, envío gratis.", terms=(_CAFE, _FREE)),
    )
    bad = (
        case("Nike: free shipping.", "Naik: envío gratis.", terms=(_NIKE, _FREE)),
        case("Café table", "Mesa de cafe", terms=(_CAFE,)),
    )

    def problem(self, s: Sample) -> str | tuple[str, dict[str, object]] | None:
        used = {id(term): term for term, _, _ in find_terms(s.source, s.terms)}
        missing = missing_terms(s.target, used.values())
        if not missing:
            return None
        what = ", ".join(f"{t.source!r} -> {t.expected!r}" for t in missing)
        return f"glossary terms not honoured: {what}", {"terms": [t.source for t in missing]}


class RequiredTerms(Check):
    id = "required_terms"
    severity = Severity.MAJOR
    description = "the profile's required terms for the target market are present"
    good = (case("Annual rate 5 %.", "TAE del 5 %.", required_terms=("TAE",)),)
    bad = (case("Loan terms.", "Condiciones del préstamo.", required_terms=("TAE",)),)

    def problem(self, s: Sample) -> str | None:
        absent = [t for t in s.required_terms if t.lower() not in s.target.lower()]
        return f"required terms missing: {', '.join(absent)}" if absent else None


class ForbiddenTerms(Check):
    id = "forbidden_terms"
    severity = Severity.MAJOR
    description = "none of the profile's forbidden terms appear"
    good = (case("Free returns.", "Devoluciones sin coste.", forbidden_terms=("gratis",)),)
    bad = (case("Free returns.", "Devoluciones gratis.", forbidden_terms=("gratis",)),)

    def problem(self, s: Sample) -> str | None:
        present = [t for t in s.forbidden_terms if t.lower() in s.target.lower()]
        return f"forbidden terms used: {', '.join(present)}" if present else None


class SensitiveContent(Check):
    id = "sensitive"
    severity = Severity.MAJOR
    description = (
        "the source mentions a term the profile marks sensitive in its language (doses, warnings, "
        "diagnoses), or its sender marked it urgent or sensitive: a person decides"
    )
    good = (case("Vitamin C tablets.", "Comprimidos de vitamina C.", sensitive_terms=("dose",)),)
    bad = (
        case("Take one dose daily.", "Tome una dosis al día.", sensitive_terms=("dose",)),
        case("Your order has shipped.", "Su pedido ha sido enviado.", flagged="urgency=urgent"),
    )

    def problem(self, s: Sample) -> str | None:
        if s.flagged:
            return f"marked {s.flagged} by its sender: a person decides"
        source = s.source.lower()
        found = [t for t in s.sensitive_terms if t.lower() in source]
        return f"sensitive content for this profile: {', '.join(found)}" if found else None
