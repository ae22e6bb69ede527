"""Market prices: a catalog price converted, rounded the way a market sells, formatted with Babel.

`[pricing]` names the catalog's price attribute and its currency; each `[markets.NAME]` gives the
language its shoppers read, its currency, the exchange rate and a rounding rule. A rule is the ending
prices should have: ".99" gives 12.99 (the smallest X.99 at or above the converted price), "900" gives
12,900 (KRW), "00" a multiple of 100; no rule rounds to the currency's minor unit. `mode = "nearest"`
rounds to the closest such price instead of up (up never sells below the converted price).
Exported next to the translations (`tolk export`, `tolk translate --out`) as one record per item and
market: field `price.NAME`, the market's language, the formatted price as text.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_currency, get_currency_precision

from tolk.config import MarketSettings, PricingSettings
from tolk.core import InputError
from tolk.store.repo import Store


def round_price(amount: Decimal, rule: str | None, currency: str, mode: str = "up") -> Decimal:
    """`amount` rounded to the market's ending (see the module's docstring)."""
    if rule is None:
        unit = Decimal(1).scaleb(-get_currency_precision(currency))
        return amount.quantize(unit, ROUND_CEILING if mode == "up" else ROUND_HALF_UP)
    whole, _, frac = rule.partition(".")
    step = Decimal(10) ** len(whole) if whole else Decimal(1)  # "900" repeats every 1000, ".99" every 1
    ending = Decimal(whole or "0") + Decimal(f"0.{frac or 0}")
    below = ((amount - ending) / step).to_integral_value(ROUND_FLOOR) * step + ending  # ≤ amount
    above = below if below == amount else below + step
    chosen = above if mode == "up" or below <= 0 or above - amount <= amount - below else below
    places = max(get_currency_precision(currency), len(frac))
    return chosen.quantize(Decimal(1).scaleb(-places))


def localize(amount: Decimal, market: MarketSettings) -> tuple[Decimal, str]:
    """The market's price for a catalog price, and how its shoppers read it."""
    local = round_price(amount * market.rate, market.rounding, market.currency, market.mode)
    return local, format_currency(local, market.currency, locale=market.babel_locale)


def price_rows(
    store: Store,
    pricing: PricingSettings,
    markets: dict[str, MarketSettings],
    langs: Collection[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """One export record per item with a price and per market (of `langs`, when given)."""
    chosen = {n: m for n, m in sorted(markets.items()) if langs is None or m.language in langs}
    if not chosen:
        return
    for item_id, attrs in store.item_attrs():
        raw = attrs.get(pricing.field)
        if raw is None or raw == "":
            continue
        amount = _amount(item_id, pricing.field, raw)
        for name, market in chosen.items():
            local, shown = localize(amount, market)
            yield {
                "id": item_id,
                "field": f"price.{name}",
                "lang": market.language,
                "source": f"{amount} {pricing.currency}",
                "text": shown,
                "grade": "MARKET",
                "status": "CHECKED",
                "score": None,
                "failed": [],
                "approved_by": None,
                "engine": "market",
                "model": f"{market.currency}@{market.rate}",
                "amount": str(local),
                "currency": market.currency,
                "market": name,
            }


def _amount(item_id: str, field: str, raw: Any) -> Decimal:
    try:
        if isinstance(raw, bool):
            raise InvalidOperation
        value = Decimal(str(raw).strip())
        if not value.is_finite() or value < 0:
            raise InvalidOperation
    except InvalidOperation:
        raise InputError(f"item {item_id}: {field}: not a price ({raw!r})") from None
    return value
