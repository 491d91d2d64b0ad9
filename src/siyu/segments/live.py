"""Live segments (动态分群): a saved rule tree compiled to DuckDB SQL over the analytics
snapshot, so a segment is evaluated afresh every time it is asked for.

A rule is a JSON tree of `{"and": [...]}`, `{"or": [...]}`, `{"not": rule}` and leaves:
  {"tag": "年货"} or {"tag": ["年货", "送礼"]}          member carries any of the tags
  {"layer": "high_value"} / {"lifecycle": [...]} / {"rfm_segment": [...]}   stored states
  {"rfm": {"r": {"gte": 4}, "f": {"lte": 2}, "m": {"eq": 5}}}             RFM scores 1–5
  {"channel": "kol"} / {"tier": ["V3", "V4"]}                           acquisition, tier
  {"group": 12} or {"group": [12, 13]} or {"group": "any"}       currently in the group(s)
  {"behaviour": {"kind": "view", "days": 7, "min": 3, "max": 10}}
        number of events of a kind in the last `days` Beijing days (today included)
  {"spend": {"days": 30, "min": "500.00", "max": null}}
        paid (not refunded or cancelled) order totals in the last `days` days, in yuan
Everything is scoped to the merchant's members who are not erased. Pure: rule and time
in, SQL text out (every literal checked and quoted here, never passed through).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from siyu.analytics.duck import day_end, day_start, quote
from siyu.core.errors import InvalidInput, SiyuError
from siyu.core.money import parse_yuan
from siyu.events.models import EVENT_KINDS
from siyu.segments.layers import LAYERS
from siyu.segments.rfm import SEGMENTS

LIFECYCLES = ("new", "active", "silent", "dormant", "churned", "vip")
TIERS = ("V1", "V2", "V3", "V4", "V5")
UNIVERSE = "SELECT id AS member_id FROM members WHERE erased = 0"
MAX_NODES = 100
MAX_DEPTH = 10
_OPS = {"gte": ">=", "lte": "<=", "gt": ">", "lt": "<", "eq": "="}
STATE_KEYS = ("layer", "lifecycle", "rfm_segment", "rfm")


def _bad(path: str, message: str) -> InvalidInput:
    return InvalidInput(f"{path}: {message}", field=path)


def _strings(value, path: str, allowed: tuple[str, ...] | None = None,
             max_len: int = 100) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or len(items) > 200:
        raise _bad(path, "需要 1–200 个取值")
    for v in items:
        if not isinstance(v, str) or not v or len(v) > max_len:
            raise _bad(path, f"取值须为非空文字 (收到 {v!r})")
        if allowed is not None and v not in allowed:
            raise _bad(path, f"未知取值 {v!r}, 可选: {', '.join(allowed)}")
    return items


def _int(value, path: str, lo: int = 0, hi: int = 10**12) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _bad(path, f"须为 {lo}–{hi} 的整数 (收到 {value!r})")
    return value


class Compiler:
    def __init__(self, today: date) -> None:
        self.today = today
        self.nodes = 0
        self.uses_states = False

    def window(self, days: int) -> datetime:
        return day_start(self.today - timedelta(days=days - 1))

    def compile(self, rule, path: str = "rule", depth: int = 0) -> str:
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise _bad(path, f"规则过大 (最多 {MAX_NODES} 个节点, {MAX_DEPTH} 层)")
        if not isinstance(rule, dict) or len(rule) != 1:
            raise _bad(path, "每个节点须是只有一个键的对象, 如 {\"and\": [...]}")
        (key, value), = rule.items()
        p = f"{path}.{key}"
        if key in ("and", "or"):
            if not isinstance(value, list) or not value:
                raise _bad(p, "需要非空列表")
            parts = [f"({self.compile(r, f'{p}.{i}', depth + 1)})" for i, r in enumerate(value)]
            return f" {'INTERSECT' if key == 'and' else 'UNION'} ".join(parts)
        if key == "not":
            return f"({UNIVERSE}) EXCEPT ({self.compile(value, p, depth + 1)})"
        leaf = getattr(self, f"_{key}", None)
        if leaf is None:
            raise _bad(p, "未知条件; 可用 and/or/not, tag, layer, lifecycle, rfm_segment, rfm, "
                          "channel, tier, group, behaviour, spend")
        return leaf(value, p)

    def _in(self, column: str, values: list[str]) -> str:
        return f"{column} IN ({', '.join(quote(v) for v in values)})"

    def _tag(self, value, p):
        return f"SELECT member_id FROM member_tags WHERE {self._in('tag', _strings(value, p))}"

    def _state(self, column: str, value, p, allowed):
        self.uses_states = True
        cond = self._in(column, _strings(value, p, allowed))
        return f"SELECT member_id FROM states WHERE {cond}"

    def _layer(self, value, p):
        return self._state("layer", value, p, LAYERS)

    def _lifecycle(self, value, p):
        return self._state("lifecycle", value, p, LIFECYCLES)

    def _rfm_segment(self, value, p):
        return self._state("rfm_segment", value, p, SEGMENTS)

    def _rfm(self, value, p):
        if not isinstance(value, dict) or not value or set(value) - {"r", "f", "m"}:
            raise _bad(p, "形如 {\"r\": {\"gte\": 4}}, 键为 r/f/m")
        self.uses_states = True
        conds = []
        for letter, cmp in value.items():
            if not isinstance(cmp, dict) or not cmp or set(cmp) - set(_OPS):
                raise _bad(f"{p}.{letter}", f"比较须为 {'/'.join(_OPS)}")
            for op, n in cmp.items():
                conds.append(f"{letter}_score {_OPS[op]} {_int(n, f'{p}.{letter}.{op}', 1, 5)}")
        return f"SELECT member_id FROM states WHERE {' AND '.join(conds)}"

    def _channel(self, value, p):
        cond = self._in("channel", _strings(value, p))
        return f"SELECT id AS member_id FROM members WHERE {cond}"

    def _tier(self, value, p):
        cond = self._in("tier", _strings(value, p, TIERS))
        return f"SELECT id AS member_id FROM members WHERE {cond}"

    def _group(self, value, p):
        if value == "any":
            return "SELECT member_id FROM memberships WHERE left_at IS NULL"
        ids = value if isinstance(value, list) else [value]
        if not ids or len(ids) > 500:
            raise _bad(p, "需要 1–500 个群 id, 或 \"any\"")
        ids = [_int(v, p, 1) for v in ids]
        return ("SELECT member_id FROM memberships WHERE left_at IS NULL AND group_id IN "
                f"({', '.join(map(str, ids))})")

    def _range(self, value, p, keys: set[str]) -> tuple[int, object, object]:
        if not isinstance(value, dict) or set(value) - keys or "days" not in value:
            raise _bad(p, f"需要 days, 可选 {', '.join(sorted(keys - {'days'}))}")
        return _int(value["days"], f"{p}.days", 1, 3660), value.get("min"), value.get("max")

    def _counted(self, per_member: str, lo, hi, p) -> str:
        """Members whose number from `per_member` (member_id, n) is within [lo, hi]."""
        if lo is None and hi is None:
            raise _bad(p, "min 与 max 至少给一个")
        if lo is not None and lo > 0:
            cond = f"n >= {lo}" + (f" AND n <= {hi}" if hi is not None else "")
            return f"SELECT member_id FROM ({per_member}) WHERE {cond}"
        # a zero lower bound: members without a row count as 0
        if hi is None:
            return UNIVERSE
        return f"({UNIVERSE}) EXCEPT (SELECT member_id FROM ({per_member}) WHERE n > {hi})"

    def _behaviour(self, value, p):
        days, lo, hi = self._range(value, p, {"kind", "days", "min", "max"})
        kind = value.get("kind")
        if kind not in EVENT_KINDS:
            raise _bad(f"{p}.kind", f"未知事件类型 {kind!r}")
        lo = None if lo is None else _int(lo, f"{p}.min")
        hi = None if hi is None else _int(hi, f"{p}.max")
        start, end = self.window(days), day_end(self.today)
        per = (f"SELECT member_id, count(*) AS n FROM events WHERE kind = {quote(kind)} "
               f"AND member_id IS NOT NULL AND ts >= TIMESTAMP '{start}' "
               f"AND ts < TIMESTAMP '{end}' GROUP BY member_id")
        return self._counted(per, lo, hi, p)

    def _spend(self, value, p):
        days, lo, hi = self._range(value, p, {"days", "min", "max"})
        try:
            lo = None if lo is None else parse_yuan(lo, f"{p}.min")
            hi = None if hi is None else parse_yuan(hi, f"{p}.max")
        except SiyuError as e:
            raise _bad(p, e.message) from None
        start, end = self.window(days), day_end(self.today)
        per = ("SELECT member_id, sum(total_fen) AS n FROM orders WHERE paid_at IS NOT NULL "
               "AND status NOT IN ('refunded', 'cancelled') AND member_id IS NOT NULL "
               f"AND paid_at >= TIMESTAMP '{start}' AND paid_at < TIMESTAMP '{end}' "
               "GROUP BY member_id")
        return self._counted(per, lo, hi, p)


def compile_rule(rule, today: date) -> tuple[str, bool]:
    """(SQL selecting the segment's member_id set, whether it needs member states)."""
    c = Compiler(today)
    body = c.compile(rule)
    return f"SELECT member_id FROM (({body}) INTERSECT ({UNIVERSE}))", c.uses_states
