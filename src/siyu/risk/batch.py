"""Batch scanning (批量扫描): a vectorised pre-filter that clears most texts of a batch at
once, so that only the texts that may hold a finding go through `Scanner.scan`.

Results are those of scanning one by one, by construction: a text is reported clean
only when it cannot contain a finding, and every other text is scanned by the same
code as alone (told only which half — listed words, contact/link patterns — it may
skip). The pre-filter must never miss; it may over-report, which costs only time.

How it decides, for many texts at once with numpy: each code point is mapped by one
table look-up to a small symbol — the character lower-casing and folding make of it
(`normalise`) when that character occurs in a listed word or a hint, else "removable"
(dropped in the compact view) or "other". The compact views of all texts, joined with
a separator that is in no word, are one array.

- Words: a listed term found by the automaton — in the folded text or its compact
  view — also occurs in the compact view. So a text has no word finding unless the
  compact view holds, somewhere, a term (or its first four characters for longer
  terms) that is not covered there by an allowed phrase (第一次 covers 第一) written
  without gaps, which the automaton then also sees and which suppresses the term.
- Contacts and links: each hint of `contacts.patterns().hints` is a first character
  followed, once removable characters are dropped, by one of a few sequences
  (`_HINT_SEQUENCES`); a phone number needs eleven digits, a domain's dot a letter or
  digit before it. No such sequence, no hint, so no contact or link finding.
- Σ (lower-cased by context) and İ (two characters lower-cased) are not folded one
  character to one: texts with either are always scanned. So would texts with a
  character both foldable and removable (pass 1 could take it for a separator and
  leave it unfolded); `normalise` keeps the two classes apart, so there are none
  today, and the check stays as a guard.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence

import numpy as np

from siyu.risk.contacts import DIGITS
from siyu.risk.normalise import tables

SIZE = 0x110000
CHUNK = 2048  # texts per vectorised step, so that the arrays stay in the CPU's cache
_SEP = "\ufdd0"  # a noncharacter: kept in the compact view, in no word and no hint
_SPECIAL = "\u03a3\u0130"  # Σ, İ
_AZ = "abcdefghijklmnopqrstuvwxyz"
_ALNUM = _AZ + "0123456789"
_NAMES = "微威薇徽卫vw"  # first characters of the names of WeChat
_PHONE_SECOND = "3456789三四五六七八九叁肆伍陆柒捌玖"
# What can follow each hint's first character once removable characters are dropped,
# one set of characters per position, from the hints in contacts.patterns() (a test
# checks the first characters agree). Marks: "phone" — nine more digits follow;
# "dot" — a letter or digit comes just before (the dot of a domain).
_HINT_SEQUENCES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("1一壹幺", _PHONE_SECOND), "phone"),
    (("微威薇徽卫", "信", "号" + _AZ), ""),
    (("v", "信x", "号" + _AZ), ""),
    (("w", "x", "号" + _AZ), ""),
    (("w", "e", "ci"), ""),  # wechat, weixin
    (("w", "w", "w"), ""),
    (("加私", "我", "的" + _NAMES), ""),
    (("加私", "的", _NAMES), ""),
    (("加私", _NAMES), ""),
    (("联", "系", "我的" + _NAMES), ""),
    (("+＋", "v"), ""),
    (("q", "q"), ""),
    (("扣", "扣"), ""),
    (("企", "鹅"), ""),
    ((".。点", _AZ), "dot"),
    (("d", "o", "t"), ""),
    (("h", "t", "t", "p"), ""),
    (("@",), ""),
)
HINT_LEADS = frozenset(c for seq, _ in _HINT_SEQUENCES for c in seq[0])
_MAX_TERM, _MAX_ALLOW = 4, 6

# Symbol flags.
_R, _WORD1, _LEAD, _RLEAD, _SPECIAL_FLAG, _DIGIT, _ALNUM_FLAG, _PREV_ALNUM = (
    1, 2, 4, 8, 16, 32, 64, 128
)


@functools.cache
def _folded_and_removable() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every code point: what lower-casing then folding makes of it, whether that
    character is removable (dropped from the compact view), and whether the code point
    is both foldable and removable (pass 1 could take it for a separator and leave the
    text unfolded; none while `normalise` keeps the classes apart)."""
    tb = tables()
    every = np.arange(SIZE, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    lowered = every.replace("\u0130", "\u0000").lower()  # the one lower() longer than 1
    codes = np.frombuffer(lowered.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    fold = np.arange(SIZE, dtype=np.uint32)
    fold[np.fromiter(tb.fold_map, dtype=np.uint32)] = np.fromiter(
        map(ord, tb.fold_map.values()), dtype=np.uint32
    )
    removable = np.zeros(SIZE, dtype=bool)
    for m in tb.removable.finditer(every):
        removable[m.start() : m.end()] = True
    foldable = np.zeros(SIZE, dtype=bool)
    for m in tb.foldable.finditer(every):
        foldable[m.start() : m.end()] = True
    folded = fold[codes]
    return folded, removable[folded], foldable & removable


class _Codes:
    """Sequences of symbols as integers (base = number of symbols), by length."""

    def __init__(self, base: int) -> None:
        self.base = base
        self.by_length: dict[int, set[int]] = {}

    def add(self, symbols: Sequence[int]) -> None:
        code = 0
        for s in symbols:
            code = code * self.base + s
        self.by_length.setdefault(len(symbols), set()).add(code)

    def arrays(self) -> dict[int, np.ndarray]:
        return {n: np.array(sorted(c), dtype=np.int64) for n, c in self.by_length.items()}


def _member(x: np.ndarray, sorted_codes: np.ndarray) -> np.ndarray:
    """x in sorted_codes, element-wise (np.isin sorts both sides each call: slower)."""
    at = np.searchsorted(sorted_codes, x)
    return sorted_codes.take(np.minimum(at, sorted_codes.size - 1)) == x


class Prefilter:
    """Which texts of a batch may have word findings, and which contact/link findings."""

    def __init__(self, term_keys: Iterable[str], allowed: Iterable[str] = ()) -> None:
        folded, removable, ambiguous = _folded_and_removable()
        terms = [k for k in term_keys if k]
        allowed = [a for a in allowed if 1 < len(a) <= _MAX_ALLOW]
        chars = {c for k in terms for c in k[:_MAX_TERM]} | {c for a in allowed for c in a}
        for seq, _ in _HINT_SEQUENCES:
            chars |= set("".join(seq))
        chars |= set(DIGITS) | set(_ALNUM) | {_SEP}
        symbols = ["", "", *sorted(chars), "Σİ"]  # 0: other, 1: removable
        sym_of = {c: i for i, c in enumerate(symbols) if 2 <= i < len(symbols) - 1}
        n = self._base = len(symbols)
        self._special = n - 1
        by_char = np.zeros(SIZE, dtype=np.uint16)
        by_char[removable] = 1
        for c, i in sym_of.items():
            by_char[ord(c)] = i
        sym = by_char[folded]  # the symbol of every original code point
        for c in _SPECIAL:
            sym[ord(c)] = self._special
        sym[ambiguous] = self._special
        self._sym = sym

        flags = np.zeros(n, dtype=np.uint8)
        flags[1] = _R
        flags[self._special] = _SPECIAL_FLAG
        for c, i in sym_of.items():
            flags[i] |= (_R if removable[ord(c)] else 0) | (_DIGIT if c in DIGITS else 0) \
                | (_ALNUM_FLAG if c in _ALNUM else 0)
        self._single = np.zeros(n, dtype=bool)
        pair = np.zeros((n, n), dtype=bool)
        words, allows = _Codes(n), _Codes(n)
        for k in terms:
            flags[sym_of[k[0]]] |= _WORD1
            if len(k) == 1:
                self._single[sym_of[k]] = True
                continue
            pair[sym_of[k[0]], sym_of[k[1]]] = True
            words.add([sym_of[c] for c in k[:_MAX_TERM]])
        for a in allowed:
            allows.add([sym_of[c] for c in a])
        self._words, self._allows = words.arrays(), allows.arrays()

        # Hints: leads that stay in the compact view are checked there by sequence;
        # removable leads (. 。 + @) where they stand, by the next and previous kept
        # symbols.
        hints = _Codes(n)
        phone, dot = _Codes(n), _Codes(n)
        self._next_ok = np.zeros((n, n), dtype=bool)
        for seq, mark in _HINT_SEQUENCES:
            for lead in seq[0]:
                i = sym_of[lead]
                if removable[ord(lead)]:
                    flags[i] |= _RLEAD | (_PREV_ALNUM if mark == "dot" else 0)
                    if len(seq) == 1:
                        self._next_ok[i, :] = True
                    else:
                        self._next_ok[i, [sym_of[c] for c in seq[1]]] = True
                    continue
                flags[i] |= _LEAD
                into = phone if mark == "phone" else dot if mark == "dot" else hints
                for rest in itertools.product(*seq[1:]):
                    into.add([i, *(sym_of[c] for c in rest)])
                    pair[i, sym_of[rest[0]]] = True
        self._hints, self._phone, self._dot = hints.arrays(), phone.arrays(), dot.arrays()
        self._flags, self._pair = flags, pair.ravel()  # pair[a * n + b]: a then b

    def flags(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Two boolean arrays over `texts`: may have word findings, may have contact or
        link findings. False means certainly none."""
        n = len(texts)
        words = np.zeros(n, dtype=bool)
        hints = np.zeros(n, dtype=bool)
        for lo in range(0, n, CHUNK):
            self._chunk(texts[lo : lo + CHUNK], words[lo : lo + CHUNK], hints[lo : lo + CHUNK])
        return words, hints

    def suspects(self, texts: Sequence[str]) -> list[tuple[int, bool, bool]]:
        """(index, may have word findings, may have contact/link findings) of every
        text that may have a finding; the texts left out have none."""
        words, hints = self.flags(texts)
        either = np.flatnonzero(words | hints)
        return list(zip(either.tolist(), words[either].tolist(), hints[either].tolist(),
                        strict=True))

    def _chunk(self, texts: Sequence[str], words: np.ndarray, hints: np.ndarray) -> None:
        # Two separators before each text, and enough after the last for look-aheads.
        joined = _SEP * 2 + _SEP.join(texts) + _SEP * (_MAX_ALLOW + 10)
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        flags, n = self._flags, self._base
        sym = self._sym.take(codes)  # take: several times faster than indexing
        fl = flags.take(sym)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        starts = np.cumsum(lengths + 1) - lengths + 1  # where each text begins in `joined`
        keep = np.flatnonzero((fl & _R) == 0)  # positions of the compact view
        compact = sym.take(keep)

        odd = np.flatnonzero(fl & (_RLEAD | _SPECIAL_FLAG))  # Σ/İ; leads . 。 + @
        if odd.size:
            s = sym.take(odd)
            special = s == self._special
            if special.any():
                words[_texts_of(starts, odd[special])] = True
                hints[_texts_of(starts, odd[special])] = True
            # The dot of a domain follows a letter or digit, or one and a space.
            near = fl.take(odd - 1) | fl.take(odd - 2)
            odd = odd[~special & ((flags.take(s) & _PREV_ALNUM == 0) | (near & _ALNUM_FLAG != 0))]
        if odd.size:
            s = sym.take(odd)
            at = np.searchsorted(keep, odd)  # the next kept symbol is compact[at]
            ok = self._next_ok[s, compact.take(at)]
            ok &= (flags.take(s) & _PREV_ALNUM == 0) | (
                flags.take(compact.take(at - 1)) & _ALNUM_FLAG != 0)
            if ok.any():
                hints[_texts_of(starts, odd[ok])] = True

        cand = np.flatnonzero(flags.take(compact) & (_WORD1 | _LEAD))
        if not cand.size:
            return
        first = compact.take(cand).astype(np.int64)
        single = self._single.take(first)
        if single.any():
            words[_texts_of(starts, keep[cand[single]])] = True
        j = cand[self._pair.take(first * n + compact.take(cand + 1))]
        if not j.size:
            return
        window = compact.take(j[:, None] + np.arange(_MAX_ALLOW)).astype(np.int64)
        prefix = np.empty_like(window)  # prefix[:, n - 1]: the code of the first n symbols
        prefix[:, 0] = window[:, 0]
        for col in range(1, _MAX_ALLOW):
            prefix[:, col] = prefix[:, col - 1] * self._base + window[:, col]

        def found(table: dict[int, np.ndarray]) -> np.ndarray:
            hit = np.zeros(j.size, dtype=bool)
            for length, codes_ in table.items():
                hit |= _member(prefix[:, length - 1], codes_)
            return hit

        w = np.flatnonzero(found(self._words))
        if w.size:
            jw, kw = j[w], keep[j[w]]
            covered = np.zeros(w.size, dtype=bool)
            for length, codes_ in self._allows.items():  # an allowed phrase without gaps
                covered |= _member(prefix[w, length - 1], codes_) & (
                    keep[jw + length - 1] - kw == length - 1)
            words[_texts_of(starts, kw[~covered])] = True

        hint = found(self._hints)
        phone = found(self._phone)
        if phone.any():  # eleven digits in a row once separators are dropped
            tail = compact[j[phone][:, None] + np.arange(2, 11)]
            phone[phone] = (flags[tail] & _DIGIT != 0).all(axis=1)
        dot = found(self._dot)
        if dot.any():  # 点 as the dot of a domain: after a letter or digit
            dot[dot] = flags[compact[j[dot] - 1]] & _ALNUM_FLAG != 0
        hint |= phone | dot
        if hint.any():
            hints[_texts_of(starts, keep[j[hint]])] = True


def _texts_of(starts: np.ndarray, pos: np.ndarray) -> np.ndarray:
    return np.searchsorted(starts, pos, side="right") - 1
