"""Reference-based metrics through sacrebleu, on its 0–100 scale, each with its signature.

The tokenizer follows the target: sacrebleu's `zh` for Chinese, characters for Japanese, Korean and
Thai (no segmenter ships offline), `13a` otherwise. TER gets Asian support for those languages.
"""

from __future__ import annotations

from dataclasses import dataclass

_CHAR_TOKENIZED = {"ja", "ko", "th", "lo", "km", "my"}


def tokenizer_for(lang: str) -> str:
    base = lang.split("-")[0]
    if base == "zh" or base == "yue":
        return "zh"
    return "char" if base in _CHAR_TOKENIZED else "13a"


@dataclass(frozen=True, slots=True)
class Scores:
    bleu: float
    chrf: float
    ter: float
    signatures: dict[str, str]

    def as_dict(self) -> dict[str, object]:
        return {
            "bleu": round(self.bleu, 2),
            "chrf": round(self.chrf, 2),
            "ter": round(self.ter, 2),
            "signatures": self.signatures,
        }


def score(hypothesis: str, reference: str, lang: str) -> Scores:
    # imported here: only runs with references pay for loading sacrebleu
    from sacrebleu.metrics.bleu import BLEU
    from sacrebleu.metrics.chrf import CHRF
    from sacrebleu.metrics.ter import TER

    tokenize = tokenizer_for(lang)
    asian = tokenize != "13a"
    bleu = BLEU(tokenize=tokenize, effective_order=True)
    chrf = CHRF()
    ter = TER(asian_support=asian, normalized=asian)
    b = bleu.sentence_score(hypothesis, [reference])
    c = chrf.sentence_score(hypothesis, [reference])
    t = ter.sentence_score(hypothesis, [reference])
    return Scores(
        bleu=b.score,
        chrf=c.score,
        ter=t.score,
        signatures={
            "bleu": str(bleu.get_signature()),
            "chrf": str(chrf.get_signature()),
            "ter": str(ter.get_signature()),
        },
    )
