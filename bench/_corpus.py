"""Deterministic English product sentences for the benchmarks (no downloads)."""

from __future__ import annotations

import random

ADJ = ["red", "blue", "light", "soft", "strong", "classic", "new", "small", "large", "warm", "quiet", "cheap"]
NOUN = [
    "shoes",
    "jacket",
    "kettle",
    "lamp",
    "chair",
    "bag",
    "pillow",
    "watch",
    "mouse",
    "bottle",
    "helmet",
    "sofa",
]
VERB = ["keeps", "protects", "holds", "charges", "cleans", "supports", "carries", "heats", "cools", "lights"]
OBJ = [
    "your phone",
    "the water",
    "your feet",
    "the room",
    "your back",
    "your clothes",
    "the garden",
    "your pets",
]
TAIL = [
    "in minutes.", "for many years.", "at home and at work.", "every day.", "with little effort.",
    "during the night.", "in the summer.", "without any noise.",
]  # fmt: skip


def sentences(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = [rng.choice(ADJ), rng.choice(NOUN), rng.choice(VERB), rng.choice(OBJ), rng.choice(TAIL)]
        s = "The " + " ".join(words)
        if i % 3 == 0:
            s += f" It weighs {rng.randint(1, 900)} g and costs {rng.randint(5, 300)} dollars."
        out.append(s)
    return out


def distinct_sentences(n: int, seed: int = 7) -> list[str]:
    """`n` different sentences (the generator repeats itself now and then): a run of them has nothing to
    reuse, so every one goes to the engine."""
    seen: dict[str, None] = {}
    more = n
    while len(seen) < n:
        seen = dict.fromkeys(sentences(more, seed))
        more += n // 10 + 1
    return list(seen)[:n]
