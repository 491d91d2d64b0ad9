"""KPIs, funnels, cohorts and share trees against hand computations on small data."""

from datetime import date

import pytest

from siyu.analytics import kpis, queries
from siyu.core.errors import InvalidInput
from tests.analytics import factories as f

DAY = date(2026, 1, 20)


@pytest.fixture
def world(rt):
    m = f.merchant(rt)
    g = f.group(rt, m, f.bj(2026, 1, 20, 8))
    a = f.member(rt, m, f.bj(2025, 12, 1), channel="kol")
    b = f.member(rt, m, f.bj(2025, 12, 1), channel="store_counter")
    c = f.member(rt, m, f.bj(2026, 1, 20, 9), referrer_id=a)
    d = f.member(rt, m, f.bj(2026, 1, 20, 9), referrer_id=c)
    f.stay(rt, m, g, a, f.bj(2025, 12, 21, 10))  # 30-day mark 2026-01-20 10:00: retained
    f.stay(rt, m, g, b, f.bj(2025, 12, 21, 11), f.bj(2026, 1, 19))  # left before the mark
    f.stay(rt, m, g, c, f.bj(2026, 1, 20, 9))
    f.event(rt, m, a, "message", f.bj(2026, 1, 20, 0, 0), group_id=g,
            payload={"text": "这" * 20})  # first instant of the Beijing day: in, quality
    f.event(rt, m, c, "message", f.bj(2026, 1, 20, 23, 59, 59), group_id=g, payload={"text": "好"})
    f.event(rt, m, b, "message", f.bj(2026, 1, 19, 23, 59, 59), group_id=g)  # the day before
    for who, kind, hour in ((a, "view", 10), (a, "add_to_cart", 11), (a, "pay", 12),
                            (c, "view", 10), (c, "add_to_cart", 20), (b, "view", 9)):
        f.event(rt, m, who, kind, f.bj(2026, 1, 20, hour))
    f.order(rt, m, a, f.bj(2026, 1, 20, 12), 30000, group_id=g)
    f.order(rt, m, a, f.bj(2026, 1, 20, 13), 10000, status="refunded")
    f.order(rt, m, c, f.bj(2026, 1, 21, 0, 0), 5000)  # next Beijing day
    f.event(rt, m, b, "complaint", f.bj(2026, 1, 20, 15))
    f.event(rt, m, b, "review", f.bj(2026, 1, 20, 15), payload={"score": 10})
    f.event(rt, m, a, "review", f.bj(2026, 1, 20, 15), payload={"score": 3})
    return {"m": m, "g": g, "a": a, "b": b, "c": c, "d": d}


def test_seed_001_kpis_of_one_beijing_day(rt, world):
    doc = queries.kpi_report(rt, world["m"], DAY, DAY, spend_fen=20000)
    r = doc["rows"][0]
    assert (r["messages"], r["quality_messages"]) == (2, 1)  # 19th 23:59:59 is out
    assert r["quality_share"] == 0.5
    # end of the 20th: a and c in the group (b left on the 19th): speakers a, c
    assert r["activity_rate"] == 1.0
    assert (r["converters"], r["in_groups"], r["conversion_rate"]) == (1, 2, 0.5)
    assert (r["cohort"], r["retained"]) == (2, 1) and r["retention_30d"] == 0.5
    assert (r["gmv"], r["orders"], r["buyers"], r["uv"]) == (40000, 2, 1, 3)
    assert r["cvr"] == 2 / 3 and r["aov_fen"] == 20000 and r["repurchase_rate"] == 1.0
    assert r["dispute_rate"] == (1 + 1) / 2 and r["nps"] == 0.0 and r["roi"] == 2.0
    assert r["new_groups"] == 1 and r["new_members"] == 2
    assert r["met"]["conversion_rate"] and not r["met"]["dispute_rate"]


