"""Personal data came back: every masked value once, none lost, repeated or invented."""

from __future__ import annotations

from tolk.quality.base import Check, Sample, Severity, case


class PersonalData(Check):
    id = "pii"
    severity = Severity.CRITICAL
    description = "a masked e-mail, phone, card, ID or IBAN did not come back exactly once (always reviewed)"
    good = (case("Write to kim@example.com.", "Escribe a kim@example.com."),)
    bad = (case("Write to kim@example.com.", "Escribe a.", warnings=("pii: [[EMAIL_1]] lost",)),)

    def problem(self, s: Sample) -> str | None:
        found = [w.removeprefix("pii: ") for w in s.warnings if w.startswith("pii:")]
        return f"personal data placeholders: {', '.join(found)}" if found else None
