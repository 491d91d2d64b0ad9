"""The copy scanner (文案扫描): word lists through one Aho-Corasick automaton over the
normalised text, patterns for contacts and links, and a verdict.

Pure: no database, no clock. `scan_text` is the entry point (`scan_many` for many
texts at once: the same results, through the vectorised pre-filter of `batch`);
`Scanner` holds one compiled automaton (built-in lists plus a merchant's custom list)
and is reused.

Per text: lower-case (C); pass 1 (`passes.Gate`) looks for characters still to fold
and for separators that could sit inside a listed word; only then are the text folded
and the compact view (separators removed) built — otherwise no disguised term can
exist and the automaton runs on the folded text directly; pass 2 (`passes.hint_pass`)
says which contact/link patterns are worth running. Offsets are mapped back to the
original only for the rare hits.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import NamedTuple

import ahocorasick

from siyu.risk import contacts
from siyu.risk.lexicon import (
    ALLOW,
    CONTACT_RULE,
    CONTACT_SUGGESTION,
    CUSTOM_RULES,
    CUSTOM_SUGGESTION,
    GROUPS,
    LINK_RULE,
    LINK_SUGGESTION,
)
from siyu.risk.normalise import normalise_term, tables
from siyu.risk.passes import Gate, hint_pass

BLOCKING_CATEGORIES = frozenset({"ad_absolute", "ad_false"})
LEVELS = ("block", "review", "allow")

# Punctuation that ends a clause: a word read across it is two words, not a disguise,
# unless every gap of the word is filled (全，网，最，低).
_CLAUSE = re.compile("[，。！？；：、…,!?;:\n]")
# After a term ending in a digit (第1): a range or list of numbers follows.
_NUMBERING = re.compile("[ ]*[-~～—至到、,，/][ ]*[0-9]")


class Finding(NamedTuple):
    """One problem in a text (a tuple: cheap to make, and immutable)."""

    category: str
    match: str  # the original characters, text[start:end]
    start: int
    end: int
    rule: str
    suggestion: str
    blocks: bool = False  # this finding alone makes the verdict "block"

    def to_dict(self) -> dict[str, object]:
        return {
            "category": self.category, "match": self.match, "start": self.start,
            "end": self.end, "rule": self.rule, "suggestion": self.suggestion,
        }


@dataclass(frozen=True, slots=True)
class ScanResult:
    verdict: str  # "block" | "review" | "pass"
    findings: tuple[Finding, ...]


PASS = ScanResult("pass", ())


@dataclass(frozen=True, slots=True)
class CustomWord:
    """A merchant's own word (商户自定义词): level block, review, or allow (白名单)."""

    word: str
    level: str = "block"
    suggestion: str | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    """What a listed term means; the automaton's value for a key holds these."""

    category: str
    rule: str
    suggestion: str
    blocks: bool
    edge_start: bool = False  # starts with an ASCII letter/digit: needs a word boundary
    edge_end: bool = False


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class Scanner:
    """Built-in lists plus one merchant's custom list, compiled once and reused."""

    def __init__(self, custom: tuple[CustomWord, ...] = ()) -> None:
        keys: dict[str, tuple[list[_Entry], list[bool]]] = {}

        def add(word: str, entry: _Entry | None) -> None:
            key = normalise_term(word)
            if not key:
                raise ValueError(f"empty term after normalisation: {word!r}")
            terms, allow = keys.setdefault(key, ([], []))
            if entry is None:
                allow.append(True)
            else:
                terms.append(_Entry(entry.category, entry.rule, entry.suggestion, entry.blocks,
                                    _is_word_char(key[0]), _is_word_char(key[-1])))

        for group in GROUPS:
            blocks = group.category in BLOCKING_CATEGORIES
            for term, suggestion in group.terms:
                add(term, _Entry(group.category, group.rule, suggestion, blocks))
        for phrase in ALLOW:
            add(phrase, None)
        for cw in custom:
            if cw.level == "allow":
                add(cw.word, None)
            else:
                add(cw.word, _Entry("custom", CUSTOM_RULES[cw.level],
                                    cw.suggestion or CUSTOM_SUGGESTION, cw.level == "block"))

        self._automaton = ahocorasick.Automaton()
        for key, (terms, allow) in keys.items():
            self._automaton.add_word(key, (len(key), tuple(terms), bool(allow)))
        self._automaton.make_automaton()
        self._term_keys = tuple(key for key, (terms, _) in keys.items() if terms)
        self._allow_keys = tuple(key for key, (_, allow) in keys.items() if allow)
        self._prefilter = None  # batch.Prefilter, built on the first scan_many (numpy)
        gate = Gate(keys)
        self._gaps, self._gate = gate.findall, gate.verdict
        hints, self._kinds = hint_pass(contacts.patterns().hints)
        self._hints = hints.finditer
        tb = tables()
        self._fold_runs, self._fold_map = tb.foldable.sub, tb.fold_map
        self._split = re.compile(f"({tb.removable.pattern})").split
        self._iter = self._automaton.iter
        self._foldable_char = tb.foldable_char.search

    def _fold(self, text: str) -> str:
        table = self._fold_map
        return self._fold_runs(lambda m: m.group().translate(table), text)

    def scan(self, text: str, *, words: bool = True, diversions: bool = True) -> ScanResult:
        """Scan one text. `words=False` / `diversions=False` skip the listed words / the
        contact and link patterns: only for a text known to have none (batch.Prefilter)."""
        t = text.lower()  # in C; the fold table handles the rest, rarely needed
        if len(t) != len(text):  # İ lower-cases to two characters
            t = self._fold(text)
        if words:
            gaps = self._gaps(t)
            disguised = self._gate(gaps) if gaps else 0
            if disguised == 2:
                t = self._fold(t)
                gaps = self._gaps(t)
                disguised = self._gate(gaps) if gaps else 0
            pieces = None
            subject = t
            if disguised:  # kept and removed runs alternate: compact view and the way back
                pieces = self._split(t)
                subject = "".join(pieces[::2])
            hits = [*self._iter(subject)]
            findings = self._words(text, t, pieces, hits) if hits else []
        else:
            if self._foldable_char(t) is not None:  # as pass 1 would have found
                t = self._fold(t)
            findings = []
        if diversions:
            kinds = self._kinds
            hinted = [(kinds[m.lastindex], m.start()) for m in self._hints(t)]
            if hinted:
                findings += self._diversions(text, t, hinted)
        if not findings:
            return PASS
        findings.sort(key=_by_start)
        verdict = "block" if any(f.blocks for f in findings) else "review"
        return ScanResult(verdict, tuple(findings))

    def scan_many(self, texts: Sequence[str]) -> list[ScanResult]:
        """`[self.scan(t) for t in texts]`, faster for many texts: a vectorised
        pre-filter (batch.Prefilter) clears the texts that cannot hold a finding."""
        if self._prefilter is None:
            from siyu.risk.batch import Prefilter

            self._prefilter = Prefilter(self._term_keys, self._allow_keys)
        out = [PASS] * len(texts)
        scan = self.scan
        for i, words, diversions in self._prefilter.suspects(texts):
            out[i] = scan(texts[i], words=words, diversions=diversions)
        return out

    def _words(self, text: str, t: str, pieces: list[str] | None, hits: list) -> list[Finding]:
        """Findings from automaton hits, mapped back to `text` when they were made in the
        compact view (`pieces`: kept and removed runs of `t`, alternating)."""
        terms: list[tuple[int, int, _Entry]] = []
        allowed: list[tuple[int, int]] = []
        for last, (length, entries, allow) in hits:
            if entries:
                terms += [(last - length + 1, last + 1, e) for e in entries]
            if allow:
                allowed.append((last - length + 1, last + 1))
        if not terms:
            return []
        if len(terms) > 1:
            terms.sort(key=_leftmost_longest)
        inside_allowed = _Cover(allowed) if allowed else None
        out: list[Finding] = []
        taken: dict[str, int] = {}  # per category: end of the last chosen match
        back: _Back | None = None
        for cs, ce, e in terms:
            if cs < taken.get(e.category, 0):
                continue  # leftmost-longest within a category
            if inside_allowed is not None and inside_allowed(cs, ce):
                continue  # 第一 in 第一次: another word holds the term
            a, b = cs, ce
            if pieces is not None:  # matched in the compact view: map back
                if back is None:
                    back = _Back(pieces)
                a, b = back(cs), back(ce - 1) + 1
                if b - a != ce - cs and _reads_across_clause(t, back, cs, ce, a, b):
                    continue
            if e.edge_start and a > 0 and _is_word_char(t[a - 1]):
                continue  # "piano 1" is not NO.1
            if e.edge_end and b < len(t) and _is_word_char(t[b]):
                continue  # 第10 is not 第1
            if e.edge_end and t[b - 1].isdigit() and _NUMBERING.match(t, b):
                continue  # 第1-3件, 第1、2件: a numbering of items, not a rank
            taken[e.category] = ce
            out.append(Finding(e.category, text[a:b], a, b, e.rule, e.suggestion, e.blocks))
        return out

    def _diversions(self, text: str, t: str, hinted: list[tuple[int, int]]) -> list[Finding]:
        """Contact and link findings where pass 2 found hints (kind, position)."""
        at: dict[int, list[int]] = {}
        for kind, pos in hinted:
            at.setdefault(kind, []).append(pos)
        spans: list[tuple[str, tuple[int, int]]] = []
        if contacts.PHONE in at:
            spans += [("contact", s) for s in contacts.find_phones(t, at[contacts.PHONE])]
        if contacts.WECHAT in at:
            spans += [("contact", s) for s in contacts.find_wechat(t, at[contacts.WECHAT])]
        if contacts.QQ in at:
            spans += [("contact", s) for s in contacts.find_qq(t, at[contacts.QQ])]
        if contacts.EMAIL in at:
            spans += [("contact", s) for s in contacts.find_emails(t)]
        if contacts.LINK in at:
            spans += [("link", s) for s in contacts.find_links(t)]
        return _diversion_findings(text, spans) if spans else []


