"""`siyu risk scan`: scan copy line by line, one JSON object per line (contract 3)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from siyu.clikit import handle_errors
from siyu.core.errors import InvalidInput
from siyu.risk.custom import parse_custom
from siyu.risk.scanner import default_scanner, scanner_for

app = typer.Typer(help="风控与合规: 文案扫描", no_args_is_help=True)


def _read(path: str, field: str) -> str:
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as e:
        raise InvalidInput(f"{field}: 无法读取 {path}: {e.strerror or e}", field=field) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{field}: {path} 不是 UTF-8 文本", field=field) from None


def _lines(data: str) -> list[str]:
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


@app.command("scan")
@handle_errors
def scan(
    source: str | None = typer.Argument(
        None, metavar="[FILE|-]", help="文案文件, 每行一条; - 或省略则读标准输入"
    ),
    text: str | None = typer.Option(None, "--text", help="直接扫描这段文案 (多行则每行一条)"),
    custom: str | None = typer.Option(
        None, "--custom",
        help="商户自定义词表: JSON ([{word, level, suggestion}] 或 {word: level}) "
        "或每行 `词,级别[,建议]`; 级别 block (拦截, 默认) / review (复核) / allow (白名单)",
    ),
):
    """扫描文案: 每行一条, 输出 JSONL (verdict: block / review / pass)。"""
    if text is not None and source is not None:
        raise InvalidInput("FILE: 不能同时给出 --text 和 FILE", field="FILE")
    words = parse_custom(_read(custom, "--custom"), field="--custom") if custom else ()
    data = text if text is not None else _read(source or "-", "FILE")
    scanner = scanner_for(words) if words else default_scanner()
    out = []
    for n, line in enumerate(_lines(data), 1):
        result = scanner.scan(line)
        out.append(json.dumps(
            {"line": n, "text": line, "verdict": result.verdict,
             "findings": [f.to_dict() for f in result.findings]},
            ensure_ascii=False,
        ))
        if len(out) >= 1000:
            sys.stdout.write("\n".join(out) + "\n")
            out.clear()
    if out:
        sys.stdout.write("\n".join(out) + "\n")
