"""The split engine (contract 2): exact sums, bounds, the double-mean rule, seeds."""

from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siyu.core.errors import InvalidInput
from siyu.hongbao import engine
from siyu.hongbao.engine import Limits, Tier


@st.composite
def amount_and_count(draw):
    count = draw(st.integers(min_value=1, max_value=500))
    amount = draw(st.integers(min_value=count, max_value=2_000_000))
    return amount, count


@settings(max_examples=300, deadline=None)
@given(amount_and_count(), st.integers(min_value=0, max_value=2**63 - 1))
def test_lucky_shares_follow_the_double_mean_rule_and_sum_exactly(ac, seed):
    amount, count = ac
    shares = engine.split(amount, count, "lucky", rng=random.Random(seed))
    assert len(shares) == count and sum(shares) == amount
    assert min(shares) >= 1
    remaining = amount
    for left, share in zip(range(count, 1, -1), shares, strict=False):
        assert share <= 2 * remaining // left  # at most twice the mean of what remains
        assert remaining - share >= left - 1  # one fen kept for every share to come
        remaining -= share
    assert shares[-1] == remaining


@settings(max_examples=200, deadline=None)
@given(amount_and_count())
def test_equal_shares_differ_by_at_most_one_fen(ac):
    amount, count = ac
    shares = engine.split(amount, count, "equal")
    assert sum(shares) == amount and len(shares) == count
    assert max(shares) - min(shares) <= 1


@settings(max_examples=100, deadline=None)
@given(amount_and_count(), st.integers(min_value=0, max_value=10**9))
def test_the_same_seed_gives_the_same_shares(ac, seed):
    amount, count = ac
    a = engine.split_document(amount, count, "lucky", seed)
    b = engine.split_document(amount, count, "lucky", seed)
    assert a == b and a["amount"] == engine.fmt_yuan(amount)


def test_every_fen_of_the_first_share_range_can_be_drawn():
    # 3 shares of 0.06: the first share is uniform on [0.01, 0.04].
    seen = {engine.split(6, 3, "lucky", rng=random.Random(s))[0] for s in range(400)}
    assert seen == {1, 2, 3, 4}


def test_the_document_has_the_contract_keys_in_order():
    doc = engine.split_document(10000, 10, "lucky", 7)
    assert list(doc) == ["amount", "count", "mode", "shares"]
    assert doc["amount"] == "100.00" and doc["count"] == 10 and len(doc["shares"]) == 10
    assert all(len(s.split(".")[1]) == 2 for s in doc["shares"])


@pytest.mark.parametrize("amount, count, field", [
    (0, 1, "amount"), (-5, 1, "amount"), (100, 0, "count"), (9, 10, "amount"),
    (2_000_001, 10, "amount"), (100_000, 501, "count"),
])
def test_validation_names_the_field(amount, count, field):
    with pytest.raises(InvalidInput) as e:
        engine.validate(amount, count, Limits())
    assert e.value.field == field and e.value.message.startswith(field)


def test_merchant_limits_move_the_bounds():
    engine.validate(5_000_000, 1000, Limits(max_amount=5_000_000, max_count=1000))


def test_no_share_above_the_top_prize_cap():
    with pytest.raises(InvalidInput):
        engine.check_top_prize([5_000_001], Limits())
    engine.check_top_prize([5_000_000], Limits())


def test_tiers_unlock_by_people_shared_to():
    tiers = engine.DEFAULT_TIERS
    assert engine.tier_for(tiers, 0) == (Tier(0, 500), Tier(1, 2000))
    assert engine.tier_for(tiers, 2) == (Tier(1, 2000), Tier(3, 10000))
    assert engine.tier_for(tiers, 7) == (Tier(3, 10000), None)


@pytest.mark.parametrize("raw", [
    [{"shares": 1, "value": "5.00"}],
    [{"shares": 0, "value": "5.00"}, {"shares": 0, "value": "6.00"}],
    [{"shares": 0, "value": "5.00"}, {"shares": 2, "value": "4.00"}],
    [{"shares": 0, "value": "5.001"}],
])
def test_bad_tiers_are_refused(raw):
    with pytest.raises(InvalidInput):
        engine.parse_tiers(raw)


@pytest.mark.parametrize("raw, field", [
    ([{"shares": 1, "value": "5.00"}], "tiers[0].shares"),
    ([{"shares": 0, "value": "5.00"}, {"shares": 2, "value": "4.00"}], "tiers[1]"),
    ([{"shares": 0, "value": "5.00"}, {"shares": 1, "value": "x"}], "tiers[1].value"),
])
def test_bad_tiers_are_named_with_brackets(raw, field):
    with pytest.raises(InvalidInput) as e:
        engine.parse_tiers(raw)
    assert e.value.field == field and e.value.message.startswith(f"{field}: ")


def test_the_document_refuses_a_share_above_the_top_prize_cap():
    limits = Limits(max_amount=10_000_000)
    with pytest.raises(InvalidInput) as e:
        engine.split_document(6_000_000, 1, "lucky", 1, limits=limits, field="--amount")
    assert e.value.field == "--amount" and "60000.00" in e.value.message
    doc = engine.split_document(6_000_000, 2, "equal", None, limits=limits)
    assert doc["shares"] == ["30000.00", "30000.00"]


RULES = {"kind": "normal", "seed_sha256": hashlib.sha256(b"42").hexdigest()}


@pytest.mark.parametrize("status", ["active", "not_started", "pending_review"])
def test_an_open_envelope_shows_only_the_seed_commitment(status):
    shown = engine.public_rules(RULES | {"seed": "42"}, "42", status)
    assert "seed" not in shown and shown["seed_sha256"] == RULES["seed_sha256"]


@pytest.mark.parametrize("status", ["empty", "expired", "refunded", "rejected"])
def test_a_finished_envelope_shows_the_seed_matching_its_commitment(status):
    shown = engine.public_rules(RULES, "42", status)
    assert engine.seed_commitment(shown["seed"]) == shown["seed_sha256"]


def test_published_rules_commit_to_the_seed_and_never_store_it():
    rules = engine.published_rules(kind="normal", mode="lucky", amount=100, count=2,
                                   shares=[30, 70], starts_at="s", expires_at="e",
                                   how_to_claim="h", seed=42)
    assert rules["seed_sha256"] == RULES["seed_sha256"] and "42" not in str(rules)


@pytest.mark.parametrize("extra, says", [
    (0, "每人限开一次"), (1, "最多多开 1 次 (每人最多开 2 次)"), (3, "最多多开 3 次"),
])
def test_blind_box_claim_text_states_the_open_limit(extra, says):
    assert says in engine.how_to_claim("blind_box", extra)
