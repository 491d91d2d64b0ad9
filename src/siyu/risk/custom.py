"""A merchant's own word list (商户自定义词表) read from a file.

Two formats:
- JSON: a list of `{"word": "...", "level": "block|review|allow", "suggestion": "..."}`
  (level and suggestion optional) or of plain strings, or an object `{"word": "level"}`;
- text: one word a line, `word,level[,suggestion]`; level defaults to block; blank lines
  and lines starting with `#` are skipped.

Levels: `block` makes the verdict block, `review` asks for a human review, `allow`
suppresses the built-in findings that lie inside an occurrence of the phrase (白名单:
第一财经 clears the 第一 in 第一财经, nothing else). An allowed phrase must be at least
two characters and must not be an Advertising-Law term itself (`allow_problem`).
"""

from __future__ import annotations

import functools
import json

from siyu.core.errors import InvalidInput
from siyu.risk.lexicon import GROUPS
from siyu.risk.normalise import normalise_term
from siyu.risk.scanner import BLOCKING_CATEGORIES, LEVELS, CustomWord


@functools.cache
def _blocking_terms() -> frozenset[str]:
    return frozenset(normalise_term(term) for g in GROUPS if g.category in BLOCKING_CATEGORIES
                     for term, _ in g.terms)


def allow_problem(word: str) -> str | None:
    """Why `word` cannot be an allowed phrase, or None: a single character (it would
    clear nothing and reads like a mistake), or a blocking built-in term itself (the
    allow-list would switch off a statutory term)."""
    key = normalise_term(word)
    if len(key) < 2:
        return f"白名单词 {word!r} 至少需要两个字"
    if key in _blocking_terms():
        return f"{word!r} 本身是广告法禁用语, 不能加入白名单"
    return None


def _word(word: object, level: object, suggestion: object, where: str, field: str) -> CustomWord:
    if not isinstance(word, str) or not normalise_term(word):
        raise InvalidInput(f"{field}: {where}: 词为空或只有标点", field=field)
    if level not in LEVELS:
        raise InvalidInput(
            f"{field}: {where}: 级别必须是 {'/'.join(LEVELS)}, 不是 {level!r}", field=field
        )
    problem = allow_problem(word) if level == "allow" else None
    if problem:
        raise InvalidInput(f"{field}: {where}: {problem}", field=field)
    if suggestion is not None and not isinstance(suggestion, str):
        raise InvalidInput(f"{field}: {where}: suggestion 必须是字符串", field=field)
    return CustomWord(word.strip(), str(level), suggestion or None)


def _from_json(doc: object, field: str) -> list[CustomWord]:
    if isinstance(doc, dict):
        return [_word(w, lvl, None, f"词 {w!r}", field) for w, lvl in doc.items()]
    if not isinstance(doc, list):
        raise InvalidInput(f"{field}: JSON 必须是数组或对象", field=field)
    out = []
    for i, item in enumerate(doc, 1):
        where = f"第 {i} 项"
        if isinstance(item, str):
            out.append(_word(item, "block", None, where, field))
        elif isinstance(item, dict):
            out.append(_word(item.get("word"), item.get("level", "block"),
                             item.get("suggestion"), where, field))
        else:
            raise InvalidInput(f"{field}: {where}: 必须是字符串或对象", field=field)
    return out


def parse_custom(data: str, *, field: str = "custom") -> tuple[CustomWord, ...]:
    """Parse a custom list; a problem raises InvalidInput naming `field` and the place."""
    stripped = data.lstrip("\ufeff").strip()
    if stripped[:1] in ("[", "{"):
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError as e:
            raise InvalidInput(f"{field}: 不是有效的 JSON: {e.msg} (第 {e.lineno} 行)",
                               field=field) from None
        return tuple(_from_json(doc, field))
    out = []
    for n, line in enumerate(data.lstrip("\ufeff").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(",", 2)]
        level = parts[1] if len(parts) > 1 and parts[1] else "block"
        suggestion = parts[2] if len(parts) > 2 and parts[2] else None
        out.append(_word(parts[0], level, suggestion, f"第 {n} 行", field))
    return tuple(out)
