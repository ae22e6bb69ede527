"""Every registered check, on its own good and bad examples (generated from the registry: a new check
cannot skip this)."""

from __future__ import annotations

import pytest

from tolk.quality.base import Check, Sample
from tolk.quality.checks import ALL, BY_ID

GOOD = [(c, s) for c in ALL for s in c.good]
BAD = [(c, s) for c in ALL for s in c.bad]


def _id(pair: tuple[type[Check], Sample]) -> str:
    check, sample = pair
    return f"{check.id}:{sample.tgt_lang}:{sample.target[:24]!r}"


@pytest.mark.parametrize("check", ALL, ids=[c.id for c in ALL])
def test_a_check_is_described_and_has_examples_both_ways(check: type[Check]) -> None:
    assert check.id and check.description and BY_ID[check.id] is check
    assert check.good and check.bad, f"{check.id}: give good and bad examples"


@pytest.mark.parametrize("pair", GOOD, ids=[_id(p) for p in GOOD])
def test_good_examples_pass(pair: tuple[type[Check], Sample]) -> None:
    check, sample = pair
    assert check().run(sample) is None


@pytest.mark.parametrize("pair", BAD, ids=[_id(p) for p in BAD])
def test_bad_examples_are_caught(pair: tuple[type[Check], Sample]) -> None:
    check, sample = pair
    finding = check().run(sample)
    assert finding is not None and finding.check == check.id and finding.message
