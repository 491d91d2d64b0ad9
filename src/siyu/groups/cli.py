"""`siyu group …`: create and list groups; `siyu group code …`: live codes (活码)."""

from __future__ import annotations

import json

import typer
from pydantic import ValidationError

from siyu.clikit import DB_OPTION, handle_errors, print_json, runtime, unit_of_work
from siyu.core.errors import InvalidInput
from siyu.core.validation import describe
from siyu.groups import livecodes, service
from siyu.groups.schemas import GroupIn, LiveCodeIn
from siyu.merchants.service import resolve_merchant

app = typer.Typer(help="社群与活码", no_args_is_help=True)
code_app = typer.Typer(help="活码: 按渠道引流入群, 满员自动开新群", no_args_is_help=True)
app.add_typer(code_app, name="code")

MERCHANT_OPTION = typer.Option(None, "--merchant", help="商户 id (库中只有一个商户时可省略)")


def _parse(model, **fields):
    """Validate CLI input with the API's schema; the first problem names its field."""
    try:
        return model(**{k: v for k, v in fields.items() if v is not None})
    except ValidationError as e:
        field, message, _ = describe(e.errors(), default="input")
        raise InvalidInput(message, field=field) from None


@app.command("create")
@handle_errors
def create(
    name: str = typer.Option(..., "--name", help="群名称"),
    kind: str = typer.Option(..., "--kind", help="red_envelope/merchant/gift/stock_up/..."),
    owner: str | None = typer.Option(None, "--owner", help="群主"),
    capacity: int | None = typer.Option(None, "--capacity", help="容量 (默认 500)"),
    rules: str | None = typer.Option(None, "--rules", help="群规 JSON 对象"),
    merchant: int | None = MERCHANT_OPTION,
    db: str | None = DB_OPTION,
):
    """创建社群, 输出 JSON。"""
    try:
        rules_doc = json.loads(rules) if rules else None
    except json.JSONDecodeError:
        raise InvalidInput("rules: 不是有效的 JSON", field="rules") from None
    data = _parse(GroupIn, name=name, kind=kind, owner=owner, capacity=capacity, rules=rules_doc)
    with runtime(db) as rt, unit_of_work(rt) as session:
        m = resolve_merchant(session, merchant)
        group = service.create_group(session, m.id, data, now=rt.clock.now(), actor="cli")
        out = service.to_out(group).model_dump(mode="json")
    print_json(out)


@app.command("list")
@handle_errors
def list_(
    kind: str | None = typer.Option(None, "--kind"),
    status: str | None = typer.Option(None, "--status", help="active/archived"),
    limit: int = typer.Option(50, "--limit", min=1, max=500),
    offset: int = typer.Option(0, "--offset", min=0),
    merchant: int | None = MERCHANT_OPTION,
    db: str | None = DB_OPTION,
):
    """列出社群 (JSON)。"""
    with runtime(db) as rt, unit_of_work(rt) as session:
        m = resolve_merchant(session, merchant)
        rows, total = service.list_groups(session, m.id, kind=kind, status=status,
                                          limit=limit, offset=offset)
        items = [service.to_out(g).model_dump(mode="json") for g in rows]
    print_json({"items": items, "total": total, "limit": limit, "offset": offset})


@code_app.command("create")
@handle_errors
def code_create(
    name: str = typer.Option(..., "--name", help="活码名称"),
    channel: str = typer.Option(..., "--channel", help="store_counter/order_card/kol/share_link"),
    kind: str = typer.Option(..., "--kind", help="群类型"),
    capacity: int | None = typer.Option(None, "--capacity", help="每个群的容量"),
    prefix: str | None = typer.Option(None, "--prefix", help="群名前缀 (默认同活码名称)"),
    owner: str | None = typer.Option(None, "--owner", help="群主"),
    merchant: int | None = MERCHANT_OPTION,
    db: str | None = DB_OPTION,
):
    """创建活码及其第一个群, 输出 JSON。"""
    data = _parse(LiveCodeIn, name=name, channel=channel, group_kind=kind, capacity=capacity,
                  group_name_prefix=prefix, owner=owner)
    with runtime(db) as rt, unit_of_work(rt) as session:
        m = resolve_merchant(session, merchant)
        code = livecodes.create_code(session, m.id, data, now=rt.clock.now(), actor="cli")
        out = livecodes.to_out(session, m.id, [code])[0].model_dump(mode="json")
    print_json(out)


@code_app.command("list")
@handle_errors
def code_list(
    channel: str | None = typer.Option(None, "--channel"),
    merchant: int | None = MERCHANT_OPTION,
    db: str | None = DB_OPTION,
):
    """列出活码及每个码的入群人数和群 (JSON)。"""
    with runtime(db) as rt, unit_of_work(rt) as session:
        m = resolve_merchant(session, merchant)
        items, total = livecodes.list_codes(session, m.id, channel=channel, limit=500)
        out = [c.model_dump(mode="json") for c in items]
    print_json({"items": out, "total": total})
