"""`siyu hongbao …`: split an amount (contract 2), refund expired envelopes."""

from __future__ import annotations

import typer

from siyu.clikit import DB_OPTION, handle_errors, print_json
from siyu.core.errors import InvalidInput
from siyu.hongbao import engine

app = typer.Typer(help="红包: 拆分、到期退款", no_args_is_help=True)


def _int(value: str, field: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidInput(f"{field}: 须为整数 ({value!r})", field=field) from None


def _seed(value: str) -> int:
    # random.Random seeds with |seed|: -1 would silently repeat the split of 1.
    seed = _int(value, "--seed")
    if seed < 0:
        raise InvalidInput(f"--seed: 需要非负整数 ({value!r})", field="--seed")
    return seed


@app.command("split")
@handle_errors
def split(
    amount: str = typer.Option(..., "--amount", help="总金额 (元, 最多两位小数), 如 100.00"),
    count: str = typer.Option(..., "--count", help="红包个数"),
    mode: str = typer.Option("lucky", "--mode", help="lucky (拼手气) 或 equal (普通)"),
    seed: str | None = typer.Option(None, "--seed", help="随机种子: 同一种子得到同样的拆分"),
):
    """拆分红包: 拼手气 (二倍均值法) 或均分; 每份至少 0.01 元, 合计恰为总额, 单份不超过
    最高奖金额上限。已结束红包公示的 seed 可用 --seed 复算其每一份。"""
    from siyu.hongbao.rules import default_limits

    fen = engine.parse_amount(amount, "--amount")
    n = _int(count, "--count")
    if mode not in engine.MODES:
        raise InvalidInput(f"--mode: 须为 {' / '.join(engine.MODES)} ({mode!r})", field="--mode")
    rng_seed = None if seed is None else _seed(seed)
    limits = default_limits()
    engine.validate(fen, n, limits, fields=("--amount", "--count"))
    print_json(engine.split_document(fen, n, mode, rng_seed, limits=limits, field="--amount"))


@app.command("refund-expired")
@handle_errors
def refund_expired(db: str | None = DB_OPTION,
                   redis: str | None = typer.Option(None, "--redis", help="Redis URL")):
    """把到期红包的剩余金额退回发送方 (可重复执行, 只退一次)。"""
    from siyu.jobs import run_once
    from siyu.jobs.cli import open_with_redis

    rt = open_with_redis(db, redis)
    try:
        out = run_once(rt, only={"hongbao.refund_expired"})["hongbao.refund_expired"]
    finally:
        rt.close()
    if isinstance(out, str):
        raise RuntimeError(out)
    print_json({"refunded": {str(k): engine.fmt_yuan(v) for k, v in out.items()}})
