"""`siyu merchant …`: create merchants, issue API keys per role."""

from __future__ import annotations

import typer

from siyu.clikit import DB_OPTION, handle_errors, print_json, runtime, unit_of_work
from siyu.merchants import service

app = typer.Typer(help="商户与 API 密钥", no_args_is_help=True)


@app.command("create")
@handle_errors
def create(
    name: str = typer.Option(..., "--name", help="商户名称"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    db: str | None = DB_OPTION,
):
    """创建商户并签发店主 (owner) API 密钥。"""
    with runtime(db) as rt, unit_of_work(rt) as session:
        merchant, key = service.create_merchant(session, name)
        merchant_id = merchant.id
    if as_json:
        print_json({"merchant_id": merchant_id, "api_key": key})
    else:
        typer.echo(f"商户 {name} 已创建: merchant_id={merchant_id}\nAPI 密钥 (只显示一次): {key}")


@app.command("key")
@handle_errors
def key(
    role: str = typer.Option(..., "--role", help="owner/planner/operator/cs/supply/legal/analyst"),
    user: str = typer.Option(..., "--user", help="使用者名称"),
    merchant: int | None = typer.Option(None, "--merchant"),
    db: str | None = DB_OPTION,
):
    """为某个角色签发 API 密钥。"""
    with runtime(db) as rt, unit_of_work(rt) as session:
        m = service.resolve_merchant(session, merchant)
        api_key = service.issue_key(session, m.id, user_name=user, role=role)
    print_json({"merchant_id": m.id, "role": role, "user": user, "api_key": api_key})
