"""Market prices: converted, rounded to the market's ending, formatted for its shoppers, exported with
the translations."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tolk.config import MarketSettings, load
from tolk.core import ConfigError
from tolk.markets import localize, round_price

from .conftest import run_tolk

MARKETS = """
[pricing]
field = "price"
currency = "USD"
[markets.kr]
language = "ko"
currency = "KRW"
rate = 1385.5
rounding = "900"
[markets.es]
language = "es"
currency = "EUR"
rate = 0.92
rounding = ".99"
[markets.mx]
language = "es"
currency = "MXN"
rate = 17.1
rounding = "9"
locale = "es_MX"
[markets.jp]
language = "ja"
currency = "JPY"
rate = 151.2
"""


@pytest.mark.parametrize(
    ("amount", "rule", "currency", "mode", "expected"),
    [
        ("12.30", ".99", "EUR", "up", "12.99"),
        ("12.99", ".99", "EUR", "up", "12.99"),
        ("13.00", ".99", "EUR", "up", "13.99"),
        ("13.10", ".99", "EUR", "nearest", "12.99"),
        ("0.40", ".99", "EUR", "nearest", "0.99"),  # never rounded down to nothing
        ("12345", "900", "KRW", "up", "12900"),
        ("12950", "900", "KRW", "up", "13900"),
        ("12345", "00", "KRW", "up", "12400"),
        ("12.341", None, "USD", "up", "12.35"),
        ("12.345", None, "USD", "nearest", "12.35"),
        ("1234.5", None, "JPY", "up", "1235"),
        ("23.10", "9.99", "USD", "up", "29.99"),
    ],
)
def test_rounding_rules(amount: str, rule: str | None, currency: str, mode: str, expected: str) -> None:
    assert round_price(Decimal(amount), rule, currency, mode) == Decimal(expected)


@given(
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2),
    rule=st.sampled_from([".99", ".95", "900", "00", "9.99"]),
)
def test_up_never_sells_below_and_ends_as_told(amount: Decimal, rule: str) -> None:
    price = round_price(amount, rule, "USD", "up")
    whole, _, frac = rule.partition(".")
    step = Decimal(10) ** len(whole) if whole else Decimal(1)
    ending = Decimal(whole or "0") + Decimal(f"0.{frac or 0}")
    assert amount <= price < amount + step
    assert (price - ending) % step == 0


def test_prices_read_as_each_market_writes_them() -> None:
    kr = MarketSettings(language="ko", currency="krw", rate=Decimal("1385.5"), rounding="900")
    assert localize(Decimal("9.99"), kr) == (Decimal("13900"), "₩13,900")
    es = MarketSettings(language="es", currency="EUR", rate=Decimal("0.92"), rounding="0.99")
    assert localize(Decimal("9.99"), es) == (Decimal("9.99"), "9,99\xa0€")
    jp = MarketSettings(language="ja", currency="JPY", rate=Decimal("151.2"))
    assert localize(Decimal("9.99"), jp)[1] == "￥1,511"


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ('currency = "XYZ"\nrate = 1', "markets.kr.currency: Value error, 'XYZ' is not an ISO 4217"),
        ('currency = "KRW"\nrate = 0', "markets.kr.rate: Input should be greater than 0"),
        ('currency = "KRW"\nrate = 1\nrounding = "9x"', "markets.kr.rounding: Value error, '9x' is not"),
        ('currency = "KRW"\nrate = 1\nlocale = "xx_YY"', "markets.kr: Value error, locale 'xx_YY'"),
    ],
)
def test_bad_market_settings_name_the_field(tmp_path: Path, snippet: str, message: str) -> None:
    cfg = tmp_path / "tolk.toml"
    cfg.write_text(f'[markets.kr]\nlanguage = "ko"\n{snippet}\n')
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load(cfg)


def _setup(tmp_path: Path, price: object = 9.99) -> Path:
    cfg = tmp_path / "tolk.toml"
    cfg.write_text('default_engine = "dummy"\n[engines.dummy]\nkind = "dummy"\nexternal = false\n' + MARKETS)
    rows = [{"id": "lamp", "name": "Desk lamp", "price": price}, {"id": "gift", "name": "Gift card"}]
    (tmp_path / "catalog.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return cfg


def test_prices_are_exported_with_the_translations(tmp_path: Path) -> None:
    cfg, db = _setup(tmp_path), f"sqlite:///{tmp_path / 'tolk.db'}"
    done = run_tolk(
        "translate",
        "catalog.jsonl",
        "--to",
        "es,ko",
        "--db",
        db,
        "--config",
        str(cfg),
        "--out",
        "out.jsonl",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    prices = {r["field"]: (r["lang"], r["text"], r["amount"]) for r in records if r["engine"] == "market"}
    # es and ko were asked for: the jp market (ja) is not exported; the gift card has no price
    assert prices == {
        "price.es": ("es", "9,99\xa0€", "9.99"),
        "price.mx": ("es", "$179.00", "179.00"),  # CLDR's es_MX
        "price.kr": ("ko", "₩13,900", "13900"),
    }
    exported = run_tolk(
        "export", "--db", db, "--config", str(cfg), "--format", "csv", "--out", "all.csv", cwd=tmp_path
    )
    assert exported.returncode == 0, exported.stderr
    with (tmp_path / "all.csv").open(newline="") as fh:
        rows = {r["field"]: r for r in csv.DictReader(fh) if r["grade"] == "MARKET"}
    assert set(rows) == {"price.es", "price.mx", "price.kr", "price.jp"}
    assert (rows["price.jp"]["lang"], rows["price.jp"]["text"]) == ("ja", "￥1,511")


def test_a_price_that_is_not_a_number_stops_the_export_with_nothing_written(tmp_path: Path) -> None:
    cfg, db = _setup(tmp_path, price="call us"), f"sqlite:///{tmp_path / 'tolk.db'}"
    assert (
        run_tolk(
            "translate", "catalog.jsonl", "--to", "es", "--db", db, "--config", str(cfg), cwd=tmp_path
        ).returncode
        == 0
    )
    done = run_tolk("export", "--db", db, "--config", str(cfg), "--out", "all.jsonl", cwd=tmp_path)
    assert done.returncode != 0
    assert "item lamp: price: not a price ('call us')" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "all.jsonl").exists()
