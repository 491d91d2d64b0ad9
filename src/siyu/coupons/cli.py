"""`siyu coupons create-template|list|show|issue`: coupon templates and 发券 from the
command line, on the database directly (`--db`, `--redis` for the hot pools), acting
for one merchant (`--merchant`, optional when the database holds one) as `--actor`.
Output is JSON; bad input exits 2 with one line naming the field.
"""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

import typer

from siyu.clikit import DB_OPTION, handle_errors, print_json, read_json, unit_of_work
from siyu.core.errors import InvalidInput

app = typer.Typer(help="优惠券: 券模板、列表、发券", no_args_is_help=True)

MERCHANT_OPTION = typer.Option(None, "--merchant", help="商户 id (库中只有一个商户时可省略)")
ACTOR_OPTION = typer.Option("cli", "--actor", help="审计日志中的操作人")
REDIS_OPTION = typer.Option(None, "--redis", help="Redis URL (热点库存在 Redis 上时)")
BODY_ARG = typer.Argument(..., metavar="FILE|-", help="券模板 JSON (同 POST /coupon-templates)")


class _Session:
    """The runtime, the hot backend and the merchant of one command."""

    def __init__(self, db: str | None, redis: str | None, merchant: int | None) -> None:
        from siyu.hot import backend_for
        from siyu.jobs.cli import open_with_redis
        from siyu.merchants.service import resolve_merchant

        self.rt = open_with_redis(db, redis)
        try:
            self.hot = backend_for(self.rt)
            with self.rt.sessions.begin() as s:
                self.merchant = resolve_merchant(s, merchant).id
        except BaseException:
            self.rt.close()
            raise

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc) -> None:
        self.hot.flush()
        self.rt.close()


def _template_in(doc: object):
    from pydantic import ValidationError

    from siyu.core.validation import describe
    from siyu.coupons.schemas import TemplateIn

    if not isinstance(doc, dict):
        raise InvalidInput("body: 需要一个 JSON 对象 (券模板)", field="body")
    try:
        return TemplateIn.model_validate(doc)
    except ValidationError as e:
        field, message, _ = describe(e.errors(), default="body")
        raise InvalidInput(message, field=field) from None


@app.command("create-template")
@handle_errors
def create_template(source: str = BODY_ARG,
                    merchant: int | None = MERCHANT_OPTION, actor: str = ACTOR_OPTION,
                    db: str | None = DB_OPTION, redis: str | None = REDIS_OPTION):
    """创建券模板 (满减 fixed / 折扣 percent); 券名待复核或低于价格红线的进入待审批。"""
    from siyu.coupons import templates

    data = _template_in(read_json(source))
    with _Session(db, redis, merchant) as c, unit_of_work(c.rt) as s:
        t = templates.create_template(s, c.hot, c.merchant, data, now=c.rt.clock.now(),
                                      actor=actor)
        print_json(templates.template_out(s, c.hot, t).model_dump(mode="json"))


@app.command("list")
@handle_errors
def list_templates(status: str | None = typer.Option(
                       None, "--status",
                       help="active/pending_review/pending_approval/rejected/disabled"),
                   active: bool | None = typer.Option(None, "--active/--inactive",
                                                      help="只列可领取的 / 不可领取的"),
                   merchant: int | None = MERCHANT_OPTION, db: str | None = DB_OPTION,
                   redis: str | None = REDIS_OPTION):
    """列出券模板 (JSON), 新的在前。"""
    from siyu.coupons import templates

    with _Session(db, redis, merchant) as c, unit_of_work(c.rt) as s:
        rows, total = templates.list_templates(s, c.merchant, status=status, active=active,
                                               limit=10_000)
        print_json({"items": [templates.template_out(s, c.hot, t).model_dump(mode="json")
                              for t in rows], "total": total})


@app.command("show")
@handle_errors
def show(template_id: int = typer.Argument(..., help="券模板 id"),
         merchant: int | None = MERCHANT_OPTION, db: str | None = DB_OPTION,
         redis: str | None = REDIS_OPTION):
    """显示一个券模板: 规则、库存、状态与红线检查结果。"""
    from siyu.coupons import templates

    with _Session(db, redis, merchant) as c, unit_of_work(c.rt) as s:
        t = templates.get(s, c.merchant, template_id)
        print_json(templates.template_out(s, c.hot, t).model_dump(mode="json"))


def _id(value: str, where: str) -> int:
    text = value.strip()
    if not text.isdigit() or int(text) < 1:
        raise InvalidInput(f"--members: {where} 不是有效的会员 id ({value!r})", field="--members")
    return int(text)


def parse_members(value: str) -> list[int]:
    """A CSV file with a `member_id` column (or one id per line), or ids "1,2,3"."""
    path = Path(value)
    if not path.is_file():
        if not value.strip() or not all(p.strip().isdigit() for p in value.split(",")):
            raise InvalidInput(f"--members: 既不是文件也不是逗号分隔的会员 id ({value!r})",
                               field="--members")
        return [_id(p, f"第 {i + 1} 个") for i, p in enumerate(value.split(","))]
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise InvalidInput(f"--members: 无法读取 {value} ({e.strerror or e})",
                           field="--members") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"--members: {value} 不是 UTF-8 文本", field="--members") from None
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        raise InvalidInput(f"--members: {value} 没有会员", field="--members")
    header = [c.strip() for c in rows[0]]
    column, body, first = 0, rows, 1
    if "member_id" in header:
        column, body, first = header.index("member_id"), rows[1:], 2
    elif not header[0].isdigit():
        raise InvalidInput(f"--members: {value} 需要 member_id 列", field="--members")
    ids = []
    for n, row in enumerate(body, start=first):
        if column >= len(row):
            raise InvalidInput(f"--members: {value} 第 {n} 行缺少 member_id", field="--members")
        ids.append(_id(row[column], f"{value} 第 {n} 行"))
    if not ids:
        raise InvalidInput(f"--members: {value} 没有会员", field="--members")
    return ids


@app.command("issue")
@handle_errors
def issue(template: int = typer.Option(..., "--template", help="券模板 id"),
          members: str = typer.Option(..., "--members",
                                      help="会员: CSV 文件 (member_id 列) 或 1,2,3"),
          key: str | None = typer.Option(None, "--key",
                                         help="幂等键: 重试时用同一个键, 得到第一次的结果"),
          merchant: int | None = MERCHANT_OPTION, actor: str = ACTOR_OPTION,
          db: str | None = DB_OPTION, redis: str | None = REDIS_OPTION):
    """发券: 按库存与每人限领发给会员, 逐个报告发放或跳过 (已达上限/已抢光/会员不存在)。"""
    from siyu.coupons import issue as issuing
    from siyu.coupons.schemas import MAX_ISSUE

    ids = parse_members(members)
    if len(ids) > MAX_ISSUE:
        raise InvalidInput(f"--members: 一次最多 {MAX_ISSUE} 个会员 (给了 {len(ids)} 个)",
                           field="--members")
    if key is not None and not 0 < len(key) <= 100:
        raise InvalidInput("--key: 须为 1 到 100 个字符", field="--key")
    with _Session(db, redis, merchant) as c:
        out = issuing.issue(c.rt.sessions, c.hot, c.merchant, template, member_ids=ids,
                            key=key or uuid.uuid4().hex, now=c.rt.clock.now(), actor=actor)
    print_json(out.model_dump(mode="json"))
