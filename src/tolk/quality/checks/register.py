"""The register asked for (tolk.formality) is the one the translation speaks in, where a few words show
it for certain: Korean sentence endings (합니다체/해요체 against 반말), German pronouns (Sie against du),
Japanese sentence endings (です/ます against the plain form).

Only what is unmistakable counts: a catalog line without a verb ("편안한 착용감", "防水仕様") has no
register and passes; a German "Sie" that opens a sentence may be "she" and is not read. Other languages
are not judged: their register shows in forms a short list of words cannot tell apart.
"""

from __future__ import annotations

import re

from tolk import formality
from tolk.quality.base import Check, Sample, Severity, case, reading

_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*")
_TRAILING = " \t\"'”’」』)）]】»~…"

# Korean: endings that end a sentence in one register only
_KO_POLITE = ("니다", "니까", "세요", "셔요", "에요", "예요", "해요", "어요", "아요", "워요", "네요", "까요",
              "죠", "십시오", "시오")  # fmt: skip
_KO_CASUAL = ("줘", "봐", "돼", "거든", "잖아", "할게", "줄게", "을게", "볼래", "할래", "거야", "이야",
              "있어", "없어", "좋아", "같아", "싶어", "했어", "였어", "이냐")  # fmt: skip
# 해체 of 하다 adjectives and ㅂ verbs (완벽해, 가벼워): three syllables at least, as 피해 or 올해 are nouns
_KO_CASUAL_LONG = ("해", "워")

# German: du-forms (any case) and the polite Sie-forms (capitalised, not opening a sentence)
_DE_DU = re.compile(r"\b(du|dich|dir|dein|deine|deinen|deinem|deiner|deines|euch|euer|eure|euren)\b", re.I)
_DE_SIE = re.compile(r'(?<![.!?:\n]\s)(?<![\n"„«])(?<!^)\b(Sie|Ihnen|Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres)\b')

# Japanese: polite endings, and plain predicates that end a sentence (not ました, でした, ません)
_JA_POLITE = ("です", "ます", "ました", "ません", "でした", "ましょう", "ください", "ございます")
_JA_PLAIN = re.compile(r"(?:だ|だよ|だね|だった|じゃない|した|[るた]|ない|よう)$")


def _sentences(text: str) -> list[str]:
    return [m.strip().rstrip(".!?。！？").rstrip(_TRAILING) for m in _SENTENCE.findall(text) if m.strip()]


def _korean(text: str, want: str) -> list[str]:
    found = []
    for sentence in _sentences(text):
        words = sentence.split()
        if not words:
            continue
        last = words[-1]
        casual = last.endswith(_KO_CASUAL) or (len(last) >= 3 and last.endswith(_KO_CASUAL_LONG))
        if (want == "more" and casual) or (want == "less" and last.endswith(_KO_POLITE)):
            found.append(sentence)
    return found


def _japanese(text: str, want: str) -> list[str]:
    found = []
    for sentence in _sentences(text):
        polite = sentence.rstrip("かよね").endswith(_JA_POLITE)  # か, よ, ね: a question, an emphasis
        plain = not polite and _JA_PLAIN.search(sentence) is not None
        if (want == "less" and polite) or (want == "more" and plain):
            found.append(sentence)
    return found


def _german(text: str, want: str) -> list[str]:
    if want == "more":
        return [m.group(0) for m in _DE_DU.finditer(text)]
    return [m.group(0) for m in _DE_SIE.finditer(text)]


_READERS = {"ko": _korean, "ja": _japanese, "de": _german}
_NAMES = {
    ("ko", "more"): "반말 (casual speech)",
    ("ko", "less"): "존댓말 (polite speech)",
    ("ja", "more"): "the plain form",
    ("ja", "less"): "です/ます",
    ("de", "more"): "du",
    ("de", "less"): "Sie",
}


class Register(Check):
    id = "register"
    severity = Severity.MAJOR
    description = (
        "the formality asked for (more/less, prefer_*) is the register the translation uses: Korean "
        "합니다/해요 against 반말, German Sie against du, Japanese です/ます against the plain form"
    )
    good = (
        case("Order now.", "지금 주문하세요.", "ko", formality="more"),
        case("It is light.", "가볍습니다. 편안한 착용감", "ko", formality="prefer_more"),
        case("It is light.", "정말 가벼워.", "ko", formality="less"),
        case("Comfortable fit", "편안한 착용감", "ko", formality="less"),
        case("Order now.", "Bestellen Sie jetzt.", "de", formality="more"),
        case("She likes it.", "Sie mag es.", "de", formality="less"),
        case("Order now.", "Bestell jetzt, du wirst es lieben.", "de", formality="less"),
        case("It is waterproof.", "防水です。", "ja", formality="more"),
        case("Waterproof spec", "防水仕様", "ja", formality="more"),
        case("Try it on.", "試してみて。", "ja", formality="less"),
        case("Order now.", "지금 주문해.", "ko"),  # nothing asked: nothing judged
        case("Order now.", "Bestell jetzt.", "de", formality="default"),
    )
    bad = (
        case("It is really light.", "이거 정말 가벼워. 지금 사자!", "ko", formality="more"),
        case("Order now.", "지금 주문하세요.", "ko", formality="less"),
        case("Order now and you will love it.", "Bestell jetzt, du wirst es lieben.", "de", formality="more"),
        case("Order now.", "Bestellen Sie jetzt.", "de", formality="prefer_less"),
        case("It is waterproof.", "防水だ。すぐ使える。", "ja", formality="more"),
        case("It is waterproof.", "防水です。", "ja", formality="less"),
    )

    def problem(self, s: Sample) -> str | tuple[str, dict[str, object]] | None:
        want = formality.wants(s.formality)
        lang = s.tgt_lang.split("-")[0]
        read = _READERS.get(lang)
        if want is None or read is None:
            return None
        found = read(reading(s, "target"), want)
        if not found:
            return None
        shown = ", ".join(repr(f) for f in found[:3])
        wanted = "formal" if want == "more" else "informal"
        return (
            f"{_NAMES[lang, want]} where formality {s.formality!r} asks for the {wanted} register: {shown}",
            {"formality": s.formality, "found": found[:5]},
        )
