"""Pydantic validation errors in the user's words: one field path style for every
message (`items[0].qty`, the way contract 1 names fields) and Chinese reasons, so the
API, the CLI and the importers say the same thing about the same mistake.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Locations FastAPI puts before the field itself.
_SOURCES = ("body", "query", "path", "header", "cookie")

# pydantic error type -> reason; {name} takes the error's context.
_REASONS = {
    "missing": "缺少此字段",
    "extra_forbidden": "未知字段",
    "json_invalid": "请求体不是合法的 JSON",
    "json_type": "需要 JSON",
    "model_type": "需要 JSON 对象",
    "model_attributes_type": "需要 JSON 对象",
    "dict_type": "需要 JSON 对象",
    "list_type": "需要 JSON 数组",
    "string_type": "需要字符串",
    "int_type": "需要整数",
    "int_parsing": "需要整数",
    "int_from_float": "需要整数",
    "float_type": "需要数字",
    "float_parsing": "需要数字",
    "bool_type": "需要 true 或 false",
    "bool_parsing": "需要 true 或 false",
    "datetime_type": "需要 ISO 8601 时间",
    "datetime_parsing": "需要 ISO 8601 时间",
    "datetime_from_date_parsing": "需要 ISO 8601 时间",
    "date_type": "需要日期 (YYYY-MM-DD)",
    "date_parsing": "需要日期 (YYYY-MM-DD)",
    "date_from_datetime_parsing": "需要日期 (YYYY-MM-DD)",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "必须小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "string_pattern_mismatch": "格式不对 (应匹配 {pattern})",
    "literal_error": "只能是 {expected}",
    "enum": "只能是 {expected}",
    "uuid_parsing": "需要 UUID",
    "url_parsing": "需要网址",
    "value_error": "{message}",
    "assertion_error": "{message}",
}


def field_path(loc: Iterable[Any], *, default: str = "body", request: bool = False) -> str:
    """`("items", 0, "qty")` -> `items[0].qty`; `request`: the location comes from a
    request, whose first part says where (body, query, ...) and is dropped."""
    out = ""
    for i, part in enumerate(loc):
        if request and i == 0 and part in _SOURCES:
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or default


def reason(error: Mapping[str, Any]) -> str:
    """The reason of one pydantic error, in Chinese where the type is known."""
    kind = error.get("type", "")
    template = _REASONS.get(kind)
    if template is None:
        return str(error.get("msg", "无效"))
    ctx = dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error"):
        msg = str(error.get("msg", ""))
        return msg.split(", ", 1)[1] if msg.startswith(("Value error, ", "Assertion failed, ")) \
            else msg
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return str(error.get("msg", "无效"))


def describe(errors: list[Mapping[str, Any]], *, default: str = "body", request: bool = False,
             limit: int = 20) -> tuple[str, str, list[dict]]:
    """(field, "field: reason", details) of a list of pydantic errors, first one leading."""
    if not errors:
        return default, f"{default}: 无效", []
    details = [{"field": field_path(e.get("loc", ()), default=default, request=request),
                "message": reason(e)} for e in errors[:limit]]
    first = details[0]
    if errors[0].get("type") == "json_invalid":
        first = {"field": "body", "message": reason(errors[0])}
        details[0] = first
    return first["field"], f"{first['field']}: {first['message']}", details
