"""What every `siyu` command shares: opening the runtime from `--db`, one transaction
per command, mapping errors to exit codes (bad input 2, internal 1), JSON output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from siyu.core.errors import InvalidInput, SiyuError

if TYPE_CHECKING:  # the database stack loads only for commands that touch stored data
    from sqlalchemy.orm import Session

    from siyu.runtime import Runtime

DB_OPTION = typer.Option(None, "--db", help="数据库 URL (默认 SIYU_DATABASE_URL 或 sqlite:///siyu.db)")


def fail(message: str, code: int = 2) -> None:
    """One line on stderr, nothing on stdout, then exit."""
    sys.stderr.write(message.rstrip() + "\n")
    raise typer.Exit(code)


def handle_errors(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except SiyuError as e:
            fail(e.message, 2)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as e:  # an internal error: say so briefly, exit 1
            sys.stderr.write(f"内部错误: {type(e).__name__}: {e}\n")
            raise typer.Exit(1) from e

    return wrapper


@contextmanager
def runtime(db: str | None) -> Iterator[Runtime]:
    from siyu.runtime import open_runtime

    rt = open_runtime(db)
    try:
        yield rt
    finally:
        rt.close()


@contextmanager
def unit_of_work(rt: Runtime) -> Iterator[Session]:
    from siyu.db.engine import transaction  # here: the CLI loads SQLAlchemy only when used

    with transaction(rt.sessions) as session:
        yield session


def print_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, default=str) + "\n")


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()


def read_json(source: str) -> object:
    """A JSON document from a file or stdin (`-`): UTF-8 (BOM allowed), NaN/Infinity
    refused; each problem an InvalidInput naming the file."""
    name = "stdin" if source == "-" else source
    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as e:
        raise InvalidInput(f"{name}: 无法读取文件 ({e.strerror or e})", field="file") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{name}: 不是 UTF-8 文本", field="file") from None
    try:
        return json.loads(text, parse_constant=_refuse_json_constant)
    except json.JSONDecodeError as e:
        raise InvalidInput(f"{name}: 不是有效的 JSON (第{e.lineno}行第{e.colno}列: {e.msg})",
                           field="file") from None
    except ValueError as e:
        raise InvalidInput(f"{name}: 不是有效的 JSON ({e})", field="file") from None


def _refuse_json_constant(name: str) -> object:
    raise ValueError(f"不支持 {name}")  # NaN, Infinity: not JSON
