"""The two cheap regex passes that run before the automaton and the contact patterns.

Both are built so that `re` can skip ahead in C: a pattern that starts with one
character class, or whose branches each start with one literal character, gets a
first-character filter; anything else is tried at every position. On 100-character
copy each pass costs about as much as the automaton itself (bench/README.md), so there
are only two, and Python sees only their rare results.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from siyu.risk.normalise import char_class, tables


class Gate:
    """Pass 1: which separators could sit inside a listed word (a disguise), and is
    there a character left to fold.

    A gap is x, separators, y (then z, the next character that stays). It can be inside
    a listed word when xy is a two-character word or the end of a longer one, or xyz
    occurs in one. Prices like "1380 元" share 0元 with 0元购 but not a third character,
    so they are not compacted for nothing. Runs of digits are left out: times and
    prices (10:00, 1 000) are spaced digits far more often than a term's digits are
    disguised."""

    def __init__(self, keys: Iterable[str]) -> None:
        keys = list(keys)

        def grams(n: int) -> frozenset[str]:
            found = {k[i : i + n] for k in keys for i in range(len(k) - n + 1)}
            return frozenset(g for g in found if not g.isdigit())

        bigrams = grams(2)
        self.pairs = frozenset(k for k in keys if len(k) == 2 and not k.isdigit())
        self.tails = frozenset(k[-2:] for k in keys if len(k) > 2 and not k[-2:].isdigit())
        self.trigrams = grams(3)
        tb = tables()
        rem, fold, either = tb.removable_class, tb.foldable_class, tb.either_class
        firsts = char_class({ord(b[0]) for b in bigrams})
        seconds = char_class({ord(b[1]) for b in bigrams})
        # groups 1-3: x, y, z of a gap; all empty: a character to fold. (A group inside
        # the lookbehind made the whole pass half as fast again.)
        self.findall = re.compile(
            f"[{either}](?:(?<=[{fold}])"
            f"|(?<=([{firsts}])[{rem}])[{rem}]*(?=([{seconds}])[{rem}]*(.?)))"
        ).findall

    def verdict(self, found: list[tuple[str, str, str]]) -> int:
        """0: nothing; 1: a gap inside a listed word; 2: fold first, then look again."""
        pairs, tails, trigrams = self.pairs, self.tails, self.trigrams
        disguised = 0
        for x, y, z in found:
            if not x:
                return 2
            pair = x + y
            if pair in pairs or pair in tails or pair + z in trigrams:
                disguised = 1
        return disguised


def hint_pass(hints: Iterable[tuple[str, str, int]]) -> tuple[re.Pattern[str], tuple[int, ...]]:
    """Pass 2: one regex for the hints of every contact/link pattern (contacts.Patterns).

    Each branch starts with one literal character and consumes only it; the rest is a
    lookahead ending in an empty group whose number tells the kind (the match's
    `lastindex`). Listed words need no such pre-filter: with some fifty first
    characters the automaton itself was cheaper than every pre-filter tried."""
    options: dict[str, list[tuple[str, int]]] = {}
    for first, rest, kind in hints:
        options.setdefault(first, []).append((rest, kind))
    kinds = [0]
    branches = []
    for first, opts in options.items():
        inner = []
        for rest, kind in opts:
            inner.append(f"(?={rest})()" if rest else "()")
            kinds.append(kind)
        branches.append(f"{re.escape(first)}(?:{'|'.join(inner)})")
    return re.compile("|".join(branches)), tuple(kinds)
