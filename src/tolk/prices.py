"""List prices per model, USD per million tokens, each with where and when it was read.

An engine's own `price_in_per_mtok` / `price_out_per_mtok` win; this table fills in for models it
knows. Providers change prices: check the source before trusting a budget to these. Models not here
(e.g. qwen-mt-flash, whose list price was not found in the sources reachable when this table was
made) cost what the configuration says, 0 by default.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Price:
    input: float  # USD per 1M input tokens (cache miss where the provider distinguishes)
    output: float  # USD per 1M output tokens
    taken: str  # when the source said so
    source: str


ALIBABA = "alibabacloud.com/help/en/model-studio/"
OPENAI = "platform.openai.com/docs/pricing"
PRICES: dict[str, Price] = {
    "qwen-mt-turbo": Price(0.16, 0.49, "2026-07-24", ALIBABA + "qwen-mt-turbo (International)"),
    "qwen-mt-plus": Price(2.46, 7.37, "2025-04-27", ALIBABA + "videos/translation-ability (Qwen-MT)"),
    "qwen-mt-lite-us": Price(0.12, 0.36, "2026-07", ALIBABA + "qwen-mt-lite-us (US)"),
    "deepseek-chat": Price(0.27, 1.10, "2025-02", "api-docs.deepseek.com/quick_start/pricing-details-usd"),
    "gpt-4o-mini": Price(0.15, 0.60, "2025-04", OPENAI),
    "gpt-4.1-mini": Price(0.40, 1.60, "2025-04", OPENAI),
    "gpt-4.1-nano": Price(0.10, 0.40, "2025-04", OPENAI),
}


def price(model: str) -> Price | None:
    return PRICES.get(model.lower())
