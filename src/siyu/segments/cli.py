"""`siyu segment …`: RFM, the seed's user layers and BG/NBD lifetime value from CSV files
(contracts 4, 5 and 6). Thin: read, call the engine, print."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import typer

from siyu.clikit import handle_errors, print_json
from siyu.core.clock import parse_date
from siyu.core.errors import InvalidInput
from siyu.core.money import fmt_yuan, parse_yuan
from siyu.segments import layers, rfm, tables

app = typer.Typer(help="会员分层: RFM、用户分层、CLV (BG/NBD)", no_args_is_help=True)

ORDERS_OPTION = typer.Option(..., "--orders", help="订单 CSV: member_id,order_id,paid_at,amount")
ASOF_OPTION = typer.Option(..., "--asof", help="分析日 (YYYY-MM-DD, 北京时间, 含当天)")

RFM_HEADER = ("member_id", "recency_days", "frequency", "monetary", "r_score", "f_score",
              "m_score", "segment")
PREDICT_HEADER = ("member_id", "frequency", "recency", "T", "expected_purchases",
                  "probability_alive")


def _note(message: str) -> None:
    sys.stderr.write(f"注意: {message}\n")


def _write_csv(header: Sequence[str], rows: Iterable[Sequence[object]],
               out: Path | None) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    if out is None:
        sys.stdout.write(buffer.getvalue())
        return
    try:
        out.write_text(buffer.getvalue(), encoding="utf-8")
    except OSError as e:
        raise InvalidInput(f"--out: 无法写入 {out}: {e.strerror or e}", field="--out") from None


def _num(value: float, digits: int = 6) -> str:
    text = f"{round(value, digits):.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _ignored_after(orders: list[tables.Order], asof: date, name: str, what: str) -> None:
    later = rfm.count_after(orders, asof)
    if later:
        _note(f"{name} 中有 {later} 笔订单支付于 {what} {asof} 之后, 已忽略")


@app.command("rfm")
@handle_errors
def rfm_command(
    orders: Path = ORDERS_OPTION,
    asof: str = ASOF_OPTION,
    out: Path | None = typer.Option(None, "--out", help="输出 CSV (默认 stdout)"),
):
    """RFM: 每位会员的 recency_days, frequency, monetary, 1–5 分 (五分位, 5 最好) 与分群名。

    只计入 asof 当天 (北京时间) 结束前支付的订单。
    分数: 会员按该指标由差到好排列, 相同值的一组取其名次区间中点所在的五分位 (同值同分)。
    分群: R × FM 标准分群表, FM = (F + M) / 2 四舍五入。"""
    day = parse_date(asof, "--asof")
    rows = tables.read_orders(orders)
    if not rows:
        _note(f"{orders.name} 中没有订单, 输出为空")
    _ignored_after(rows, day, orders.name, "asof")
    result = rfm.rfm(rows, day)
    _write_csv(RFM_HEADER, (
        (r.member_id, r.recency_days, r.frequency, fmt_yuan(r.monetary), r.r_score, r.f_score,
         r.m_score, r.segment) for r in result), out)
    if out is not None:
        sys.stderr.write(f"已写入 {len(result)} 位会员到 {out}\n")


@app.command("layers")
@handle_errors
def layers_command(
    members: Path = typer.Option(..., "--members", help="会员 CSV: member_id,registered_at"),
    orders: Path = ORDERS_OPTION,
    events: Path = typer.Option(..., "--events", help="互动事件 CSV: member_id,kind,at"),
    asof: str = ASOF_OPTION,
    high_value_spend: str = typer.Option("500.00", "--high-value-spend",
                                         help="高价值: 窗口内消费至少 (元)"),
    high_value_orders: int = typer.Option(2, "--high-value-orders", min=0,
                                          help="高价值: 窗口内订单至少"),
    high_value_days: int = typer.Option(30, "--high-value-days", min=1, help="高价值: 窗口天数"),
    potential_days: int = typer.Option(60, "--potential-days", min=1,
                                       help="潜力: 这么多天内没有订单"),
    potential_average: str = typer.Option("300.00", "--potential-average",
                                          help="潜力: 历史客单价至少 (元)"),
    low_activity_registered_days: int = typer.Option(
        30, "--low-activity-registered-days", min=0, help="低活跃: 注册至少天数"),
    low_activity_events: int = typer.Option(3, "--low-activity-events", min=0,
                                            help="低活跃: 窗口内互动少于"),
    low_activity_days: int = typer.Option(30, "--low-activity-days", min=1,
                                          help="低活跃: 互动窗口天数"),
):
    """用户分层: 每位会员一行 member_id,layer。

    依次取第一个成立的 high_value, potential, new, low_activity, other。
    "N 天内" 指 asof − N 天 < t ≤ asof 当天结束 (北京时间), 即以 asof 结尾的 N 个自然日。
    只计入 asof 当天结束前的订单和事件。"""
    day = parse_date(asof, "--asof")
    rules = layers.LayerRules(
        high_value_min_spend=parse_yuan(high_value_spend, "--high-value-spend"),
        high_value_min_orders=high_value_orders,
        high_value_days=high_value_days,
        potential_quiet_days=potential_days,
        potential_min_average=parse_yuan(potential_average, "--potential-average"),
        low_activity_registered_days=low_activity_registered_days,
        low_activity_max_events=low_activity_events,
        low_activity_days=low_activity_days,
    )
    member_rows = tables.read_members(members)
    known = {m.member_id for m in member_rows}
    order_rows = tables.read_orders(orders, known)
    event_rows = tables.read_events(events, known)
    for path, found, what in ((members, member_rows, "会员, 输出为空"),
                              (orders, order_rows, "订单"), (events, event_rows, "互动事件")):
        if not found:
            _note(f"{path.name} 中没有{what}")
    _ignored_after(order_rows, day, orders.name, "asof")
    result = layers.layers(member_rows, order_rows, event_rows, day, rules)
    _write_csv(("member_id", "layer"), result.items(), None)


@app.command("clv")
@handle_errors
def clv_command(
    orders: Path = ORDERS_OPTION,
    calibration_end: str = typer.Option(..., "--calibration-end",
                                        help="校准期最后一天 (YYYY-MM-DD, 北京时间, 含当天)"),
    unit: str = typer.Option("week", "--unit", help="时间单位: day 或 week"),
    predict: int | None = typer.Option(None, "--predict", help="预测未来多少天"),
    out: Path | None = typer.Option(None, "--out", help="预测结果 CSV (与 --predict 一起用)"),
):
    """BG/NBD 模型 (最大似然) 拟合到 calibration-end 为止的复购记录, 输出参数 JSON。

    同一天 (北京时间) 的订单算一次购买; frequency = 复购天数;
    recency 与 T 从每位会员首次购买算起, 单位为 --unit。
    --predict DAYS --out FILE 另写每位会员未来 DAYS 天的期望购买次数 (expected_purchases)
    与仍活跃概率 (probability_alive)。"""
    from siyu.segments import clv  # numpy/SciPy load only for this command

    end = parse_date(calibration_end, "--calibration-end")
    if unit not in clv.UNITS:
        raise InvalidInput(f"--unit: 只能是 day 或 week (收到 {unit!r})", field="--unit")
    if predict is not None and predict < 1:
        raise InvalidInput(f"--predict: 天数须至少为 1 (收到 {predict})", field="--predict")
    if (predict is None) != (out is None):
        missing = "--out" if out is None else "--predict"
        raise InvalidInput(f"{missing}: --predict 与 --out 须同时给出", field=missing)
    rows = tables.read_orders(orders)
    _ignored_after(rows, end, orders.name, "calibration-end")
    summary = clv.summarise(rows, end, unit)
    doc: dict = {"model": "bgnbd", "unit": unit, "members": len(summary),
                 "params": {"r": None, "alpha": None, "a": None, "b": None}}
    predictions: list = []
    if not summary:
        _note(f"{orders.name} 中 calibration-end 之前没有订单, 无法拟合模型")
    else:
        fitted = clv.fit(summary)
        doc["params"] = fitted.params.as_dict()
        if predict is not None:
            try:
                predictions = clv.predict(fitted.params, summary, predict, unit)
            except clv.NotComputable as e:  # before any note: the error is the one line
                raise InvalidInput(f"--predict: {predict} 天无法计算期望购买次数: {e}",
                                   field="--predict") from None
        for warning in fitted.warnings:
            _note(warning)
    if predict is not None and out is not None:
        _write_csv(PREDICT_HEADER, (
            (p.member_id, p.summary.frequency, _num(p.summary.recency), _num(p.summary.T),
             _num(p.expected_purchases), _num(p.probability_alive)) for p in predictions), out)
    print_json(doc)
