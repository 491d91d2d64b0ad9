"""`siyu promo list|show|create|edit|disable|enable|approve|reject|price-protection`:
the merchant's stored promotions and price protection from the command line.

The CLI works on the database directly (`--db`), like an administrator: it acts as the
owner (actor `--actor`, default "cli"), so it may also approve held promotions.
"""

from __future__ import annotations

import sys

import typer

from siyu.clikit import DB_OPTION, handle_errors, print_json, runtime, unit_of_work

MERCHANT_OPTION = typer.Option(None, "--merchant", help="商户 id (库中只有一个商户时可省略)")
ACTOR_OPTION = typer.Option("cli", "--actor", help="审计日志中的操作人")
STATUS_HELP = "active/pending_approval/rejected/disabled"
BODY_ARG = typer.Argument(..., metavar="FILE|-", help="一个促销 (合约1 的 PROMOTION JSON)")
NOTE_OPTION = typer.Option(None, "--note", help="审批意见")


def register(app: typer.Typer) -> None:
    for name, fn in (("list", list_command), ("show", show_command),
                     ("create", create_command), ("edit", edit_command),
                     ("disable", disable_command), ("enable", enable_command),
                     ("approve", approve_command), ("reject", reject_command),
                     ("price-protection", protection_command)):
        app.command(name)(fn)


def _now(rt):
    return rt.clock.now()


def _merchant(session, merchant: int | None) -> int:
    from siyu.merchants.service import resolve_merchant

    return resolve_merchant(session, merchant).id


@handle_errors
def list_command(status: str | None = typer.Option(None, "--status", help=STATUS_HELP),
                 merchant: int | None = MERCHANT_OPTION, db: str | None = DB_OPTION):
    """列出已保存的促销 (JSON)。"""
    from siyu.promo import service

    with runtime(db) as rt, unit_of_work(rt) as session:
        m = _merchant(session, merchant)
        rows, total = service.list_promotions(session, m, status=status, limit=10_000)
        print_json({"items": service.documents(session, m, rows), "total": total})


@handle_errors
def show_command(code: str = typer.Argument(..., help="促销编号 (id)"),
                 merchant: int | None = MERCHANT_OPTION, db: str | None = DB_OPTION):
    """显示一个促销, 含预算使用与红线检查结果。"""
    from siyu.promo import service

    with runtime(db) as rt, unit_of_work(rt) as session:
        m = _merchant(session, merchant)
        print_json(service.documents(session, m, [service.get(session, m, code)])[0])


def _read_body(source: str) -> object:
    from siyu.clikit import read_json

    return read_json(source)


@handle_errors
def create_command(source: str = BODY_ARG,
                   merchant: int | None = MERCHANT_OPTION, actor: str = ACTOR_OPTION,
                   db: str | None = DB_OPTION):
    """保存一个促销; 低于价格红线的进入待审批 (pending_approval)。"""
    from siyu.promo import service

    body = _read_body(source)
    with runtime(db) as rt, unit_of_work(rt) as session:
        m = _merchant(session, merchant)
        row = service.create(session, m, body, actor=actor, now=_now(rt))
        print_json(service.documents(session, m, [row])[0])


@handle_errors
def edit_command(code: str = typer.Argument(...), source: str = BODY_ARG,
                 merchant: int | None = MERCHANT_OPTION, actor: str = ACTOR_OPTION,
                 db: str | None = DB_OPTION):
    """用新的 JSON 替换促销规则 (重新检查价格红线)。"""
    from siyu.promo import service

    body = _read_body(source)
    with runtime(db) as rt, unit_of_work(rt) as session:
        m = _merchant(session, merchant)
        row = service.edit(session, m, code, body, actor=actor, now=_now(rt))
        print_json(service.documents(session, m, [row])[0])


def _status_change(code: str, merchant: int | None, actor: str, db: str | None, action: str,
                   note: str | None = None) -> None:
    from siyu.merchants.service import Principal
    from siyu.promo import service

    with runtime(db) as rt, unit_of_work(rt) as session:
        m = _merchant(session, merchant)
        if action in ("approve", "reject"):
            row = service.review(session, m, code, approve=action == "approve",
                                 principal=Principal(m, "owner", actor), now=_now(rt),
                                 note=note)
        else:
            row = getattr(service, action)(session, m, code, actor=actor, now=_now(rt))
        print_json(service.documents(session, m, [row])[0])


@handle_errors
def disable_command(code: str = typer.Argument(...), merchant: int | None = MERCHANT_OPTION,
                    actor: str = ACTOR_OPTION, db: str | None = DB_OPTION):
    """停用促销。"""
    _status_change(code, merchant, actor, db, "disable")


@handle_errors
def enable_command(code: str = typer.Argument(...), merchant: int | None = MERCHANT_OPTION,
                   actor: str = ACTOR_OPTION, db: str | None = DB_OPTION):
    """重新启用促销 (重新检查价格红线)。"""
    _status_change(code, merchant, actor, db, "enable")


@handle_errors
def approve_command(code: str = typer.Argument(...), note: str | None = NOTE_OPTION,
                    merchant: int | None = MERCHANT_OPTION, actor: str = ACTOR_OPTION,
                    db: str | None = DB_OPTION):
    """批准待审批的促销 (以店主身份)。"""
    _status_change(code, merchant, actor, db, "approve", note)


@handle_errors
def reject_command(code: str = typer.Argument(...), note: str | None = NOTE_OPTION,
                   merchant: int | None = MERCHANT_OPTION, actor: str = ACTOR_OPTION,
                   db: str | None = DB_OPTION):
    """驳回待审批的促销。"""
    _status_change(code, merchant, actor, db, "reject", note)


@handle_errors
def protection_command(
    sku: str = typer.Option(..., "--sku", help="商品 SKU"),
    fmt: str = typer.Option("json", "--format", help="json 或 csv"),
    run: bool = typer.Option(False, "--run", help="先按当前价格补记仍欠的保价退款"),
    merchant: int | None = MERCHANT_OPTION, db: str | None = DB_OPTION,
):
    """价格保护: 某 SKU 降价后应退给此前买家的差价 (JSON 或 CSV)。"""
    from siyu.core.errors import InvalidInput
    from siyu.promo import price_protection

    if fmt not in ("json", "csv"):
        raise InvalidInput("--format: 只能是 json 或 csv", field="format")
    with runtime(db) as rt, unit_of_work(rt) as session:
        m = _merchant(session, merchant)
        if run:
            price_protection.run(session, m, sku, now=_now(rt))
        doc = price_protection.report(session, m, sku)
    if fmt == "csv":
        sys.stdout.write(price_protection.report_csv(doc))
    else:
        print_json(doc)
