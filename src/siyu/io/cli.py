"""`siyu import …` and `siyu export …`: members, products and orders as CSV / Excel."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import typer

from siyu.clikit import DB_OPTION, handle_errors, print_json, runtime, stderr_is_tty, unit_of_work
from siyu.core.errors import Forbidden, InvalidInput
from siyu.io import members_io, orders_io, products_io
from siyu.io.progress import NullProgress, Progress, RichProgress
from siyu.io.readers import RowErrors, Table, format_of, read_path
from siyu.io.writers import write_path
from siyu.merchants import service as merchants

import_app = typer.Typer(help="从 CSV / Excel (.xlsx) 导入会员、商品、订单", no_args_is_help=True)
export_app = typer.Typer(help="导出会员、商品、订单为 CSV / Excel (.xlsx)", no_args_is_help=True)

FILE_ARG = typer.Argument(..., metavar="FILE", show_default=False,
                          help="要导入的 .csv 或 .xlsx 文件 (第 1 行为表头)")
MERCHANT_OPTION = typer.Option(None, "--merchant", help="商户 ID (数据库中只有一个商户时可省略)")
OUT_OPTION = typer.Option(..., "--out", help="输出文件, .csv 或 .xlsx")
BOM_OPTION = typer.Option(False, "--bom", help="CSV 带 UTF-8 BOM, 便于 Excel 直接打开中文")
ACTOR = "cli"

_IMPORT_EPILOG = (
    "整个文件先全部校验: 只要有一行有问题就什么都不导入, 退出码 2, 并在 stderr 逐条列出 "
    "`row N: 列名: 原因` (表头算第 1 行)。成功时 stdout 只输出一行 JSON 汇总, "
    "终端上在 stderr 显示进度条。CSV 可为 UTF-8、UTF-8 BOM 或 GBK (Excel 另存的 CSV)。"
)


@contextmanager
def _progress() -> Iterator[Progress]:
    """A Rich bar when stderr is a terminal; silent for scripts and pipes."""
    with RichProgress() if stderr_is_tty() else nullcontext(NullProgress()) as progress:
        yield progress


def _report_rows(e: RowErrors) -> None:
    for error in e.errors:
        sys.stderr.write(f"{error}\n")
    sys.stderr.write(f"共 {e.bad_rows} 行有问题 ({len(e.errors)} 处), 未导入任何数据\n")
    raise typer.Exit(2)


def _run_import(path: Path, merchant: int | None, db: str | None, *, known, aliases,
                work: Callable) -> None:
    try:
        with _progress() as progress:
            progress.phase("读取", None)
            table = read_path(path, known=known, aliases=aliases)
            if table.ignored:
                sys.stderr.write(f"注意: 忽略未知的列 {', '.join(table.ignored)}\n")
            with runtime(db) as rt, unit_of_work(rt) as session:
                merchant_id = merchants.resolve_merchant(session, merchant).id
                summary = work(session, merchant_id, table, rt.clock.now(), progress)
    except RowErrors as e:
        _report_rows(e)
    print_json(summary)


@import_app.command("members", epilog=_IMPORT_EPILOG)
@handle_errors
def import_members(path: Path = FILE_ARG, merchant: int | None = MERCHANT_OPTION,
                   db: str | None = DB_OPTION):
    """导入会员 (列: external_id 必填, nickname, phone, registered_at, tags 用 | 分隔, channel)。

    同一 external_id 再次导入即更新该会员: 非空的格子覆盖原值, 空格子保留原值, 标签只增不删;
    导出的脱敏手机号 (138****5678) 与原号码一致时视为未改。
    成功输出 {"imported": n, "created": x, "updated": y, "unchanged": z}。"""

    def work(session, merchant_id: int, table: Table, now, progress):
        return members_io.import_members(session, merchant_id, table, now=now, actor=ACTOR,
                                         progress=progress)

    _run_import(path, merchant, db, known=members_io.known_columns(),
                aliases=members_io.ALIASES, work=work)


@import_app.command("products", epilog=_IMPORT_EPILOG)
@handle_errors
def import_products(path: Path = FILE_ARG, merchant: int | None = MERCHANT_OPTION,
                    db: str | None = DB_OPTION):
    """导入商品 (列: sku 必填, name, category, price, cost, daily_price, stock, tags)。

    按 sku 新建或更新; 已有商品的空格子保留原值; 新商品须有 name 和 price。金额为元,
    最多两位小数。成功输出 {"imported": n, "created": x, "updated": y, "unchanged": z,
    "held_for_review": h} (h: 名称需法务复核、已下架待审的商品数)。"""

    def work(session, merchant_id: int, table: Table, now, progress):
        return products_io.import_products(session, merchant_id, table, actor=ACTOR,
                                           progress=progress)

    _run_import(path, merchant, db, known=products_io.COLUMNS, aliases=products_io.ALIASES,
                work=work)


@import_app.command("orders", epilog=_IMPORT_EPILOG)
@handle_errors
def import_orders(path: Path = FILE_ARG, merchant: int | None = MERCHANT_OPTION,
                  db: str | None = DB_OPTION):
    """导入历史订单, 每行一个订单商品, 同一 order_no 的多行为同一订单
    (列: order_no, member_external_id, sku, qty, price, paid_at, status, ip, device,
    address, channel, store)。

    会员须已存在; 不填 price 时取商品当前售价 (商品须存在); 不扣库存。已存在的订单号
    跳过不改, 重复导入同一文件无副作用。
    成功输出 {"imported": 订单数, "created": x, "skipped": y, "lines": 行数}。"""

    def work(session, merchant_id: int, table: Table, now, progress):
        return orders_io.import_orders(session, merchant_id, table, now=now, progress=progress)

    _run_import(path, merchant, db, known=orders_io.COLUMNS, aliases=orders_io.ALIASES,
                work=work)


def _check_out(out: Path) -> str:
    fmt = format_of(out.name)
    if not out.parent.is_dir():
        raise InvalidInput(f"out: 目录不存在 ({out.parent})", field="out")
    return fmt


def _owner(session, owner_key: str | None, merchant: int | None) -> int:
    """--with-pii: clear phone numbers only for an owner, proven by an owner's API key."""
    if not owner_key:
        raise Forbidden("with-pii: 导出明文手机号须由店主进行, 请同时提供 --owner-key",
                        field="owner_key")
    principal = merchants.authenticate(session, owner_key)
    if principal.role != "owner":
        raise Forbidden(f"with-pii: 只有店主 (owner) 可导出明文手机号, 该密钥角色为 "
                        f"{principal.role}", field="owner_key")
    if merchant is not None and merchant != principal.merchant_id:
        raise Forbidden(f"owner-key: 该密钥不属于商户 {merchant}", field="owner_key")
    return principal.merchant_id


