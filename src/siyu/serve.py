"""`siyu serve`: the API and console under uvicorn, optionally with a demo merchant."""

from __future__ import annotations

import os

import typer

from siyu.clikit import DB_OPTION, handle_errors

app = typer.Typer()


@app.command("serve")
@handle_errors
def serve(
    db: str | None = DB_OPTION,
    redis: str | None = typer.Option(None, "--redis", help="Redis URL: 热点路径移到 Redis"),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    demo: bool = typer.Option(False, "--demo", help="生成演示商户与数据 (首次)"),
    demo_members: int = typer.Option(2000, "--demo-members", help="演示会员数"),
):
    """启动 API 与运营台。"""
    import uvicorn

    from siyu.app import create_app
    from siyu.runtime import open_runtime

    if redis:
        os.environ["SIYU_REDIS_URL"] = redis
    rt = open_runtime(db)
    if demo:
        from siyu.sim.demo import ensure_demo

        info = ensure_demo(rt, members=demo_members)
        typer.secho("演示商户已就绪 / demo merchant ready", fg="green")
        typer.echo(f"  商户: {info.name} (merchant_id={info.merchant_id})")
        typer.echo(f"  API 密钥: {info.api_key}")
        typer.echo(f"  运营台: http://{host}:{port}/console  (用上面的 API 密钥登录)")
        typer.echo(f"  API 文档: http://{host}:{port}/docs")
    if rt.settings.redis_url:
        rt.hot  # noqa: B018 - built now: member erasures must reach Redis from the start
    try:
        # The app's lifespan also runs the scheduled jobs (SIYU_JOBS_IN_SERVER, siyu.jobs).
        uvicorn.run(create_app(rt), host=host, port=port, log_level="info")
    finally:
        rt.close()  # the hot ledger writer drains before the process ends
