"""Normalisation of copy before matching (归一化), with a way back to the original offsets.

Two views of a text are used:

- the *folded* text: the same length as the original, character for character —
  full-width letters and digits → ASCII, upper → lower case, traditional → simplified
  (OpenCC t2s, per character), circled/superscript/Suzhou digits → ASCII digits,
  enclosed ideograph numerals (㈠ ㊀) and formal numerals (壹 贰) → 一…十, a few
  Cyrillic/Greek look-alikes → ASCII.
  Offsets in it are offsets in the original.
- the *compact* text: the folded text without removable characters (spaces,
  punctuation, symbols, emoji, zero-width and other format characters), which evasion
  inserts between the characters of a term. `kept_positions` maps it back.

Speed: `str.translate` costs a dict look-up per character, so folding first asks one
precompiled character class whether anything needs folding at all (usually not) and
then folds only the runs that do. The tables are built once, on first use (~0.1 s).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# Unicode categories removed in the compact view: separators, punctuation, symbols,
# marks (combining, keycap, variation selectors) and format/control characters.
_REMOVABLE_CATEGORIES = frozenset(
    {"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po",
     "Sm", "Sc", "Sk", "So"}
)
# The subset used between the parts of a link or an e-mail: no ASCII punctuation.
_SEPARATOR_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me", "Sk", "So"})

# CJK extension B is left out: its traditional forms are rare in copy and would double
# the start-up time.
_HAN_RANGES = (range(0x3400, 0xA000), range(0xF900, 0xFB00))
_NFKC_BLOCKS = (
    range(0x2070, 0x20A0),  # super/subscript digits
    range(0x2460, 0x2500),  # ① ⑴ ⓐ Ⓐ
    range(0x2776, 0x2794),  # ❶ ➀ ➊
    range(0xFF00, 0xFFF0),  # full-width forms
    range(0x1D400, 0x1D800),  # mathematical letters and digits
    range(0x1F100, 0x1F1E6),  # 🄁 🄰 🅐 squared/circled letters
)
_HAN_NUMERALS = "一二三四五六七八九十"
_FORMAL_NUMERALS = "壹贰叁肆伍陆柒捌玖拾"
_LOOKALIKES = {
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w",
}


@dataclass(frozen=True)
class Tables:
    fold_map: dict[int, str]
    foldable_char: re.Pattern[str]  # one character that folding may change
    foldable: re.Pattern[str]  # a run of them
    removable: re.Pattern[str]  # a run of characters dropped in the compact view
    removable_class: str  # bodies of character classes, to compose other patterns
    foldable_class: str
    either_class: str  # removable or foldable
    separator_class: str


def char_class(codepoints: set[int] | list[int]) -> str:
    """The body of a regex character class for these code points, as ranges.

    Keep classes to the BMP where speed matters: re compiles BMP members into one
    bitmap (a constant-time test), but tests characters beyond it range by range."""
    out: list[str] = []
    cps = sorted(set(codepoints))
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = cps[i], cps[j]
        out.append(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}")
        i = j + 1
    return "".join(out)


def _t2s_map() -> dict[int, str]:
    """Traditional → simplified per character, from OpenCC's t2s configuration.

    Characters are converted one per line so that OpenCC's phrase dictionary cannot
    join neighbours; only one-to-one results are kept (all of them, in OpenCC 1.4),
    which is what keeps the folded text the same length as the original."""
    import opencc

    chars = [chr(c) for r in _HAN_RANGES for c in r]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # a conversion swallowed a line break
        return {}
    return {ord(a): b for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1}


def _fold_map() -> dict[int, str]:
    m: dict[int, str] = {c: chr(c + 32) for c in range(ord("A"), ord("Z") + 1)}
    for block in _NFKC_BLOCKS:
        for cp in block:
            digit = unicodedata.digit(chr(cp), None)  # ❶ ⒊ ⑴ have no NFKC digit
            n = str(digit) if digit is not None else unicodedata.normalize("NFKC", chr(cp))
            if len(n) == 1 and n.isascii() and n.isalnum():
                m[cp] = n.lower()
    m[0xFF20] = "@"  # ＠
    m[0xFF0E] = "."  # ．
    for i in range(9):
        m[0x3021 + i] = str(i + 1)  # Suzhou numerals 〡…〩
    for i, numeral in enumerate(_HAN_NUMERALS):
        m[0x3220 + i] = numeral  # ㈠…㈩
        m[0x3280 + i] = numeral  # ㊀…㊉
        m[ord(_FORMAL_NUMERALS[i])] = numeral  # 壹…拾 (大写数字): 第壹 reads 第一
    for k, v in _LOOKALIKES.items():
        m[ord(k)] = v
        upper = k.upper()
        if len(upper) == 1 and upper != k:
            m[ord(upper)] = v
    m.update(_t2s_map())
    for k, v in m.items():  # one step must reach the final form: 薴 → 苧 → 苎
        for _ in range(4):
            v = m.get(ord(v), v)
        m[k] = v
    return {k: v for k, v in m.items() if chr(k) != v}


@functools.cache
def tables() -> Tables:
    fold_map = _fold_map()
    removable: list[int] = []
    separators: list[int] = []
    for cp in range(0x10000):
        cat = unicodedata.category(chr(cp))
        if cat in _REMOVABLE_CATEGORIES and cp not in fold_map:
            removable.append(cp)
            if cat in _SEPARATOR_CATEGORIES:
                separators.append(cp)
    # Beyond the BMP, mostly whole blocks: emoji and symbols, tags and variation
    # selectors are removable; mathematical letters and digits are folded (listing each
    # code point's category would give the classes dozens of ranges, and a character
    # outside a class is tested against every range). The enclosed alphanumerics
    # (🄰 🄁) are split exactly: what folds to a letter or digit is read as one, never
    # dropped as a separator, so 最🄰佳 and 最 🄰 佳 both read 最a佳 (as 最 A 佳 does);
    # the rest of that block (🄐 🇨🇳) is removable like emoji.
    enclosed = range(0x1F100, 0x1F200)
    astral_foldable = [*range(0x1D400, 0x1D800), *(cp for cp in enclosed if cp in fold_map)]
    astral_removable = [*range(0x1F000, 0x1FC00), *range(0xE0000, 0xE01F0)]
    astral_removable = [cp for cp in astral_removable if cp not in fold_map]
    foldable = [cp for cp in fold_map if cp < 0x10000] + astral_foldable
    rem, fold_class = char_class(removable + astral_removable), char_class(foldable)
    return Tables(
        fold_map=fold_map,
        # A lone class first lets re skip ahead in C to the first candidate; `[x]+`
        # would not, hence `[x][x]*`.
        foldable_char=re.compile(f"[{fold_class}]"),
        foldable=re.compile(f"[{fold_class}][{fold_class}]*"),
        removable=re.compile(f"[{rem}][{rem}]*"),
        removable_class=rem,
        foldable_class=fold_class,
        # the union as one class: its astral ranges merge (three, not ten)
        either_class=char_class(removable + astral_removable + foldable),
        separator_class=char_class(separators + astral_removable),
    )


def fold(text: str) -> str:
    """Full-width, case, traditional and digit variants folded; same length as `text`."""
    tb = tables()
    if tb.foldable_char.search(text) is None:
        return text
    table = tb.fold_map
    return tb.foldable.sub(lambda m: m.group().translate(table), text)


def compact(folded: str) -> str:
    """The folded text without the characters evasion inserts between letters."""
    return tables().removable.sub("", folded)


def kept_positions(folded: str) -> list[int]:
    """For each character of `compact(folded)`, its index in `folded` (= the original)."""
    out: list[int] = []
    prev = 0
    for m in tables().removable.finditer(folded):
        out.extend(range(prev, m.start()))
        prev = m.end()
    out.extend(range(prev, len(folded)))
    return out


def normalise_term(word: str) -> str:
    """A listed term in the form it is matched in: folded and compact."""
    return compact(fold(word))
