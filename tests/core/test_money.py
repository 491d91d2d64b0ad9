from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from siyu.core.errors import InvalidInput
from siyu.core.money import allocate, fmt_yuan, parse_yuan, percent_of


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_format_then_parse_is_identity(fen):
    assert parse_yuan(fmt_yuan(fen), allow_negative=True) == fen


@given(st.integers(min_value=0, max_value=10**12))
def test_format_has_exactly_two_decimals(fen):
    whole, frac = fmt_yuan(fen).split(".")
    assert len(frac) == 2 and int(whole) * 100 + int(frac) == fen


@pytest.mark.parametrize("text,fen", [("300", 30000), ("300.5", 30050), ("300.50", 30050),
                                      ("0.01", 1), (" 12.30 ", 1230), ("¥9.90", 990), (7, 700)])
def test_parse_accepts(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("bad", ["1.234", "abc", "", "1,000.00", "1e3", 1.5, True, None, "--1"])
def test_parse_rejects_with_field(bad):
    with pytest.raises(InvalidInput) as e:
        parse_yuan(bad, "price")
    assert e.value.field == "price"


def test_more_than_two_decimals_says_so():
    with pytest.raises(InvalidInput, match="两位小数"):
        parse_yuan("0.001", "amount")


def test_negative_refused_unless_allowed():
    with pytest.raises(InvalidInput):
        parse_yuan("-1.00")
    assert parse_yuan("-1.00", allow_negative=True) == -100


def test_fmt_refuses_floats():
    with pytest.raises(TypeError):
        fmt_yuan(1.0)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**9),
       st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=30))
def test_allocate_sums_exactly_and_is_near_pro_rata(total, weights):
    if sum(weights) == 0:
        return
    shares = allocate(total, weights)
    assert sum(shares) == total
    s = sum(weights)
    for share, w in zip(shares, weights, strict=True):
        exact = Decimal(total) * w / s
        assert exact - 1 < share < exact + 1 or (w == 0 and share == 0)


def test_allocate_gives_missing_fen_in_input_order():
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]


@pytest.mark.parametrize("fen,pct,out", [(1000, "5", 50), (1, "50", 1), (3, "50", 2),
                                         (999, "33.3", 333), (100, "0", 0)])
def test_percent_rounds_half_up(fen, pct, out):
    assert percent_of(fen, pct) == out
