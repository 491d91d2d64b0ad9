"""Pydantic validation errors in the user's words: one field path style for every
message (`items[0].qty`, the way contract 1 names fields) and Chinese reasons, so the
API, the CLI and the importers say the same thing about the same mistake.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

# Locations FastAPI puts before the field itself.
_SOURCES = ("body", "query", "path", "header", "cookie")

# pydantic error type -> reason; {name} takes the error's context. Every type
# pydantic-core can raise is here (tests/core/test_validation.py checks the list), so no
# English reaches a user; choices ({expected}, {expected_tags}, {expected_schemes}) are
# rewritten by `_choices` first.
_REASONS = {
    # The document and its shape.
    "missing": "缺少此字段",
    "extra_forbidden": "未知字段",
    "json_invalid": "请求体不是合法的 JSON",
    "json_type": "需要 JSON",
    "model_type": "需要 JSON 对象",
    "model_attributes_type": "需要 JSON 对象",
    "dataclass_type": "需要 JSON 对象",
    "dataclass_exact_type": "需要 JSON 对象",
    "dict_type": "需要 JSON 对象",
    "mapping_type": "需要 JSON 对象",
    "invalid_key": "键必须是字符串",
    "list_type": "需要 JSON 数组",
    "tuple_type": "需要 JSON 数组",
    "set_type": "需要 JSON 数组",
    "frozen_set_type": "需要 JSON 数组",
    "iterable_type": "需要 JSON 数组",
    "iteration_error": "数组无法逐项读取",
    "set_item_not_hashable": "数组中有不能比较的项",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "none_required": "只能是 null",
    "union_tag_invalid": "{discriminator} 只能是 {expected_tags}, 不是 {tag}",
    "union_tag_not_found": "缺少 {discriminator}",
    "frozen_field": "不可修改",
    "frozen_instance": "不可修改",
    "no_such_attribute": "未知字段 {attribute}",
    "get_attribute_error": "无法读取此字段",
    "recursion_loop": "数据有循环引用",
    "needs_python_object": "不能用 JSON 表示",
    "is_instance_of": "类型不对",
    "is_subclass_of": "类型不对",
    "callable_type": "类型不对",
    "arguments_type": "参数须为数组或对象",
    "missing_argument": "缺少此参数",
    "missing_keyword_only_argument": "缺少此参数",
    "missing_positional_only_argument": "缺少此参数",
    "unexpected_keyword_argument": "未知参数",
    "unexpected_positional_argument": "多余的参数",
    "multiple_argument_values": "参数重复",
    # Strings.
    "string_type": "需要字符串",
    "string_sub_type": "需要字符串",
    "string_unicode": "需要 UTF-8 字符串",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不对 (应匹配 {pattern})",
    "bytes_type": "需要字符串",
    "bytes_too_short": "至少 {min_length} 个字节",
    "bytes_too_long": "最多 {max_length} 个字节",
    "bytes_invalid_encoding": "不是有效的 {encoding} 编码",
    "literal_error": "只能是 {expected}",
    "enum": "只能是 {expected}",
    # Numbers.
    "int_type": "需要整数",
    "int_parsing": "需要整数",
    "int_parsing_size": "整数太大",
    "int_from_float": "需要整数",
    "float_type": "需要数字",
    "float_parsing": "需要数字",
    "finite_number": "需要有限的数字",
    "decimal_type": '需要数字 (如 "12.5" 或 12.5)',
    "decimal_parsing": '需要数字 (如 "12.5")',
    "decimal_max_digits": "最多 {max_digits} 位数字",
    "decimal_max_places": "最多 {decimal_places} 位小数",
    "decimal_whole_digits": "整数部分最多 {whole_digits} 位",
    "complex_type": "需要数字",
    "complex_str_parsing": "需要数字",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "必须小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "multiple_of": "必须是 {multiple_of} 的整数倍",
    "bool_type": "需要 true 或 false",
    "bool_parsing": "需要 true 或 false",
    # Time.
    "datetime_type": "需要 ISO 8601 时间",
    "datetime_parsing": "需要 ISO 8601 时间",
    "datetime_from_date_parsing": "需要 ISO 8601 时间",
    "datetime_object_invalid": "不是有效的时间",
    "datetime_past": "必须是过去的时间",
    "datetime_future": "必须是将来的时间",
    "date_type": "需要日期 (YYYY-MM-DD)",
    "date_parsing": "需要日期 (YYYY-MM-DD)",
    "date_from_datetime_parsing": "需要日期 (YYYY-MM-DD)",
    "date_from_datetime_inexact": "需要日期 (YYYY-MM-DD), 不能带时刻",
    "date_past": "必须是过去的日期",
    "date_future": "必须是将来的日期",
    "time_type": "需要时刻 (HH:MM:SS)",
    "time_parsing": "需要时刻 (HH:MM:SS)",
    "timezone_naive": "不能带时区",
    "timezone_aware": "须带时区 (如 +08:00)",
    "timezone_offset": "时区偏移须为 {tz_expected} 秒",
    "time_delta_type": "需要时长 (秒数或 ISO 8601, 如 PT1H)",
    "time_delta_parsing": "需要时长 (秒数或 ISO 8601, 如 PT1H)",
    # Identifiers and links.
    "uuid_type": "需要 UUID",
    "uuid_parsing": "需要 UUID",
    "uuid_version": "需要第 {expected_version} 版 UUID",
    "url_type": "需要网址",
    "url_parsing": "需要网址",
    "url_syntax_violation": "需要网址",
    "url_too_long": "网址最多 {max_length} 个字符",
    "url_scheme": "网址协议只能是 {expected_schemes}",
    # Our own checks: the message is already the user's.
    "value_error": "{message}",
    "assertion_error": "{message}",
}

# One choice as pydantic prints it (a repr: 'a', "o'k", 1, True) and what separates them.
_CHOICE = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s,'"]+""")
_CHOICE_SEP = re.compile(r",\s*|\s+or\s+")
_CHOICE_KEYS = ("expected", "expected_tags", "expected_schemes")