def test_by_day_and_by_group(rt, world):
    rows = queries.kpi_report(rt, world["m"], date(2026, 1, 19), date(2026, 1, 21),
                              by="day")["rows"]
    assert [r["bucket"] for r in rows] == ["2026-01-19", "2026-01-20", "2026-01-21"]
    assert [r["gmv"] for r in rows] == [0, 40000, 5000]
    assert rows[0]["messages"] == 1
    by_group = queries.kpi_report(rt, world["m"], DAY, DAY, by="group")["rows"]
    assert [(r["group_id"], r["orders"], r["messages"]) for r in by_group] == [
        (world["g"], 1, 2)]


def test_an_empty_range_is_zeros_and_says_so(rt, world):
    doc = queries.kpi_report(rt, world["m"], date(2024, 1, 1), date(2024, 1, 7))
    r = doc["rows"][0]
    assert r["empty"] and r["gmv"] == 0 and r["cvr"] == 0.0 and r["aov_fen"] == 0
    assert r["notes"][0].startswith("该时间范围内没有数据")
    assert doc["empty"] and "No data in this range" in doc["notes"][0]
    by_day = queries.kpi_report(rt, world["m"], date(2024, 1, 1), date(2024, 1, 3), by="day")
    assert by_day["empty"] and [r["orders"] for r in by_day["rows"]] == [0, 0, 0]
    by_group = queries.kpi_report(rt, world["m"], date(2024, 1, 1), date(2024, 1, 3),
                                  by="group")
    assert by_group["rows"] == [] and by_group["empty"] and by_group["notes"]
    full = queries.kpi_report(rt, world["m"], DAY, DAY)
    assert not full["empty"] and "notes" not in full


def test_campaign_kpis_name_the_missing_campaigns(rt, world):
    with pytest.raises(InvalidInput) as e:
        queries.kpi_report(rt, world["m"], DAY, DAY, campaign_id=1)
    err = e.value
    assert err.field == "campaign_id" and err.code == "no_campaigns"
    assert "没有活动" in err.message and "no campaigns yet" in err.message


def test_gmv_decomposition_finds_the_factor_that_moved():
    before = {"uv": 100, "orders": 10, "gmv": 100000}
    after = {"uv": 100, "orders": 20, "gmv": 200000}  # conversion doubled, AOV unchanged
    doc = kpis.decompose(before, after)
    assert doc["driver"] == "cvr" and doc["shares"]["cvr"] == pytest.approx(1.0)
    assert doc["terms"]["uv"] == 0.0
    assert kpis.decompose({"uv": 0}, after)["terms"] is None


def test_funnel_cohorts_and_share_trees(rt, world):
    doc = queries.funnel(rt, world["m"], ["view", "add_to_cart", "pay"], DAY, DAY,
                         window_hours=24, by="channel")
    assert [s["members"] for s in doc["steps"]] == [3, 2, 1]
    assert doc["steps"][1]["drop_off"] == pytest.approx(1 / 3)
    assert doc["biggest_drop"]["to"] == "pay"  # 1 of 2, worse than 2 of 3
    by = {g["value"]: [s["members"] for s in g["steps"]] for g in doc["groups"]}
    assert by == {"kol": [2, 2, 1], "store_counter": [1, 0, 0]}
    short = queries.funnel(rt, world["m"], ["view", "add_to_cart"], DAY, DAY, window_hours=2)
    assert [s["members"] for s in short["steps"]] == [3, 1]  # c added 10 hours later
    co = queries.cohorts(rt, world["m"], date(2026, 1, 19), date(2026, 1, 25), weeks=2)
    assert co["cohorts"][0]["cohort"] == "2026-01-19" and co["cohorts"][0]["size"] == 2
    assert co["cohorts"][0]["retention"][0] == 0.5  # c active in week 0, d never
    trees = queries.share_trees(rt, world["m"], member_id=world["a"])
    assert (trees["trees"], trees["max_depth"], trees["members_reached"]) == (1, 2, 2)
    assert trees["member"] == {"member_id": world["a"], "reach": 2, "depth": 2, "direct": 1}
