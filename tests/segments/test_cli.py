"""`siyu segment rfm|layers|clv` contracts: the installed command in subprocesses (run
concurrently to keep the suite fast), each error class in-process through the same app."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from siyu.cli import app
from siyu.segments.bgnbd import BgNbdParams, simulate

SIYU = str(Path(sys.executable).with_name("siyu"))
ORDERS = """member_id,order_id,paid_at,amount,channel
m1,o1,2026-01-20T23:59:59+08:00,300.00,mini
m1,o2,2026-02-10 10:00,250,mini
m2,o3,2026-01-21T00:00:00+08:00,600.5,
m2,o4,2026-01-20T16:00:00Z,100.00,
m3,o5,2025-11-01,400.00,
"""
MEMBERS = """member_id,registered_at
m1,2025-12-01
m2,2026-02-01
m3,2025-01-01
m4,2026-02-19
m5,2025-01-01
"""
EVENTS = """member_id,kind,at
m5,view,2026-02-01
m5,like,2026-02-03
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def synthetic_orders(directory: Path) -> Path:
    """Orders of a BG/NBD population (first purchases in 2025, observed to 2025-12-31):
    the last repeat at t_x, the others uniform before it, as the Poisson process has them."""
    rng = np.random.default_rng(3)
    first = rng.integers(0, 180, size=800)
    seen = (364 - first).astype(float)  # days from the first purchase to 2025-12-31
    x, t_x = simulate(BgNbdParams(0.5, 10.0, 0.8, 2.5), seen, rng)
    lines = ["member_id,order_id,paid_at,amount"]
    for i in range(len(first)):
        times = [0.0, *rng.uniform(0, t_x[i], size=max(int(x[i]) - 1, 0)).tolist()]
        times += [t_x[i]] if x[i] else []
        for j, t in enumerate(times):
            day = np.datetime64("2025-01-01") + int(first[i] + math.floor(t))
            lines.append(f"u{i:04d},u{i}-{j},{day}T12:00:00+08:00,{rng.integers(1, 500)}.00")
    return write(directory, "orders.csv", "\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Run the installed `siyu` on the contract cases, all at once."""
    d = tmp_path_factory.mktemp("segment_cli")
    orders = write(d, "o.csv", ORDERS)
    bad = write(d, "orders_bad.csv", ORDERS + "m1,o9,xx,1.00\n")
    clv_orders = synthetic_orders(d)
    cases = {
        "rfm": ["segment", "rfm", "--orders", orders, "--asof", "2026-02-19"],
        "clv": ["segment", "clv", "--orders", clv_orders, "--calibration-end", "2025-12-31",
                "--predict", "30", "--out", d / "predict.csv"],
        "bad": ["segment", "rfm", "--orders", bad, "--asof", "2026-02-19"],
    }
    running = {k: subprocess.Popen([SIYU, *map(str, v)], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE) for k, v in cases.items()}
    done = {}
    for key, proc in running.items():
        out, err = proc.communicate(timeout=120)
        done[key] = (proc.returncode, out.decode("utf-8"), err.decode("utf-8"))
    done["predict.csv"] = (d / "predict.csv").read_text(encoding="utf-8")
    return done


def test_installed_rfm_prints_the_contract_csv(installed):
    code, out, err = installed["rfm"]
    assert (code, err) == (0, "")
    assert out == (
        "member_id,recency_days,frequency,monetary,r_score,f_score,m_score,segment\n"
        "m1,9,2,550.00,5,4,3,champions\n"
        "m2,29,2,700.50,3,4,5,loyal\n"
        "m3,110,1,400.00,1,1,1,lost\n")


def test_installed_clv_prints_params_and_writes_predictions(installed):
    code, out, err = installed["clv"]
    assert code == 0, err
    doc = json.loads(out)
    assert list(doc) == ["model", "unit", "members", "params"]
    assert (doc["model"], doc["unit"], doc["members"]) == ("bgnbd", "week", 800)
    assert list(doc["params"]) == ["r", "alpha", "a", "b"]
    # the population's parameters (alpha 10 days = 10/7 weeks), loosely: 800 members
    truth = {"r": 0.5, "alpha": 10 / 7, "a": 0.8, "b": 2.5}
    for name, value in truth.items():
        assert doc["params"][name] == pytest.approx(value, rel=0.5), name
    rows = list(csv.DictReader(io.StringIO(installed["predict.csv"])))
    assert len(rows) == 800
    assert list(rows[0]) == ["member_id", "frequency", "recency", "T", "expected_purchases",
                             "probability_alive"]
    assert all(0 <= float(r["probability_alive"]) <= 1 for r in rows)
    assert all(float(r["expected_purchases"]) >= 0 for r in rows)


def test_installed_bad_input_exits_2_with_one_line(installed):
    code, out, err = installed["bad"]
    assert (code, out) == (2, "")
    assert err == "orders_bad.csv row 7: paid_at: 无法解析的日期时间 'xx'\n"


runner = CliRunner()


def invoke(*args) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("row, message", [
    ("m1,o9,2026-01-01,1.234", "amount: 金额最多两位小数"),
    ("m1,o1,2026-01-01,1.00", "order_id: 订单号重复"),
    (",o9,2026-01-01,1.00", "member_id: 不能为空"),
])
def test_rfm_bad_rows(tmp_path, row, message):
    code, out, err = invoke("segment", "rfm", "--orders", write(tmp_path, "o.csv", ORDERS + row),
                            "--asof", "2026-02-19")
    assert (code, out) == (2, "")
    assert err.startswith(f"o.csv row 7: {message}") and err.count("\n") == 1


def test_rfm_missing_column_and_bad_asof(tmp_path):
    orders = write(tmp_path, "o.csv", "member_id,order_id,amount\n")
    code, out, err = invoke("segment", "rfm", "--orders", orders, "--asof", "2026-02-19")
    assert (code, out) == (2, "") and err.startswith("o.csv row 1: paid_at: 缺少必需的列")
    orders = write(tmp_path, "o.csv", ORDERS)
    code, out, err = invoke("segment", "rfm", "--orders", orders, "--asof", "2026-02-30")
    assert (code, out) == (2, "") and err.startswith("--asof: 无法解析的日期")
    code, out, err = invoke("segment", "rfm", "--orders", tmp_path / "none.csv", "--asof",
                            "2026-02-19")
    assert (code, out) == (2, "") and err.startswith("none.csv: 无法读取文件")


def test_rfm_writes_out_file_and_says_so(tmp_path):
    out_file = tmp_path / "rfm.csv"
    code, out, err = invoke("segment", "rfm", "--orders", write(tmp_path, "o.csv", ORDERS),
                            "--asof", "2026-02-19", "--out", out_file)
    assert (code, out) == (0, "") and "3" in err
    assert out_file.read_text(encoding="utf-8").splitlines()[1] == "m1,9,2,550.00,5,4,3,champions"


def test_empty_inputs_say_so_and_print_empty_results(tmp_path):
    empty = write(tmp_path, "o.csv", "member_id,order_id,paid_at,amount\n")
    code, out, err = invoke("segment", "rfm", "--orders", empty, "--asof", "2026-02-19")
    assert code == 0 and out.count("\n") == 1 and "没有订单" in err
    code, out, err = invoke("segment", "clv", "--orders", empty, "--calibration-end",
                            "2026-02-19")
    assert code == 0 and "没有订单" in err
    assert json.loads(out) == {"model": "bgnbd", "unit": "week", "members": 0,
                               "params": {"r": None, "alpha": None, "a": None, "b": None}}
    members = write(tmp_path, "m.csv", "member_id,registered_at\n")
    events = write(tmp_path, "e.csv", "")
    code, out, err = invoke("segment", "layers", "--members", members, "--orders", empty,
                            "--events", events, "--asof", "2026-02-19")
    assert (code, out) == (0, "member_id,layer\n") and "没有会员" in err


def test_layers_gives_every_member_a_layer(tmp_path):
    code, out, err = invoke("segment", "layers", "--members", write(tmp_path, "m.csv", MEMBERS),
                            "--orders", write(tmp_path, "o.csv", ORDERS),
                            "--events", write(tmp_path, "e.csv", EVENTS), "--asof", "2026-02-19")
    assert (code, err) == (0, "")
    # m1: 250 in the window (the 300 is at 01-20 23:59:59) -> low activity; m2: 700.50 in
    # two orders from 01-21 00:00 Beijing; m3: quiet, average 400; m4, m5: never ordered
    assert out == ("member_id,layer\nm1,low_activity\nm2,high_value\nm3,potential\n"
                   "m4,new\nm5,new\n")


def test_layers_refuses_members_not_in_the_members_file(tmp_path):
    members = write(tmp_path, "m.csv", MEMBERS)
    events = write(tmp_path, "e.csv", EVENTS + "m7,view,2026-02-01\n")
    code, out, err = invoke("segment", "layers", "--members", members, "--orders",
                            write(tmp_path, "o.csv", ORDERS), "--events", events,
                            "--asof", "2026-02-19")
    assert (code, out) == (2, "")
    assert err == "e.csv row 4: member_id: 会员不在会员文件中 'm7'\n"
    code, out, err = invoke("segment", "layers", "--members", members, "--orders",
                            write(tmp_path, "o2.csv", ORDERS + "x9,o9,2026-01-01,1\n"),
                            "--events", write(tmp_path, "e2.csv", EVENTS), "--asof", "2026-02-19")
    assert (code, out) == (2, "") and err.startswith("o2.csv row 7: member_id: ")


def test_layers_thresholds_are_options(tmp_path):
    args = ["segment", "layers", "--members", write(tmp_path, "m.csv", MEMBERS), "--orders",
            write(tmp_path, "o.csv", ORDERS), "--events", write(tmp_path, "e.csv", EVENTS),
            "--asof", "2026-02-19"]
    code, out, _ = invoke(*args, "--high-value-spend", "800", "--potential-average", "500.00")
    assert code == 0 and "m2,other" in out and "m3,low_activity" in out
    code, out, err = invoke(*args, "--high-value-spend", "1.001")
    assert (code, out) == (2, "") and err.startswith("--high-value-spend: ")


def test_clv_options_are_checked(tmp_path):
    orders = write(tmp_path, "o.csv", ORDERS)
    base = ["segment", "clv", "--orders", orders, "--calibration-end", "2026-02-19"]
    code, out, err = invoke(*base, "--unit", "month")
    assert (code, out) == (2, "") and err.startswith("--unit: ")
    code, out, err = invoke(*base, "--predict", "30")
    assert (code, out) == (2, "") and err.startswith("--out: ")
    code, out, err = invoke(*base, "--predict", "0", "--out", tmp_path / "p.csv")
    assert (code, out) == (2, "") and err.startswith("--predict: ")
    code, out, _ = invoke(*base, "--unit", "day")
    assert code == 0 and json.loads(out)["unit"] == "day" and json.loads(out)["members"] == 3


def regular_orders(directory: Path) -> Path:
    """The reported case: 120 members who each buy exactly once a week, from a start day
    early in 2025 to 2025-12-31, so the MLE has no heterogeneity in the rate to fit."""
    lines = ["member_id,order_id,paid_at,amount"]
    for i in range(120):
        for week, day in enumerate(range(i % 60, 365, 7)):
            paid = np.datetime64("2025-01-01") + day
            lines.append(f"w{i:03d},w{i}-{week},{paid}T20:00:00+08:00,99.00")
    return write(directory, "regular.csv", "\n".join(lines) + "\n")


def test_clv_of_very_regular_buyers_is_finite_and_the_poisson_limit(tmp_path):
    out_file = tmp_path / "p.csv"
    code, out, err = invoke("segment", "clv", "--orders", regular_orders(tmp_path),
                            "--calibration-end", "2025-12-31", "--predict", "30",
                            "--out", out_file)
    assert code == 0, err
    params = json.loads(out)["params"]
    assert all(math.isfinite(v) for v in params.values())
    assert params["r"] > 1e4 and "泊松" in err  # the fit ran off towards r, α → ∞: said so
    rate = params["r"] / params["alpha"]  # purchases a week
    assert rate == pytest.approx(1.0, abs=0.02)
    text = out_file.read_text(encoding="utf-8")
    assert "nan" not in text.lower() and "inf" not in text.lower()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 120 and list(rows[0]) == ["member_id", "frequency", "recency", "T",
                                                   "expected_purchases", "probability_alive"]
    for row in rows:
        # nobody drops out (a → 0): alive for sure, and λ·30 days of purchases ahead
        assert float(row["probability_alive"]) == 1.0
        assert float(row["expected_purchases"]) == pytest.approx(rate * 30 / 7, abs=2e-6)


def test_clv_horizon_too_long_for_the_model_exits_2_with_one_line(tmp_path):
    out_file = tmp_path / "p.csv"
    code, out, err = invoke("segment", "clv", "--orders", regular_orders(tmp_path),
                            "--calibration-end", "2025-12-31", "--predict", "1000000000",
                            "--out", out_file)
    assert (code, out) == (2, "") and not out_file.exists()
    assert err.startswith("--predict: 1000000000 天无法计算期望购买次数") and err.count("\n") == 1
