"""Products: upsert by SKU, money validated, price changes audited, tenant scoped."""


def test_product_upsert_and_audit(api):
    r = api.post("/api/v1/products", json={"sku": "GIFT-188", "name": "年货坚果礼盒",
                                           "price": "188.00", "cost": "120.00",
                                           "category": "gift", "stock": 100})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["price"] == "188.00" and body["daily_price"] == "188.00"
    r2 = api.post("/api/v1/products", json={"sku": "GIFT-188", "name": "年货坚果礼盒",
                                            "price": "168.00", "stock": 100})
    assert r2.status_code == 200 and r2.json()["id"] == body["id"]
    audit = api.get("/api/v1/audit", params={"entity": "product"}).json()["items"]
    assert audit[0]["before"]["price_fen"] == 18800 and audit[0]["after"]["price_fen"] == 16800


def test_bad_price_names_field(api):
    for price, reason in (("-1", "price"), ("1.234", "price"), ("0", "price")):
        r = api.post("/api/v1/products", json={"sku": "X", "name": "x", "price": price})
        assert r.status_code == 422, price
        assert reason in r.json()["error"]["message"]
    assert api.get("/api/v1/products").json()["total"] == 0


def test_products_are_per_merchant(api, other_api):
    pid = api.post("/api/v1/products", json={"sku": "A", "name": "a", "price": "1"}).json()["id"]
    assert other_api.get(f"/api/v1/products/{pid}").status_code == 404
    assert other_api.get("/api/v1/products").json()["total"] == 0


def test_an_update_changes_only_the_fields_it_gives(api):
    full = {"sku": "DATE-45", "name": "新疆红枣", "price": "45.00", "cost": "20.00",
            "daily_price": "45.00", "category": "dates", "stock": 36, "tags": ["礼盒"]}
    assert api.post("/api/v1/products", json=full).status_code == 201
    r = api.post("/api/v1/products", json={"sku": "DATE-45", "name": "新疆红枣", "price": "44.00"})
    assert r.status_code == 200
    body = r.json()
    assert (body["price"], body["cost"], body["daily_price"]) == ("44.00", "20.00", "45.00")
    assert (body["stock"], body["category"], body["tags"], body["active"]) == (36, "dates",
                                                                               ["礼盒"], True)
    # given fields do change, including back to their defaults
    r = api.post("/api/v1/products", json={"sku": "DATE-45", "name": "红枣", "price": "44.00",
                                           "stock": 0, "tags": [], "daily_price": "44.00"})
    body = r.json()
    assert (body["name"], body["stock"], body["tags"], body["daily_price"]) == ("红枣", 0, [],
                                                                                "44.00")
