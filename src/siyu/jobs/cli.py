"""`siyu jobs run`: the scheduled work, once or in a loop."""

from __future__ import annotations

import time

import typer

from siyu.clikit import DB_OPTION, handle_errors, print_json

app = typer.Typer(help="定时任务: 红包到期退款、秒杀未支付释放与结算、Redis 对账",
                  no_args_is_help=True)


def open_with_redis(db: str | None, redis: str | None):
    from siyu.core.settings import get_settings
    from siyu.runtime import open_runtime

    settings = get_settings()
    if redis:
        settings = settings.model_copy(update={"redis_url": redis})
    return open_runtime(db, settings=settings)


@app.callback()
def _group() -> None:
    """定时任务。"""


@app.command("run")
@handle_errors
def run(db: str | None = DB_OPTION,
        redis: str | None = typer.Option(None, "--redis", help="Redis URL"),
        once: bool = typer.Option(False, "--once", help="只运行一轮"),
        interval: float = typer.Option(30.0, "--interval", help="两轮之间的秒数")):
    """运行全部定时任务 (每个任务可重复执行, 结果不变)。"""
    from siyu.core.clock import to_beijing
    from siyu.jobs import report, run_once

    rt = open_with_redis(db, redis)
    try:
        while True:
            now = rt.clock.now()
            print_json({"at": to_beijing(now).isoformat(),  # operators read Beijing time
                        "jobs": report(run_once(rt, now=now))})
            if once:
                return
            time.sleep(interval)
    finally:
        rt.close()
