"""`siyu analytics …`: snapshot refresh, member states, KPIs, GMV decomposition, funnels,
cohorts, share trees; `siyu analytics segments …` and `siyu analytics ab …` for live
segments and A/B experiments. Thin: parse, call the use case, print JSON (or write
CSV/XLSX with --out)."""

from __future__ import annotations

from pathlib import Path

import typer

from siyu.analytics.cli_targets import ab_app, segments_app
from siyu.clikit import DB_OPTION, handle_errors, print_json, runtime, unit_of_work

app = typer.Typer(help="数据分析: 快照、会员状态、KPI、漏斗、留存、裂变、分群、A/B",
                  no_args_is_help=True)
app.add_typer(segments_app, name="segments")
app.add_typer(ab_app, name="ab")

MERCHANT = typer.Option(None, "--merchant", help="商户 ID (库中只有一个商户时可省略)")
START = typer.Option(..., "--start", help="开始日期 (YYYY-MM-DD, 北京时间, 含)")
END = typer.Option(..., "--end", help="结束日期 (YYYY-MM-DD, 北京时间, 含)")


def merchant_of(rt, merchant: int | None) -> int:
    from siyu.merchants.service import resolve_merchant

    with unit_of_work(rt) as session:
        return resolve_merchant(session, merchant).id


def _date(text: str, field: str):
    from siyu.core.clock import parse_date

    return parse_date(text, field)


def _write(out: Path, name: str, columns, rows, **kw) -> None:
    from siyu.io.writers import write_path

    n = write_path(out, columns, rows, title=name, **kw)
    typer.echo(f"已写入 {n} 行到 {out}", err=True)


@app.command("refresh")
@handle_errors
def refresh(merchant: int | None = MERCHANT, full: bool = typer.Option(False, "--full"),
            db: str | None = DB_OPTION):
    """增量刷新分析快照 (Parquet); --full 全量重建。"""
    from siyu.analytics import service

    with runtime(db) as rt:
        print_json(service.refresh(rt, merchant_of(rt, merchant), full=full))


@app.command("members")
@handle_errors
def members(merchant: int | None = MERCHANT,
            asof: str | None = typer.Option(None, "--asof", help="分析日, 默认今天"),
            compute: bool = typer.Option(True, "--compute/--no-compute",
                                         help="先计算 (默认) 或只读已存的状态"),
            layer: str | None = typer.Option(None, "--layer"),
            lifecycle: str | None = typer.Option(None, "--lifecycle"),
            out: Path | None = typer.Option(None, "--out", help="导出 CSV/XLSX"),
            db: str | None = DB_OPTION):
    """计算并存储全部会员的 RFM、分层 (含动态降级) 与生命周期; --out 导出。"""
    from siyu.analytics import export, queries, service

    with runtime(db) as rt:
        m = merchant_of(rt, merchant)
        result = (service.compute_member_states(rt, m, _date(asof, "--asof") if asof else None)
                  if compute else None)
        with unit_of_work(rt) as session:
            doc = queries.member_states(session, m, layer=layer, lifecycle=lifecycle,
                                        limit=None if out else 20)
    if out:
        _write(out, "member-states", export.STATE_COLUMNS, export.state_rows(doc),
               kinds=export.STATE_KINDS)
    print_json({"computed": result, **({"total": doc["total"]} if out else doc)})


@app.command("kpis")
@handle_errors
def kpis(start: str = START, end: str = END, merchant: int | None = MERCHANT,
         by: str = typer.Option("total", "--by", help="total / day / group"),
         group: int | None = typer.Option(None, "--group", help="只看某个群"),
         spend: str | None = typer.Option(None, "--spend", help="投入 (元), 计算 ROI"),
         out: Path | None = typer.Option(None, "--out", help="导出 CSV/XLSX"),
         db: str | None = DB_OPTION):
    """种子 001 的 KPI (目标为商户设置) 与 GMV、UV、CVR、客单价、复购、纠纷率、NPS、ROI。"""
    from siyu.analytics import export, queries
    from siyu.core.money import parse_yuan

    with runtime(db) as rt:
        doc = queries.kpi_report(rt, merchant_of(rt, merchant), _date(start, "--start"),
                                 _date(end, "--end"), by=by, group_id=group,
                                 spend_fen=None if spend is None else parse_yuan(spend, "--spend"))
    if out:
        _write(out, f"kpis-{by}", export.KPI_COLUMNS, export.kpi_rows(doc),
               kinds=export.KPI_KINDS, notes=export.KPI_NOTES)
    print_json(doc)


@app.command("gmv")
@handle_errors
def gmv(before: str = typer.Option(..., "--before", help="前一期 START:END"),
        after: str = typer.Option(..., "--after", help="后一期 START:END"),
        merchant: int | None = MERCHANT, db: str | None = DB_OPTION):
    """GMV = UV × CVR × AOV: 两期之间哪个因素变了 (对数分解)。"""
    from siyu.analytics import queries
    from siyu.core.errors import InvalidInput

    def period(text: str, field: str):
        parts = text.split(":")
        if len(parts) != 2:
            raise InvalidInput(f"{field}: 格式为 START:END", field=field)
        return _date(parts[0], field), _date(parts[1], field)

    with runtime(db) as rt:
        print_json(queries.gmv_decomposition(rt, merchant_of(rt, merchant),
                                             period(before, "--before"),
                                             period(after, "--after")))


@app.command("funnel")
@handle_errors
def funnel(steps: str = typer.Option("view,add_to_cart,pay", "--steps"),
           start: str = START, end: str = END, merchant: int | None = MERCHANT,
           window_hours: float = typer.Option(24.0, "--window-hours"),
           by: str | None = typer.Option(None, "--by",
                                         help="layer / lifecycle / rfm_segment / channel"),
           segment: int | None = typer.Option(None, "--segment", help="按分群内外拆分"),
           db: str | None = DB_OPTION):
    """漏斗: 有序步骤、窗口内完成, 每步流失率, 可按分层/生命周期/渠道/分群拆分。"""
    from siyu.analytics import queries

    with runtime(db) as rt:
        print_json(queries.funnel(rt, merchant_of(rt, merchant), steps.split(","),
                                  _date(start, "--start"), _date(end, "--end"),
                                  window_hours=window_hours, by=by, segment_id=segment))


@app.command("cohorts")
@handle_errors
def cohorts(start: str = START, end: str = END, merchant: int | None = MERCHANT,
            weeks: int = typer.Option(8, "--weeks"), db: str | None = DB_OPTION):
    """按注册周的留存队列。"""
    from siyu.analytics import queries

    with runtime(db) as rt:
        print_json(queries.cohorts(rt, merchant_of(rt, merchant), _date(start, "--start"),
                                   _date(end, "--end"), weeks))


@app.command("share-trees")
@handle_errors
def share_trees(merchant: int | None = MERCHANT, top: int = typer.Option(20, "--top"),
                member: int | None = typer.Option(None, "--member"),
                db: str | None = DB_OPTION):
    """裂变链路: 推荐链的深度与覆盖。"""
    from siyu.analytics import queries

    with runtime(db) as rt:
        print_json(queries.share_trees(rt, merchant_of(rt, merchant), top=top,
                                       member_id=member))