def _by_start(f: Finding) -> tuple[int, int]:
    return f.start, f.end


def _leftmost_longest(x: tuple[int, int, _Entry]) -> tuple[int, int]:
    return x[0], x[0] - x[1]


class _Cover:
    """Is a term's span cleared by an allowed phrase? It is when an allowed span overlaps
    it at one of its ends or beyond: 第一次 holds 第一, 有效期 takes the 有效 of 100有效
    into another word. An allowed span strictly inside a term (最 in 全网最低) clears
    nothing. Log time per question, so long texts full of allowed phrases stay linear."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans.sort()
        self.starts = [a for a, _ in spans]
        self.reach = list(accumulate((b for _, b in spans), max))  # furthest end so far

    def __call__(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start) - 1  # allowed starting at or before
        if i >= 0 and self.reach[i] > start:
            return True
        j = bisect.bisect_left(self.starts, end) - 1  # allowed starting inside the term
        return j >= 0 and self.reach[j] >= end


class _Back:
    """Compact-view offset → original offset, from the alternating kept/removed runs."""

    def __init__(self, pieces: list[str]) -> None:
        lengths = list(map(len, pieces))
        self.starts = list(accumulate(lengths[:-1], initial=0))[::2]
        self.compact_starts = list(accumulate(lengths[:-1:2], initial=0))

    def __call__(self, i: int) -> int:
        j = bisect.bisect_right(self.compact_starts, i) - 1
        return self.starts[j] + i - self.compact_starts[j]


def _reads_across_clause(t: str, back: _Back, cs: int, ce: int, a: int, b: int) -> bool:
    if _CLAUSE.search(t, a, b) is None:  # the gaps are all t[a:b] holds besides the word
        return False
    gaps = [t[back(i) + 1 : back(i + 1)] for i in range(cs, ce - 1)]
    if not any(_CLAUSE.search(g) for g in gaps):
        return False
    return len(gaps) == 1 or not all(gaps)


def _diversion_findings(text: str, spans: list[tuple[str, tuple[int, int]]]) -> list[Finding]:
    """Contact and link findings; where two overlap, the earlier (then longer) one stays."""
    spans.sort(key=lambda x: (x[1][0], x[1][0] - x[1][1], x[0]))
    out: list[Finding] = []
    end = -1
    for category, (a, b) in spans:
        if a < end:
            continue
        end = b
        rule, suggestion = (
            (CONTACT_RULE, CONTACT_SUGGESTION) if category == "contact"
            else (LINK_RULE, LINK_SUGGESTION)
        )
        out.append(Finding(category, text[a:b], a, b, rule, suggestion))
    return out


def as_custom(custom: Iterable[CustomWord] | Mapping[str, str]) -> tuple[CustomWord, ...]:
    """A merchant list as given by a caller: CustomWords, or {word: level}."""
    items = (
        [CustomWord(w, lvl) for w, lvl in custom.items()] if isinstance(custom, Mapping)
        else list(custom)
    )
    for cw in items:
        if cw.level not in LEVELS:
            raise ValueError(f"level of {cw.word!r} must be one of {', '.join(LEVELS)}")
    return tuple(items)


@functools.cache
def default_scanner() -> Scanner:
    return Scanner()


@functools.lru_cache(maxsize=64)
def scanner_for(custom: tuple[CustomWord, ...]) -> Scanner:
    return Scanner(custom) if custom else default_scanner()


def scan_text(
    text: str, *, custom: Iterable[CustomWord] | Mapping[str, str] | None = None
) -> ScanResult:
    """Scan one outgoing text with the built-in lists and, optionally, a merchant's list."""
    scanner = default_scanner() if not custom else scanner_for(as_custom(custom))
    return scanner.scan(text)


def scan_many(
    texts: Sequence[str], *, custom: Iterable[CustomWord] | Mapping[str, str] | None = None
) -> list[ScanResult]:
    """Scan many texts at once; the same results as `scan_text` on each, in order."""
    scanner = default_scanner() if not custom else scanner_for(as_custom(custom))
    return scanner.scan_many(texts)
