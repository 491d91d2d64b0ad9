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


def test_a_character_is_either_folded_or_dropped_never_both():
    """Pass 1 reads a foldable character as what it folds to: had 🄰 also been a separator,
    最 🄰 佳 would read 最佳 and 最🄰佳 would read 最a佳."""
    import re

    tb = tables()
    rem, fold_class = re.compile(f"[{tb.removable_class}]"), re.compile(f"[{tb.foldable_class}]")
    for ch in ("🄰", "🅉", "🄁", "𝐀", "Ａ", "①"):
        assert fold_class.match(ch) and not rem.match(ch), ch
    for ch in ("🔥", "🇨", "🄐", "\u200b", "❤"):
        assert rem.match(ch) and not fold_class.match(ch), ch
    assert compact(fold("最 🄰 佳")) == compact(fold("最🄰佳")) == "最a佳"


def test_spaced_and_unspaced_enclosed_letters_scan_alike():
    from siyu.risk.scanner import scan_text

    assert scan_text("最 🄰 佳").verdict == scan_text("最🄰佳").verdict == "pass"
    assert scan_text("最 🔥 佳").verdict == scan_text("最🔥佳").verdict == "block"
    assert scan_text("加V：🄰🄱🄲123456").findings[0].category == "contact"
