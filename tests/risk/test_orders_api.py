"""Order actions over HTTP cite only hits whose evidence names the order; a sweep that
holds records the rules and evidence it held on, saved or not."""



def product(api):
    r = api.post("/api/v1/products", json={"sku": "NUT", "name": "坚果礼盒", "price": "128.00",
                                           "cost": "80.00", "stock": 100})
    assert r.status_code == 201, r.text


def order(api, **kw):
    r = api.post("/api/v1/orders", json={"lines": [{"sku": "NUT", "qty": 1}], **kw})
    assert r.status_code == 201, r.text
    return r.json()


def same_ip_batch(api, ip="10.0.0.9"):
    product(api)
    return [order(api, ip=ip, placed_at=f"2026-01-20T10:0{i}:00") for i in range(5)]


def sweep(api, **body):
    r = api.post("/api/v1/risk/orders/sweep",
                 json={"since": "2026-01-20", "until": "2026-01-21", **body})
    assert r.status_code == 200, r.text
    return r.json()["hits"]


def test_holding_with_a_hit_that_does_not_name_the_order_is_422_on_hit_id(api):
    same_ip_batch(api)
    (hit,) = sweep(api)
    other = order(api, ip="10.0.0.99")
    r = api.post(f"/api/v1/risk/orders/{other['id']}/hold", json={"hit_id": hit["id"]})
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert (error["field"], error["code"]) == ("hit_id", "hit_not_for_order")
    assert error["message"].startswith("hit_id: ")
    assert api.get(f"/api/v1/orders/{other['id']}").json()["status"] == "paid"
    assert api.get("/api/v1/audit", params={"entity": "order"}).json()["total"] == 0


def test_holding_with_a_hit_that_names_the_order_is_audited_with_its_evidence(api):
    placed = same_ip_batch(api)
    (hit,) = sweep(api)
    r = api.post(f"/api/v1/risk/orders/{placed[1]['id']}/hold", json={"hit_id": hit["id"]})
    assert r.status_code == 200 and r.json()["order"]["status"] == "held"
    (entry,) = api.get("/api/v1/audit", params={"entity": "order"}).json()["items"]
    assert entry["after"]["risk_hit_id"] == hit["id"]
    assert entry["after"]["evidence"][0]["subject"] == "10.0.0.9"


def test_an_unknown_hit_is_404_on_hit_id_and_another_merchants_hit_too(api, other_api):
    placed = same_ip_batch(api)
    (hit,) = sweep(api)
    r = api.post(f"/api/v1/risk/orders/{placed[0]['id']}/hold", json={"hit_id": 999999})
    assert r.status_code == 404
    assert r.json()["error"] == {"code": "risk_hit_not_found", "field": "hit_id",
                                 "message": "hit_id: 风控命中 999999 不存在"}
    product(other_api)
    theirs = order(other_api)
    r = other_api.post(f"/api/v1/risk/orders/{theirs['id']}/hold", json={"hit_id": hit["id"]})
    assert r.status_code == 404 and r.json()["error"]["field"] == "hit_id"
    assert "10.0.0.9" not in r.text


def test_sweep_hold_without_save_names_the_rule_and_evidence_in_the_audit(api):
    placed = same_ip_batch(api, ip="1.2.3.4")
    (hit,) = sweep(api, save=False, hold=True)
    assert hit["held"] == [o["id"] for o in placed]
    assert api.get("/api/v1/risk/hits").json()["total"] == 0  # nothing saved
    items = api.get("/api/v1/audit", params={"entity": "order", "action": "hold"}).json()[
        "items"]
    assert len(items) == 5
    for entry in items:
        after = entry["after"]
        assert after["status"] == "held" and after["risk_hit_id"] is None
        assert after["reason"].startswith("风控扫描自动冻结: same_ip: IP 1.2.3.4 在 60 分钟内")
        assert after["evidence"][0]["evidence"]["threshold"] == 5
