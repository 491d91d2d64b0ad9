"""`siyu risk scan` as scripts use it (contract 3): JSONL out, exit codes, stderr."""

import json
import subprocess
import sys
from pathlib import Path

SIYU = str(Path(sys.executable).with_name("siyu"))


def run(*args, stdin=None):
    return subprocess.run([SIYU, "risk", "scan", *args], input=stdin, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def lines(stdout):
    return [json.loads(line) for line in stdout.splitlines()]


def test_file_one_object_per_line(tmp_path):
    src = tmp_path / "copy.txt"
    src.write_text("本店全 网 最 低\n\n电话 1③8 1234 ５６７８\r\n坚果礼盒今日上新\n",
                   encoding="utf-8")
    r = run(str(src))
    assert r.returncode == 0, r.stderr
    out = lines(r.stdout)
    assert [o["line"] for o in out] == [1, 2, 3, 4]
    assert [o["verdict"] for o in out] == ["block", "pass", "review", "pass"]
    first = out[0]
    assert list(first) == ["line", "text", "verdict", "findings"]
    (f,) = first["findings"]
    assert list(f) == ["category", "match", "start", "end", "rule", "suggestion"]
    assert (f["category"], f["match"]) == ("ad_absolute", "全 网 最 低")
    assert first["text"][f["start"] : f["end"]] == f["match"]
    phone = out[2]["findings"][0]
    assert out[2]["text"] == "电话 1③8 1234 ５６７８"
    assert out[2]["text"][phone["start"] : phone["end"]] == "1③8 1234 ５６７８"
    assert out[1] == {"line": 2, "text": "", "verdict": "pass", "findings": []}


def test_stdin_and_text(tmp_path):
    r = run("-", stdin="國家級\n最近很忙\n")
    assert r.returncode == 0, r.stderr
    assert [o["verdict"] for o in lines(r.stdout)] == ["block", "pass"]
    r = run("--text", "加 V ❤ abc123")
    assert r.returncode == 0, r.stderr
    (o,) = lines(r.stdout)
    assert o["findings"][0]["match"] == "加 V ❤ abc123"


def test_custom_list(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("竞品,block,我们的产品\n第一品牌旗舰店,allow\n", encoding="utf-8")
    r = run("--custom", str(words), "--text", "比竞品好的第一品牌旗舰店")
    assert r.returncode == 0, r.stderr
    (o,) = lines(r.stdout)
    assert o["verdict"] == "block"
    assert [(f["category"], f["match"]) for f in o["findings"]] == [("custom", "竞品")]


def test_unreadable_inputs_exit_2_with_one_line_naming_the_argument(tmp_path):
    r = run(str(tmp_path / "missing.txt"))
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.startswith("FILE: ") and r.stderr.count("\n") == 1
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9\n".encode("latin-1"))
    r = run(str(bad))
    assert (r.returncode, r.stdout) == (2, "")
    assert "UTF-8" in r.stderr
    r = run(str(bad), "--text", "x")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.startswith("FILE: ")
    words = tmp_path / "words.txt"
    words.write_text("竞品,sometimes\n", encoding="utf-8")
    r = run("--custom", str(words), "--text", "x")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.startswith("--custom: ") and "第 1 行" in r.stderr


def test_scan_with_a_merchants_saved_words(api, runtime):
    from typer.testing import CliRunner

    from siyu.cli import app

    r = api.put("/api/v1/risk/rules", json={"copy_words": [
        {"word": "秒杀价", "level": "review"}, {"word": "第一财经", "level": "allow"}]})
    assert r.status_code == 200, r.text
    url, merchant = runtime.settings.database_url, str(api.merchant_id)
    out = CliRunner().invoke(app, ["risk", "scan", "--text", "本店秒杀价, 第一财经报道",
                                   "--merchant", merchant, "--db", url])
    assert out.exit_code == 0, out.output
    line = json.loads(out.stdout)
    assert line["verdict"] == "review"
    assert [(f["category"], f["match"]) for f in line["findings"]] == [("custom", "秒杀价")]
    missing = CliRunner().invoke(app, ["risk", "scan", "--text", "x", "--merchant", "999999",
                                       "--db", url])
    assert missing.exit_code == 2 and "--merchant: 商户 999999 不存在" in missing.output
    alone = CliRunner().invoke(app, ["risk", "scan", "--text", "x", "--db", url])
    assert alone.exit_code == 2 and "--merchant" in alone.output
