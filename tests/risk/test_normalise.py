"""Normalisation: the folded view keeps the original's offsets; the compact view maps back."""

import opencc
import pytest

from siyu.risk.normalise import compact, fold, kept_positions, normalise_term, tables


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("ＮＯ．１", "no.1"),
        ("國家級", "国家级"),
        ("全網最低價", "全网最低价"),
        ("1③8 ❶➋⑶ ５６", "138 123 56"),
        ("ⒶⓑＣ𝐃", "abcd"),
        ("㊀㈡〣", "一二3"),
        ("ВОХ", "box"),  # Cyrillic look-alikes
        ("薴", "苎"),  # a two-step traditional form folds in one step
    ],
)
def test_fold(raw, folded):
    assert fold(raw.lower()) == folded


def test_fold_keeps_length_and_plain_text():
    text = "新品上市，限时特惠！满300减50 🎉"
    assert fold(text) is text
    mixed = "國家級ＶＩＰ①號"
    assert len(fold(mixed)) == len(mixed)


def test_opencc_t2s_is_one_character_for_one_character():
    """The fold table relies on it: traditional → simplified never changes a length."""
    cc = opencc.OpenCC("t2s")
    sample = "國家級網絡頭髮後麵於著乾隆瞭解說這為與萬歲體驗經濟點擊購買優惠價格"
    assert all(len(cc.convert(ch)) == 1 for ch in sample)
    assert len(tables().fold_map) > 2500


def test_compact_drops_separators_and_maps_back():
    folded = fold("全 . 网❤️最\u200b低！")
    c = compact(folded)
    assert c == "全网最低"
    pos = kept_positions(folded)
    assert [folded[i] for i in pos] == list(c)


def test_normalise_term():
    assert normalise_term("NO.1") == "no1"
    assert normalise_term("100%有效") == "100有效"
    assert normalise_term("…！") == ""