def _unrepr(token: str) -> str:
    if token[:1] in ("'", '"'):
        try:
            text = ast.literal_eval(token)
        except (ValueError, SyntaxError):
            return token
        return str(text) if text else '""'
    return token


def _choices(text: str) -> str:
    """pydantic's "'ordinary', 'major' or 'extreme'" -> "ordinary、major 或 extreme 之一";
    text it cannot split is kept (with its "or" said in Chinese)."""
    items: list[str] = []
    pos = 0
    while pos < len(text):
        token = _CHOICE.match(text, pos)
        if token is None:
            return text.replace(" or ", " 或 ")
        items.append(_unrepr(token.group()))
        pos = token.end()
        if pos < len(text):
            sep = _CHOICE_SEP.match(text, pos)
            if sep is None:
                return text.replace(" or ", " 或 ")
            pos = sep.end()
    if len(items) < 2:
        return items[0] if items else text
    return f"{'、'.join(items[:-1])} 或 {items[-1]} 之一"


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
    for key in _CHOICE_KEYS:
        if key in ctx:
            ctx[key] = _choices(str(ctx[key]))
    if "discriminator" in ctx:
        ctx["discriminator"] = _unrepr(str(ctx["discriminator"]))
    if kind in ("value_error", "assertion_error"):
        msg = str(error.get("msg", ""))
        return msg.split(", ", 1)[1] if msg.startswith(("Value error, ", "Assertion failed, ")) \
            else msg
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
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


def invalid_at(loc: tuple[str | int, ...], message: str, value: object) -> ValidationError:
    """An error for a model validator to raise at `loc` below the model it checks, so the
    path names the field (`copy_words[3].word`) rather than the whole model. pydantic
    prefixes the outer locations as for any field error; `message` is the reason."""
    error = PydanticCustomError("value_error", "{reason}", {"reason": message})
    return ValidationError.from_exception_data(
        "value", [InitErrorDetails(type=error, loc=loc, input=value)])