def _run_export(out: Path, merchant: int | None, db: str | None, *, columns, rows: Callable,
                kinds=None, notes=None, title: str, bom: bool, pii_key: str | None = None,
                with_pii: bool = False) -> None:
    _check_out(out)
    with _progress() as progress, runtime(db) as rt, unit_of_work(rt) as session:
        if with_pii:
            merchant_id = _owner(session, pii_key, merchant)
        else:
            merchant_id = merchants.resolve_merchant(session, merchant).id
        n = write_path(out, columns, rows(session, merchant_id, progress), kinds=kinds,
                       notes=notes, title=title, bom=bom)
        if with_pii:
            members_io.record_pii_export(session, merchant_id, actor=f"{ACTOR}:owner", count=n)
    print_json({"exported": n, "out": str(out)})


@export_app.command("members")
@handle_errors
def export_members(
    out: Path = OUT_OPTION, merchant: int | None = MERCHANT_OPTION,
    with_pii: bool = typer.Option(False, "--with-pii",
                                  help="导出明文手机号 (仅店主, 需 --owner-key)"),
    owner_key: str | None = typer.Option(None, "--owner-key", envvar="SIYU_OWNER_KEY",
                                         help="店主 (owner) 的 API 密钥, 用于 --with-pii"),
    bom: bool = BOM_OPTION, db: str | None = DB_OPTION,
):
    """导出会员 (与导入相同的列), 手机号默认脱敏为 138****5678。

    --with-pii 导出明文手机号, 只有店主可以: 须用 --owner-key (或环境变量
    SIYU_OWNER_KEY) 提供店主的 API 密钥, 并记入审计日志。导出的文件可原样再导入。
    成功输出 {"exported": n, "out": 文件}。"""

    def rows(session, merchant_id, progress):
        return members_io.export_rows(session, merchant_id, with_pii=with_pii,
                                      progress=progress)

    _run_export(out, merchant, db, columns=members_io.COLUMNS, rows=rows,
                notes=members_io.NOTES, title="members", bom=bom, pii_key=owner_key,
                with_pii=with_pii)


@export_app.command("products")
@handle_errors
def export_products(out: Path = OUT_OPTION, merchant: int | None = MERCHANT_OPTION,
                    bom: bool = BOM_OPTION, db: str | None = DB_OPTION):
    """导出商品 (与导入相同的列, 金额为元两位小数)。"""

    def rows(session, merchant_id, progress):
        return products_io.export_rows(session, merchant_id, progress=progress)

    _run_export(out, merchant, db, columns=products_io.COLUMNS, rows=rows,
                kinds=products_io.KINDS, notes=products_io.NOTES, title="products", bom=bom)


@export_app.command("orders")
@handle_errors
def export_orders(out: Path = OUT_OPTION, merchant: int | None = MERCHANT_OPTION,
                  bom: bool = BOM_OPTION, db: str | None = DB_OPTION):
    """导出订单, 每行一个订单商品 (与导入相同的列; 时间为北京时间, 带 +08:00)。"""

    def rows(session, merchant_id, progress):
        return orders_io.export_rows(session, merchant_id, progress=progress)

    _run_export(out, merchant, db, columns=orders_io.COLUMNS, rows=rows,
                kinds=orders_io.KINDS, notes=orders_io.NOTES, title="orders", bom=bom)
