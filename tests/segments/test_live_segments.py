"""Live segments: rules compiled and evaluated over the snapshot, through the API, with
tenant isolation."""

from datetime import date

import pytest

from siyu.core.errors import InvalidInput
from siyu.segments.live import compile_rule
from tests.analytics import factories as f
from tests.analytics.conftest import app, rt, runtime  # noqa: F401


def test_a_bad_rule_names_the_node():
    with pytest.raises(InvalidInput) as e:
        compile_rule({"and": [{"tag": "年货"}, {"layer": "vip"}]}, date(2026, 1, 20))
    assert e.value.field == "rule.and.1.layer"
    with pytest.raises(InvalidInput):
        compile_rule({"spend": {"days": 30, "min": "1.234"}}, date(2026, 1, 20))
    with pytest.raises(InvalidInput):
        compile_rule({"tag": "x", "layer": "new"}, date(2026, 1, 20))


def test_segments_through_the_api(api, other_api, rt):  # noqa: F811
    m = api.merchant_id
    a = f.member(rt, m, f.bj(2025, 12, 1), channel="kol", tags=("年货",))
    b = f.member(rt, m, f.bj(2025, 12, 1), channel="kol")
    c = f.member(rt, m, f.bj(2025, 12, 1), channel="store_counter", tags=("年货",))
    g = f.group(rt, m, f.bj(2026, 1, 1))
    f.stay(rt, m, g, b, f.bj(2026, 1, 2))
    for _ in range(3):
        f.event(rt, m, a, "view", f.bj(2026, 1, 19, 10))
    f.event(rt, m, c, "view", f.bj(2026, 1, 10, 10))  # outside a 7-day window
    f.order(rt, m, c, f.bj(2026, 1, 15, 10), 60000)
    f.order(rt, m, c, f.bj(2026, 1, 16, 10), 10000)
    rule = {"or": [{"and": [{"tag": "年货"}, {"behaviour": {"kind": "view", "days": 7,
                                                              "min": 3}}]},
                   {"group": "any"},
                   {"and": [{"spend": {"days": 30, "min": "500.00"}},
                            {"layer": "high_value"}]}]}
    r = api.post("/api/v1/segments", json={"name": "年货活跃", "rule": rule})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    doc = api.get(f"/api/v1/segments/{sid}/members").json()
    assert doc["member_ids"] == [a, b, c] and doc["count"] == 3 and doc["states_asof"]
    nots = api.post("/api/v1/segments/preview",
                    json={"rule": {"not": {"channel": "kol"}}}).json()
    assert nots["member_ids"] == [c]
    few = api.post("/api/v1/segments/preview", json={
        "rule": {"behaviour": {"kind": "view", "days": 7, "max": 0}}}).json()
    assert few["member_ids"] == [b, c]
    csv = api.get(f"/api/v1/segments/{sid}/members?format=csv")
    assert csv.status_code == 200 and csv.text.splitlines()[1:] == [str(a), str(b), str(c)]
    assert api.post("/api/v1/segments", json={"name": "年货活跃", "rule": rule}).status_code == 409
    bad = api.post("/api/v1/segments", json={"name": "x", "rule": {"layer": "gold"}})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "rule.layer"
    for method, url in (("get", f"/api/v1/segments/{sid}"),
                        ("get", f"/api/v1/segments/{sid}/count"),
                        ("get", f"/api/v1/segments/{sid}/members"),
                        ("delete", f"/api/v1/segments/{sid}")):
        assert other_api.request(method, url).status_code == 404
    assert other_api.post("/api/v1/segments/preview",
                          json={"rule": {"tag": "年货"}}).json()["count"] == 0
    assert api.delete(f"/api/v1/segments/{sid}").status_code == 204
