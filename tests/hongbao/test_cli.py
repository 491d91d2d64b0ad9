"""`siyu hongbao split` (contract 2): the installed command and every input error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SIYU = str(Path(sys.executable).with_name("siyu"))


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([SIYU, "hongbao", "split", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env})


def test_lucky_split_prints_the_contract_document():
    out = run("--amount", "100.00", "--count", "10", "--seed", "42")
    assert (out.returncode, out.stderr) == (0, "")
    doc = json.loads(out.stdout)
    assert list(doc) == ["amount", "count", "mode", "shares"]
    assert (doc["amount"], doc["count"], doc["mode"]) == ("100.00", 10, "lucky")
    fen = [int(s.replace(".", "")) for s in doc["shares"]]
    assert sum(fen) == 10000 and min(fen) >= 1
    assert run("--amount", "100.00", "--count", "10", "--seed", "42").stdout == out.stdout


def test_equal_split():
    doc = json.loads(run("--amount", "1", "--count", "3", "--mode", "equal").stdout)
    assert doc == {"amount": "1.00", "count": 3, "mode": "equal",
                   "shares": ["0.34", "0.33", "0.33"]}


@pytest.mark.parametrize("args, field", [
    (["--amount", "0", "--count", "1"], "amount"),
    (["--amount", "-5", "--count", "1"], "amount"),
    (["--amount", "1.005", "--count", "1"], "amount"),
    (["--amount", "abc", "--count", "1"], "amount"),
    (["--amount", "1.00", "--count", "0"], "count"),
    (["--amount", "1.00", "--count", "x"], "count"),
    (["--amount", "0.09", "--count", "10"], "amount"),
    (["--amount", "20000.01", "--count", "10"], "amount"),
    (["--amount", "100.00", "--count", "501"], "count"),
    (["--amount", "1.00", "--count", "2", "--mode", "random"], "mode"),
    (["--amount", "1.00", "--count", "2", "--seed", "-1"], "--seed: 需要非负整数"),
])
def test_bad_input_exits_2_with_one_line_naming_the_field(args, field):
    out = run(*args)
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and field in out.stderr


def test_a_seed_wider_than_64_bits_reproduces_its_split():
    seed = str(2**128 - 1)  # envelopes draw 128-bit seeds and publish them when finished
    first = run("--amount", "100.00", "--count", "10", "--seed", seed)
    assert first.returncode == 0, first.stderr
    assert run("--amount", "100.00", "--count", "10", "--seed", seed).stdout == first.stdout


def test_a_share_above_the_top_prize_cap_exits_2_even_under_a_raised_limit():
    out = run("--amount", "60000", "--count", "1", SIYU_HONGBAO_MAX_AMOUNT="100000")
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr == "--amount: 单个红包 60000.00 元超过最高奖金额上限 50000.00 元\n"
    fine = run("--amount", "60000", "--count", "2", "--mode", "equal",
               SIYU_HONGBAO_MAX_AMOUNT="100000")
    assert fine.returncode == 0, fine.stderr
    assert json.loads(fine.stdout)["shares"] == ["30000.00", "30000.00"]


@pytest.mark.parametrize("name, value, says", [
    ("SIYU_HONGBAO_MAX_COUNT", "abc", "SIYU_HONGBAO_MAX_COUNT: 需要整数"),
    ("SIYU_HONGBAO_MAX_COUNT", "0", "SIYU_HONGBAO_MAX_COUNT: 不能小于 1"),
    ("SIYU_HONGBAO_MAX_AMOUNT", "abc", "SIYU_HONGBAO_MAX_AMOUNT: 不是有效金额"),
    ("SIYU_HONGBAO_TOP_PRIZE_CAP", "-1", "SIYU_HONGBAO_TOP_PRIZE_CAP: 金额必须大于 0"),
])
def test_a_bad_setting_exits_2_with_one_chinese_line_naming_it(name, value, says):
    out = run("--amount", "1.00", "--count", "1", **{name: value})
    assert (out.returncode, out.stdout) == (2, "")
    assert len(out.stderr.splitlines()) == 1 and out.stderr.startswith(says), out.stderr


def test_refund_expired_command_refunds_once(tmp_path):
    from datetime import UTC, datetime

    from siyu.hongbao import service
    from siyu.hongbao.schemas import EnvelopeIn
    from siyu.merchants.service import create_merchant
    from siyu.runtime import open_runtime

    db = f"sqlite:///{tmp_path}/cli.db"
    runtime = open_runtime(db)
    try:
        with runtime.sessions.begin() as s:
            merchant = create_merchant(s, "甲")[0].id
            service.create(s, runtime.hot, merchant, EnvelopeIn(
                amount="6.00", count=3, starts_at="2020-01-01T10:00:00+08:00",
                expires_in_hours=1), now=datetime(2020, 1, 1, tzinfo=UTC), actor="老板")
    finally:
        runtime.close()
    env = {**os.environ, "SIYU_SECRET_KEY": "test"}
    args = [SIYU, "hongbao", "refund-expired", "--db", db]
    first = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)
    second = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"refunded": {"1": "6.00"}}
    assert json.loads(second.stdout) == {"refunded": {}}
    jobs = subprocess.run([SIYU, "jobs", "run", "--once", "--db", db], capture_output=True,
                          text=True, timeout=120, env=env)
    assert jobs.returncode == 0, jobs.stderr
    ran = json.loads(jobs.stdout)["jobs"]
    assert {"hongbao.refund_expired", "flashsale.release_unpaid", "flashsale.settle_ended",
            "hot.reconcile"} <= set(ran)
    assert ran["hongbao.refund_expired"] == {}
