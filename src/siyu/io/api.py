"""HTTP: /api/v1/import/{members,products,orders} (multipart upload of a .csv or .xlsx in
the field `file`) and /api/v1/export/{members,products,orders}?format=csv|xlsx.

Uploads larger than Settings.max_upload_bytes answer 413. A file with bad rows imports
nothing and answers 422 with `error.rows = [{"row", "column", "reason"}, ...]` (at most
1000 listed, `error.total` counts them all).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from siyu.core.clock import to_beijing
from siyu.core.errors import Forbidden, InvalidInput, TooLarge
from siyu.deps import ALL_ROLES, WRITE_CATALOG, WRITE_MEMBERS, get_now, get_session, require
from siyu.io import members_io, orders_io, products_io
from siyu.io.readers import Table, read_table
from siyu.io.writers import write_table
from siyu.merchants.service import Principal

router = APIRouter(tags=["import/export 导入导出"])

MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
EXPORT_ORDERS = ("operator", "analyst")
IMPORT_ORDERS = ("operator",)


def _limit(request: Request) -> int:
    return request.app.state.runtime.settings.max_upload_bytes


def _too_large(limit: int) -> TooLarge:
    return TooLarge(f"file: 上传文件超过 {limit} 字节的上限", field="file")


async def _upload(request: Request) -> tuple[bytes, str]:
    """The uploaded file's bytes and name; refuses bodies over the limit (413)."""
    limit = _limit(request)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    form = await request.form(max_files=1, max_fields=10)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("file: 需要以 multipart/form-data 上传文件 (字段名 file)",
                               field="file")
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise _too_large(limit)
        return data, upload.filename or ""
    finally:
        await form.close()


async def _import(request: Request, known, aliases, work: Callable[[Table], dict]) -> dict:
    data, filename = await _upload(request)

    def run() -> dict:
        table = read_table(data, filename, known=known, aliases=aliases)
        return {**work(table), "ignored_columns": table.ignored}

    return await run_in_threadpool(run)


@router.post("/import/members")
async def import_members(
    request: Request, session: Session = Depends(get_session),
    principal: Principal = Depends(require(*WRITE_MEMBERS)), now: datetime = Depends(get_now),
):
    """导入会员 CSV / XLSX: 全部校验通过才写入; 同一 external_id 即更新。"""
    return await _import(request, members_io.known_columns(), members_io.ALIASES,
                         lambda table: members_io.import_members(
                             session, principal.merchant_id, table, now=now,
                             actor=principal.actor))


@router.post("/import/products")
async def import_products(
    request: Request, session: Session = Depends(get_session),
    principal: Principal = Depends(require(*WRITE_CATALOG)),
):
    """导入商品 CSV / XLSX, 按 sku 新建或更新。"""
    return await _import(request, products_io.COLUMNS, products_io.ALIASES,
                         lambda table: products_io.import_products(
                             session, principal.merchant_id, table, actor=principal.actor))


@router.post("/import/orders")
async def import_orders(
    request: Request, session: Session = Depends(get_session),
    principal: Principal = Depends(require(*IMPORT_ORDERS)), now: datetime = Depends(get_now),
):
    """导入历史订单 CSV / XLSX; 已存在的订单号跳过。"""
    return await _import(request, orders_io.COLUMNS, orders_io.ALIASES,
                         lambda table: orders_io.import_orders(
                             session, principal.merchant_id, table, now=now))


def _file(name: str, fmt: str, columns, rows, *, now: datetime, kinds=None, notes=None,
          bom: bool = False) -> Response:
    buffer = io.BytesIO()
    write_table(buffer, fmt, columns, rows, kinds=kinds, notes=notes, title=name, bom=bom)
    filename = f"{name}-{to_beijing(now):%Y%m%d-%H%M%S}.{fmt}"
    return Response(buffer.getvalue(), media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


FORMAT_QUERY = Query(default="csv", description="csv 或 xlsx")
BOM_QUERY = Query(default=False, description="CSV 带 UTF-8 BOM (便于 Excel 打开)")


@router.get("/export/members")
def export_members(
    format: Literal["csv", "xlsx"] = FORMAT_QUERY, bom: bool = BOM_QUERY,
    with_pii: bool = Query(default=False, description="明文手机号, 仅店主"),
    session: Session = Depends(get_session), principal: Principal = Depends(require(*ALL_ROLES)),
    now: datetime = Depends(get_now),
):
    """导出会员 (与导入相同的列), 手机号脱敏; with_pii=true 仅店主可用并记入审计。"""
    if with_pii and principal.role != "owner":
        raise Forbidden("with_pii: 只有店主 (owner) 可导出明文手机号", field="with_pii")
    rows = list(members_io.export_rows(session, principal.merchant_id, with_pii=with_pii))
    if with_pii:
        members_io.record_pii_export(session, principal.merchant_id, actor=principal.actor,
                                     count=len(rows))
    return _file("members", format, members_io.COLUMNS, rows, now=now,
                 notes=members_io.NOTES, bom=bom)


@router.get("/export/products")
def export_products(
    format: Literal["csv", "xlsx"] = FORMAT_QUERY, bom: bool = BOM_QUERY,
    session: Session = Depends(get_session), principal: Principal = Depends(require(*ALL_ROLES)),
    now: datetime = Depends(get_now),
):
    """导出商品 (与导入相同的列)。"""
    return _file("products", format, products_io.COLUMNS,
                 products_io.export_rows(session, principal.merchant_id), now=now,
                 kinds=products_io.KINDS, notes=products_io.NOTES, bom=bom)


@router.get("/export/orders")
def export_orders(
    format: Literal["csv", "xlsx"] = FORMAT_QUERY, bom: bool = BOM_QUERY,
    session: Session = Depends(get_session),
    principal: Principal = Depends(require(*EXPORT_ORDERS)), now: datetime = Depends(get_now),
):
    """导出订单, 每行一个订单商品 (含地址、IP 等个人信息, 仅店主、运营、分析师)。"""
    return _file("orders", format, orders_io.COLUMNS,
                 orders_io.export_rows(session, principal.merchant_id), now=now,
                 kinds=orders_io.KINDS, notes=orders_io.NOTES, bom=bom)
