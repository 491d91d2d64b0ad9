"""`siyu ab test` contract: the installed command, and every input error class."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from siyu.cli import app

SIYU = str(Path(sys.executable).with_name("siyu"))


def test_installed_command_prints_the_contract_document():
    ok = subprocess.Popen([SIYU, "ab", "test", "--a", "1000:120", "--b", "1000:150"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = ok.communicate(timeout=120)
    assert (ok.returncode, err) == (0, b"")
    doc = json.loads(out)
    assert list(doc) == ["a", "b", "lift", "p_value", "ci95", "significant", "method",
                         "needed_per_arm"]
    assert doc["a"] == {"n": 1000, "conversions": 120, "rate": 0.12}
    assert doc["lift"] == 0.25 and doc["significant"] is True
    assert doc["p_value"] == pytest.approx(0.049640, abs=1e-6)
    assert doc["needed_per_arm"] == 2036
    assert doc["method"] == "two-proportion z-test (pooled)"


runner = CliRunner()


@pytest.mark.parametrize("args, option", [
    (["--a", "0:0", "--b", "10:1"], "--a"),
    (["--a", "10:1", "--b", "-3:1"], "--b"),
    (["--a", "10:1", "--b", "10"], "--b"),
    (["--a", "x:y", "--b", "10:1"], "--a"),
    (["--a", "10:1", "--b", "10:11"], "--b"),
    (["--a", "10:1", "--b", "10:1", "--alpha", "1"], "--alpha"),
    (["--a", "10:1", "--b", "10:1", "--alpha", "abc"], "--alpha"),
])
def test_bad_arguments_exit_2_naming_the_option(args, option):
    result = runner.invoke(app, ["ab", "test", *args])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"{option}: ") and result.stderr.count("\n") == 1


def test_more_conversions_than_exposures_is_refused():
    result = runner.invoke(app, ["ab", "test", "--a", "100:120", "--b", "100:1"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "--a: 转化数不能大于样本数 (收到 '100:120')\n"


def test_alpha_option_changes_the_verdict():
    result = runner.invoke(app, ["ab", "test", "--a", "1000:120", "--b", "1000:150",
                                 "--alpha", "0.01"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["significant"] is False
