"""`siyu analytics segments …` (saved live segments) and `siyu analytics ab …` (A/B
experiments: create, assign, expose, results)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from siyu.clikit import DB_OPTION, handle_errors, print_json, runtime, unit_of_work

segments_app = typer.Typer(help="动态分群: 保存规则, 随时计数和导出", no_args_is_help=True)
ab_app = typer.Typer(help="A/B 实验: 分组、曝光、结果", no_args_is_help=True)
MERCHANT = typer.Option(None, "--merchant", help="商户 ID (库中只有一个商户时可省略)")


def _merchant(rt, merchant):
    from siyu.analytics.cli import merchant_of

    return merchant_of(rt, merchant)


def _rule(text: str) -> dict:
    from siyu.core.errors import InvalidInput

    source = Path(text[1:]).read_text("utf-8") if text.startswith("@") else text
    try:
        return json.loads(source)
    except json.JSONDecodeError as e:
        raise InvalidInput(f"--rule: 不是合法的 JSON ({e.msg})", field="--rule") from None


@segments_app.command("create")
@handle_errors
def create(name: str = typer.Option(..., "--name"),
           rule: str = typer.Option(..., "--rule", help="规则 JSON, 或 @文件"),
           description: str | None = typer.Option(None, "--description"),
           merchant: int | None = MERCHANT, db: str | None = DB_OPTION):
    """保存一个动态分群。"""
    from siyu.segments import saved

    with runtime(db) as rt:
        m = _merchant(rt, merchant)
        with unit_of_work(rt) as session:
            row = saved.create(session, m, name, _rule(rule), now=rt.clock.now(),
                               description=description, actor="cli")
            doc = saved.to_dict(row)
    print_json(doc)


@segments_app.command("list")
@handle_errors
def list_(merchant: int | None = MERCHANT, db: str | None = DB_OPTION):
    from siyu.segments import saved

    with runtime(db) as rt:
        m = _merchant(rt, merchant)
        with unit_of_work(rt) as session:
            rows, total = saved.list_segments(session, m, limit=500)
            print_json({"total": total, "items": [saved.to_dict(r) for r in rows]})


@segments_app.command("count")
@handle_errors
def count(segment: int = typer.Argument(...), merchant: int | None = MERCHANT,
          db: str | None = DB_OPTION):
    """分群当前人数。"""
    from siyu.segments import saved

    with runtime(db) as rt:
        print_json(saved.evaluate(rt, _merchant(rt, merchant), segment, limit=0))


@segments_app.command("members")
@handle_errors
def members(segment: int = typer.Argument(...), merchant: int | None = MERCHANT,
            out: Path | None = typer.Option(None, "--out", help="导出 CSV/XLSX (全部)"),
            limit: int = typer.Option(100, "--limit"), db: str | None = DB_OPTION):
    """分群会员 (一页, 或 --out 导出全部)。"""
    from siyu.io.writers import INTEGER, write_path
    from siyu.segments import saved

    with runtime(db) as rt:
        doc = saved.evaluate(rt, _merchant(rt, merchant), segment,
                             limit=None if out else limit)
    if out:
        n = write_path(out, ("member_id",), ([i] for i in doc.pop("member_ids")),
                       kinds={"member_id": INTEGER}, title=f"segment-{segment}")
        typer.echo(f"已写入 {n} 行到 {out}", err=True)
    print_json(doc)


@segments_app.command("delete")
@handle_errors
def delete(segment: int = typer.Argument(...), merchant: int | None = MERCHANT,
           db: str | None = DB_OPTION):
    from siyu.segments import saved

    with runtime(db) as rt:
        m = _merchant(rt, merchant)
        with unit_of_work(rt) as session:
            saved.delete(session, m, segment)
    print_json({"deleted": segment})


@ab_app.command("create")
@handle_errors
def ab_create(key: str = typer.Option(..., "--key"), name: str = typer.Option("", "--name"),
              variants: str = typer.Option("A:50,B:50", "--variants", help="组名:权重,…"),
              metric: str = typer.Option("conversion", "--metric", help="conversion / mean"),
              goal: str = typer.Option("pay", "--goal", help="转化事件, 默认 pay"),
              window_days: int = typer.Option(7, "--window-days"),
              min_lift: float | None = typer.Option(None, "--min-lift"),
              merchant: int | None = MERCHANT, db: str | None = DB_OPTION):
    """新建实验 (第一组为对照组)。"""
    from siyu.abtest import experiments
    from siyu.core.errors import InvalidInput

    parsed = []
    for part in variants.split(","):
        name_, _, weight = part.partition(":")
        try:
            parsed.append({"name": name_.strip(), "weight": float(weight or 1)})
        except ValueError:
            raise InvalidInput(f"--variants: 权重不是数字 ({part!r})", field="--variants") from None
    with runtime(db) as rt:
        m = _merchant(rt, merchant)
        with unit_of_work(rt) as session:
            row = experiments.create(session, m, key=key, name=name, variants=parsed,
                                     now=rt.clock.now(), metric=metric, goal=goal,
                                     window_days=window_days, min_lift=min_lift)
            doc = experiments.to_dict(row)
    print_json(doc)


@ab_app.command("expose")
@handle_errors
def ab_expose(experiment: int = typer.Argument(...), member: int = typer.Option(..., "--member"),
              merchant: int | None = MERCHANT, db: str | None = DB_OPTION):
    """记录曝光并返回该会员的组。"""
    from siyu.abtest import experiments

    with runtime(db) as rt:
        m = _merchant(rt, merchant)
        with unit_of_work(rt) as session:
            doc = experiments.expose(session, m, experiment, member, now=rt.clock.now())
    print_json(doc)


@ab_app.command("results")
@handle_errors
def ab_results(experiment: int = typer.Argument(...), alpha: float = typer.Option(0.05),
               merchant: int | None = MERCHANT, db: str | None = DB_OPTION):
    """实验结果: 各组转化/均值, 显著性与结论 (数据不够时给出还需的样本)。"""
    from siyu.abtest import experiments

    with runtime(db) as rt:
        print_json(experiments.results(rt, _merchant(rt, merchant), experiment, alpha=alpha))
