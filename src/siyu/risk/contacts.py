"""Contact diversion (站外导流) and links: patterns over the folded text.

The folded text has the original's offsets, so every span found here is already a span
of the original. Separators that evasion inserts (spaces, punctuation, emoji) are
allowed between the digits of a phone number and between the parts of an id or a
domain, instead of being removed first.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from siyu.risk.lexicon import TLDS
from siyu.risk.normalise import tables

_HAN_DIGITS = "〇零一二三四五六七八九壹贰叁肆伍陆柒捌玖幺"
DIGITS = frozenset("0123456789" + _HAN_DIGITS)
_ASCII_DIGITS = frozenset("0123456789")
# Kinds of hint (bit flags).
WECHAT, QQ, PHONE, LINK, EMAIL = 1, 2, 4, 8, 16


@dataclass(frozen=True)
class Patterns:
    removable_char: re.Pattern[str]
    phone: re.Pattern[str]
    country_prefix: re.Pattern[str]
    time_or_price: re.Pattern[str]
    wechat: re.Pattern[str]
    qq: re.Pattern[str]
    email: re.Pattern[str]
    link: re.Pattern[str]
    hints: tuple[tuple[str, str, int], ...]  # (first character, rest, kind)


@functools.cache
def patterns() -> Patterns:
    tb = tables()
    r = f"[{tb.removable_class}]*"  # anything evasion may insert
    s = f"[{tb.separator_class}]*"  # spaces, emoji, zero-width: not ASCII punctuation
    d = f"[0-9{_HAN_DIGITS}]"
    trig = f"(?:[微威薇徽卫]{r}信|v{r}信|v{r}x|w{r}x|wechat|weixin)(?:{r}号码?)?"
    plus = f"(?:加|添加|联系|私|\\+|＋){r}(?:我{r})?(?:的{r})?"
    wechat_id = f"{r}(?P<id>[a-z][a-z0-9_-]{{5,19}})(?![a-z0-9_-])"
    dot = f"{s}(?:[.。]|点|dot){s}"
    label = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    tld = "(?:" + "|".join(sorted(TLDS, key=len, reverse=True)) + ")"
    # The link pattern starts with one class (the first letter, then a look back at the
    # character before it), so re skips ahead in C over Chinese text.
    url_rest = f"{s}[:：]{s}//[a-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=%]+"
    label_rest = "(?:[a-z0-9-]{0,61}[a-z0-9])?"
    link = (
        f"[a-z0-9](?<![a-z0-9@._-][a-z0-9])"
        f"(?:(?<=h)ttps?{url_rest}|(?<=f)tp{url_rest}"
        f"|(?:(?<=w)ww{dot}{label}(?:{dot}{label})+|{label_rest}(?:{dot}{label})*{dot}{tld}"
        f"(?![a-z0-9]))(?:/[a-z0-9\\-._~/?#=&%+]*)?)"
    )
    phone_tail = f"{r}[3-9三四五六七八九叁肆伍陆柒捌玖](?:{r}{d}){{9}}"
    # (first character, rest as a regex, kind): the scanner's cheap pass looks for these
    # and runs a pattern only when its hint occurs.
    wechat_name = f"(?:[微威薇徽卫]{r}信|v|wx|wechat|weixin)"
    hints = [
        *((lead, phone_tail, PHONE) for lead in "1一壹幺"),
        *((c, f"{r}信{r}(?:号|[a-z])", WECHAT) for c in "微威薇徽卫"),
        ("v", f"{r}(?:信|x){r}(?:号|[a-z])", WECHAT),
        ("w", f"{r}x{r}(?:号|[a-z])|echat|eixin", WECHAT),
        *((verb[0], f"{verb[1:]}{r}(?:我{r})?(?:的{r})?{wechat_name}", WECHAT)
          for verb in ("加", "私", "联系")),
        *((plus, f"{r}v", WECHAT) for plus in "+＋"),
        ("q", f"{r}q", QQ),
        ("扣", f"{r}扣", QQ),
        ("企", "鹅", QQ),
        # a dot right after a letter or digit, or after one space
        *((lead, f"(?:(?<=[a-z0-9]{re.escape(lead)})|(?<=[a-z0-9] {re.escape(lead)})){s}{tld}"
          "(?![a-z0-9])", LINK) for lead in ".。点"),
        ("d", f"ot{s}{tld}(?![a-z0-9])", LINK),
        ("w", "ww", LINK),
        ("h", "ttp", LINK),
        ("@", "", EMAIL),
    ]
    return Patterns(
        removable_char=re.compile(f"[{tb.removable_class}]"),
        phone=re.compile(f"[1一壹幺]{phone_tail}"),
        country_prefix=re.compile(f"(?:(?:[+＋]|00){r})?86{r}\\Z"),
        time_or_price=re.compile(
            r"(?<![0-9])[0-9]{1,2}[:：][0-5][0-9](?![0-9])|[0-9][.．][0-9]{1,2}(?![0-9])"
        ),
        wechat=re.compile(f"(?:(?P<plus>{plus})(?:{trig}|(?P<v>v))|{trig})(?:{wechat_id})?"),
        qq=re.compile(
            f"(?:q{r}q|扣{r}扣|企鹅)(?:{r}(?:号码?|群))?{r}[1-9](?:{r}[0-9]){{4,11}}(?!{r}[0-9])"
        ),
        email=re.compile(
            f"[a-z0-9][a-z0-9._%+-]*{s}@{s}[a-z0-9-]+(?:{s}[.。]{s}[a-z0-9-]+)+"
        ),
        link=re.compile(link),
        hints=tuple(hints),
    )


def _skip(t: str, i: int, step: int, rem: re.Pattern[str]) -> int:
    while 0 <= i < len(t) and rem.match(t, i):
        i += step
    return i


def find_phones(t: str, starts: Iterable[int] | None = None) -> list[tuple[int, int]]:
    """Mainland mobile numbers (1[3-9] and nine more digits), however spaced or written.

    A number inside a longer digit run (order numbers, ids) is not a phone number; when
    the number is written with separators the run is judged across separators too.
    Spans that read as clock times or prices (13:00, 19.90) are left alone. `starts`:
    where candidates begin (the scanner's hints), else anywhere."""
    p = patterns()
    out: list[tuple[int, int]] = []
    for m in _matches(p.phone, t, starts):
        a, b = m.span()
        body = t[a:b]
        if p.time_or_price.search(body):
            continue
        spaced = p.removable_char.search(body) is not None
        neighbours = DIGITS if any(ch not in _ASCII_DIGITS for ch in body) else _ASCII_DIGITS
        before = _skip(t, a - 1, -1, p.removable_char) if spaced else a - 1
        if before >= 0 and t[before] in neighbours:
            prefix = p.country_prefix.search(t, max(0, a - 12), a)
            if prefix is None or (prefix.start() > 0 and t[prefix.start() - 1] in neighbours):
                continue
            a = prefix.start()
        after = _skip(t, b, 1, p.removable_char) if spaced else b
        if after < len(t) and t[after] in neighbours:
            continue
        if t[b : b + 1] in (".", "．") and t[b + 1 : b + 2].isdigit():
            continue  # 13812345678.00 元: an amount
        out.append((a, b))
    return out


def find_wechat(t: str, starts: Iterable[int] | None = None) -> list[tuple[int, int]]:
    """An invitation to add a WeChat (加微信 / 加V / +v) or a WeChat id after its name."""
    out: list[tuple[int, int]] = []
    for m in _matches(patterns().wechat, t, starts):
        has_id = m.group("id") is not None
        if not has_id and m.group("plus") is None:
            continue  # 微信支付, 微信群: the name alone diverts nobody
        end = m.end()
        if m.group("v") is not None and not has_id and end < len(t) and t[end].isascii() \
                and t[end].isalnum():
            continue  # 加VIP
        out.append((m.start(), end))
    return out


def find_qq(t: str, starts: Iterable[int] | None = None) -> list[tuple[int, int]]:
    return [m.span() for m in _matches(patterns().qq, t, starts)]


def find_emails(t: str) -> list[tuple[int, int]]:
    return [m.span() for m in patterns().email.finditer(t)]


def find_links(t: str) -> list[tuple[int, int]]:
    """URLs and domains. With 。 or 点 for the dot, the name must have a letter: 22:00。VIP
    ends a sentence, it is no domain."""
    out = []
    for m in patterns().link.finditer(t):
        text = m.group()
        last_dot = max(text.rfind("。"), text.rfind("点"))
        if last_dot > 0 and not any("a" <= ch <= "z" for ch in text[:last_dot]):
            continue
        out.append(m.span())
    return out


def _matches(pattern: re.Pattern[str], t: str, starts: Iterable[int] | None) -> list[re.Match]:
    if starts is None:
        return list(pattern.finditer(t))
    found = (pattern.match(t, i) for i in starts)
    return [m for m in found if m is not None]
