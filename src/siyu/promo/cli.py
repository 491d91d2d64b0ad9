"""`siyu promo …`: quote a cart with the best promotions and coupons (contract 1)."""

from __future__ import annotations

import typer

from siyu.clikit import handle_errors, print_json, read_json
from siyu.core.clock import SystemClock
from siyu.promo.engine import quote, quote_document
from siyu.promo.schemas import parse_quote_request
from siyu.promo.unknown_keys import unknown_keys

app = typer.Typer(help="促销计算: 最优优惠组合与凑单提示", no_args_is_help=True)


@app.command("quote")
@handle_errors
def quote_command(
    source: str = typer.Argument(..., metavar="FILE|-", help="输入 JSON 文件, - 表示标准输入"),
):
    """计算购物车的最优优惠组合, 逐行说明, 并给出凑单提示。"""
    doc = read_json(source)
    request = parse_quote_request(doc)
    for path in unknown_keys(doc):
        typer.echo(f"警告: {path}: 未知字段, 已忽略 (拼写是否有误?)", err=True)
    print_json(quote_document(quote(request, now=SystemClock().now())))


def _register_stored() -> None:
    from siyu.promo.storecli import register

    register(app)


_register_stored()
