"""`siyu sim` on the command line, and the demo merchant behind `siyu serve --demo`."""

import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from siyu.analytics.group_kpis import day_start
from siyu.cli import app
from siyu.core.clock import beijing_date
from siyu.coupons.models import CouponTemplate
from siyu.events.models import Event
from siyu.members.models import Member
from siyu.merchants.service import authenticate
from siyu.promo import service as promo_service
from siyu.sim.demo import DEMO_NAME, ensure_demo


def test_cli_prints_a_json_summary_and_refuses_a_reused_seed(tmp_path):
    db = f"sqlite:///{tmp_path / 'sim.db'}"
    runner = CliRunner()
    result = runner.invoke(app, ["sim", "--members", "120", "--seed", "5", "--name", "果仁铺",
                                 "--start", "2026-01-05", "--db", db])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["name"] == "果仁铺" and doc["members"] == 120 and doc["seed"] == 5
    assert doc["timeline"]["burst"] == ["2026-01-15", "2026-01-21"]
    assert doc["events"] > 0 and doc["orders"] > 0 and doc["api_key"].startswith("sk_")
    again = runner.invoke(app, ["sim", "--members", "10", "--seed", "5", "--merchant",
                                str(doc["merchant_id"]), "--db", db])
    assert again.exit_code == 2 and "seed" in again.stderr and not again.stdout


def test_cli_rejects_a_bad_start_date(tmp_path):
    result = CliRunner().invoke(app, ["sim", "--members", "5", "--start", "2026-13-01",
                                      "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 2 and "start" in result.stderr


def test_ensure_demo_creates_once_then_issues_fresh_keys(runtime):
    first = ensure_demo(runtime, members=150)
    second = ensure_demo(runtime, members=150)
    assert first.name == second.name == DEMO_NAME
    assert first.merchant_id == second.merchant_id and first.api_key != second.api_key
    with runtime.sessions() as s:
        for key in (first.api_key, second.api_key):
            assert authenticate(s, key).merchant_id == first.merchant_id
        members = s.scalar(select(func.count()).select_from(Member).where(
            Member.merchant_id == first.merchant_id))
        today_messages = s.scalar(select(func.count()).select_from(Event).where(
            Event.merchant_id == first.merchant_id, Event.kind == "message",
            Event.at >= day_start(beijing_date(runtime.clock.now()))))
        latest = s.scalar(select(func.max(Event.at)).where(
            Event.merchant_id == first.merchant_id))
    assert members == 150
    assert today_messages > 0  # the console opens on live numbers
    with runtime.sessions() as s:  # with the campaign's promotions, one held by a red line
        rows, _ = promo_service.list_promotions(s, first.merchant_id)
        templates = s.scalar(select(func.count()).select_from(CouponTemplate).where(
            CouponTemplate.merchant_id == first.merchant_id))
    assert {r.code: r.status for r in rows} == {
        "cny-mj": "active", "tea-2nd": "active", "gift-pair": "active", "nuts-95": "active",
        "mango-clear": "pending_approval"}
    assert templates == 1
    assert latest <= runtime.clock.now()
