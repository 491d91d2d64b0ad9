"""Analytics and A/B endpoints end to end, with tenants crossed on purpose."""

from datetime import timedelta

from siyu.abtest.assign import bucket, variant_of
from tests.analytics import factories as f


def test_assignment_is_deterministic_and_follows_the_weights():
    variants = [{"name": "A", "weight": 1}, {"name": "B", "weight": 3}]
    assert bucket("exp", 42) == bucket("exp", 42)
    picks = [variant_of("exp", variants, i) for i in range(4000)]
    assert abs(picks.count("B") / 4000 - 0.75) < 0.03
    assert picks == [variant_of("exp", variants, i) for i in range(4000)]


def test_experiment_exposure_and_results(api, other_api, rt, now):
    m = api.merchant_id
    created = api.post("/api/v1/analytics/experiments", json={
        "key": "copy-2026", "name": "文案", "variants": [{"name": "A"}, {"name": "B"}]})
    assert created.status_code == 201, created.text
    eid = created.json()["id"]
    members = [f.member(rt, m, f.bj(2025, 12, 1)) for _ in range(6)]
    seen = {}
    for mid in members:
        r = api.post(f"/api/v1/analytics/experiments/{eid}/exposures", json={"member_id": mid})
        assert r.status_code == 200, r.text
        seen[mid] = r.json()["variant"]
        again = api.post(f"/api/v1/analytics/experiments/{eid}/exposures",
                         json={"member_id": mid})
        assert again.json()["variant"] == seen[mid]
    f.order(rt, m, members[0], now + timedelta(hours=1), 1000)
    f.order(rt, m, members[1], now - timedelta(hours=1), 1000)  # before exposure: no
    res = api.get(f"/api/v1/analytics/experiments/{eid}/results").json()
    arms = {a["variant"]: a for a in res["arms"]}
    assert sum(a["exposed"] for a in arms.values()) == 6
    assert sum(a["conversions"] for a in arms.values()) == 1
    assert arms[seen[members[0]]]["conversions"] == 1
    verdict = res["comparisons"][0]["verdict"]
    assert verdict["status"] == "not_enough_data" and verdict["more_per_arm"] > 0
    assert "not enough data yet" in verdict["message"]
    for url in (f"/api/v1/analytics/experiments/{eid}",
                f"/api/v1/analytics/experiments/{eid}/results",
                f"/api/v1/analytics/experiments/{eid}/assignment?member_id={members[0]}"):
        assert other_api.get(url).status_code == 404
    assert other_api.post(f"/api/v1/analytics/experiments/{eid}/exposures",
                          json={"member_id": members[0]}).status_code == 404


def test_analytics_endpoints(api, other_api, rt):
    m = api.merchant_id
    a = f.member(rt, m, f.bj(2025, 12, 1))
    f.order(rt, m, a, f.bj(2026, 1, 10, 10), 60000)
    f.order(rt, m, a, f.bj(2026, 1, 12, 10), 60000)
    assert api.post("/api/v1/analytics/refresh").json()["rows_total"]["orders"] == 2
    done = api.post("/api/v1/analytics/members/compute", json={"asof": "2026-01-20"})
    assert done.status_code == 200, done.text
    page = api.get("/api/v1/analytics/members?layer=high_value").json()
    assert [s["member_id"] for s in page["items"]] == [a] and page["asof"] == "2026-01-20"
    assert page["items"][0]["recency_days"] == 8
    assert api.get(f"/api/v1/analytics/members/{a}").json()["state"]["layer"] == "high_value"
    assert other_api.get(f"/api/v1/analytics/members/{a}").status_code == 404
    assert other_api.get("/api/v1/analytics/members").json()["total"] == 0
    k = api.get("/api/v1/analytics/kpis?start=2026-01-10&end=2026-01-12&spend=100.00").json()
    assert k["rows"][0]["gmv"] == 120000 and k["rows"][0]["roi"] == 12.0
    assert other_api.get("/api/v1/analytics/kpis?start=2026-01-10&end=2026-01-12"
                         ).json()["rows"][0]["gmv"] == 0
    xlsx = api.get("/api/v1/analytics/kpis?start=2026-01-10&end=2026-01-12&by=day&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    bad = api.get("/api/v1/analytics/kpis?start=2026-01-12&end=2026-01-10")
    assert bad.status_code == 422
    camp = api.get("/api/v1/analytics/kpis?start=2026-01-10&end=2026-01-12&campaign_id=3")
    assert camp.status_code == 422 and camp.json()["error"]["field"] == "campaign_id"
    assert "no campaigns yet" in camp.json()["error"]["message"]
    empty = api.get("/api/v1/analytics/kpis?start=2025-06-01&end=2025-06-02").json()
    assert empty["empty"] and empty["rows"][0]["gmv"] == 0 and empty["notes"]
    rules = api.put("/api/v1/analytics/rules", json={"kpi_targets": {"conversion_rate": 0.1}})
    assert rules.json()["kpi_targets"]["conversion_rate"] == 0.1
    assert api.put("/api/v1/analytics/rules",
                   json={"lifecycle_rules": {"silent_days": 500}}).status_code == 422
    gmv = api.get("/api/v1/analytics/gmv-decomposition?before_start=2026-01-10&before_end="
                  "2026-01-10&after_start=2026-01-12&after_end=2026-01-12").json()
    assert gmv["terms"] is None and gmv["notes"]  # no UV in either period
