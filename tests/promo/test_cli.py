"""`siyu promo quote` as users and scripts run it.

The installed console script runs in a subprocess for success (file and stdin), an
unreadable file and a bad field. Each `siyu` process spends seconds importing the whole
product, so every error class also runs in-process through the same Typer app (the same
code once imported): exit 2, nothing on stdout, one stderr line naming the field.
"""

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from siyu.cli import app

from .test_quote import EXAMPLE, EXAMPLE_OUTPUT

SIYU = Path(sys.executable).with_name("siyu")
GOOD = json.loads(EXAMPLE.read_text(encoding="utf-8"))


def changed(edit) -> str:
    doc = copy.deepcopy(GOOD)
    edit(doc)
    return json.dumps(doc, ensure_ascii=False)


def _set(path, value):
    def edit(doc):
        *parents, last = path
        node = doc
        for key in parents:
            node = node[key]
        if value is ...:
            del node[last]
        else:
            node[last] = value
    return edit


# name -> (argument, stdin text, expected stderr start)
ERRORS = {
    "unreadable_file": ("/nonexistent/cart.json", None, "/nonexistent/cart.json: 无法读取文件"),
    "bad_json": ("-", '{"items": [', "stdin: 不是有效的 JSON"),
    "nan_is_not_json": ("-", '{"items": [{"sku": "A", "price": NaN}]}', "stdin: 不是有效的 JSON"),
    "not_utf8": ("-", b"\xff{}", "stdin: 不是 UTF-8 文本"),
    "missing_field": ("-", changed(_set(["items", 0, "price"], ...)), "items[0].price: 缺少此字段"),
    "malformed_field": ("-", changed(_set(["items", 1, "qty"], "two")), "items[1].qty: 需要整数"),
    "three_decimals": ("-", changed(_set(["promotions", 0, "tiers", 0, "min"], "300.001")),
                       "promotions[0].tiers[0].min: 金额最多两位小数"),
    "unknown_kind": ("-", changed(_set(["promotions", 1, "kind"], "gift")),
                     "promotions[1].kind: 未知的促销类型"),
    "percent_zero": ("-", changed(_set(["promotions", 1, "percent"], "0")),
                     "promotions[1].percent: 百分数必须大于0且不超过100"),
    "percent_above_100": ("-", changed(_set(["promotions", 2, "percent"], "120")),
                          "promotions[2].percent: 百分数必须大于0且不超过100"),
    "tiers_not_increasing": ("-", changed(_set(["promotions", 0, "tiers", 1, "min"], "300.00")),
                             "promotions[0].tiers[1].min: 档位门槛必须递增"),
    "n_below_2": ("-", changed(_set(["promotions", 2, "n"], 1)), "promotions[2].n: 不能小于 2"),
    "end_before_start": ("-", changed(lambda d: d["coupons"][0].update(
        starts_at="2026-01-20T00:00:00", ends_at="2026-01-19T00:00:00")),
        "coupons[0].ends_at: 结束时间早于开始时间"),
    "negative_amount": ("-", changed(_set(["coupons", 1, "off"], "-5.00")),
                        "coupons[1].off: 金额不能为负数"),
}
SUCCESS = {"file": (str(EXAMPLE), None), "stdin": ("-", EXAMPLE.read_text(encoding="utf-8"))}
IN_SUBPROCESS = ("unreadable_file", "three_decimals")


@pytest.fixture(scope="module")
def runs():
    """Start every subprocess case at once, then collect them."""
    cases = {**{k: ERRORS[k][:2] for k in IN_SUBPROCESS}, **SUCCESS}
    started = {
        name: (subprocess.Popen([str(SIYU), "promo", "quote", arg], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE), text)
        for name, (arg, text) in cases.items()
    }
    done = {}
    for name, (proc, text) in started.items():
        out, err = proc.communicate((text or "").encode("utf-8"), timeout=120)
        done[name] = (proc.returncode, out.decode("utf-8"), err.decode("utf-8"))
    return done


def in_process(name):
    arg, text, _ = ERRORS[name]
    result = CliRunner().invoke(app, ["promo", "quote", arg], input=text)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", SUCCESS)
def test_quote_prints_the_contract_json(runs, name):
    code, out, err = runs[name]
    assert (code, err) == (0, "")
    assert json.loads(out) == EXAMPLE_OUTPUT
    assert out.count("\n") == 1


def check_refused(name, code, out, err):
    assert code == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1
    assert err.startswith(ERRORS[name][2])


@pytest.mark.parametrize("name", IN_SUBPROCESS)
def test_bad_input_exits_2_with_one_line_naming_the_field(runs, name):
    check_refused(name, *runs[name])


@pytest.mark.parametrize("name", ERRORS)
def test_every_kind_of_bad_input_is_refused_the_same_way(name):
    check_refused(name, *in_process(name))


def test_unknown_keys_are_warned_about_and_the_quote_still_runs():
    doc = json.loads(changed(lambda d: d["promotions"][1].update(maxoff="50.00")))
    doc["promotions"][0]["tiers"][0]["note"] = "x"
    result = CliRunner().invoke(app, ["promo", "quote", "-"],
                                input=json.dumps(doc, ensure_ascii=False))
    assert result.exit_code == 0
    assert json.loads(result.stdout) == EXAMPLE_OUTPUT
    assert result.stderr.splitlines() == [
        "警告: promotions[0].tiers[0].note: 未知字段, 已忽略 (拼写是否有误?)",
        "警告: promotions[1].maxoff: 未知字段, 已忽略 (拼写是否有误?)"]
