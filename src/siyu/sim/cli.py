"""`siyu sim`: generate a realistic synthetic merchant (members, groups, catalog, events,
orders along a New-Year campaign) and print a JSON summary of what was written."""

from __future__ import annotations

import time

import typer

from siyu.clikit import (
    DB_OPTION,
    fail,
    handle_errors,
    print_json,
    runtime,
    stderr_is_tty,
    unit_of_work,
)
from siyu.core.clock import parse_date
from siyu.merchants import service as merchants
from siyu.sim.progress import progress_bar
from siyu.sim.runner import SimConfig, simulate


@handle_errors
def sim(
    members: int = typer.Option(10_000, "--members", min=1, max=5_000_000, help="会员数"),
    merchant: int | None = typer.Option(None, "--merchant", help="写入已有商户 (ID)"),
    name: str | None = typer.Option(None, "--name", help="新建商户的名称"),
    seed: int = typer.Option(42, "--seed", help="随机种子: 同一种子生成同样的数据"),
    start: str | None = typer.Option(
        None, "--start", help="预热首日 (YYYY-MM-DD): 生成完整活动期; 省略则今天位于爆发期第 5 天"),
    db: str | None = DB_OPTION,
):
    """生成模拟商户: 会员、社群、商品、事件与订单 (年货节: 预热 → 爆发 → 返场)。"""
    if merchant is not None and name:
        fail("--merchant 与 --name 只能给一个")
    start_date = parse_date(start, "start") if start else None
    config = SimConfig(members=members, seed=seed, start=start_date)
    with runtime(db) as rt:
        began = time.perf_counter()
        with progress_bar(stderr_is_tty()) as report, unit_of_work(rt) as session:
            api_key = None
            if merchant is not None:
                target = merchants.get_merchant(session, merchant)
            else:
                target, api_key = merchants.create_merchant(
                    session, name or f"模拟商户 · 坚果年货 (seed {seed})")
            result = simulate(session, target.id, config, now=rt.clock.now(), progress=report)
            merchant_name = target.name
        seconds = round(time.perf_counter() - began, 2)
    doc = {"name": merchant_name, **result.summary(), "seconds": seconds}
    if api_key:
        doc["api_key"] = api_key
    print_json(doc)
